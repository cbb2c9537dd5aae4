package dev.roundhouse.loop.iouring;

import dev.roundhouse.loop.unix.LazySocket;
import dev.roundhouse.loop.unix.UnixSockets;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;
import java.io.IOException;

/**
 * One descriptor on a loop's ring: its Netty registration, the operations submitted for it, and its
 * close. The owner (a connect, then its transport; a server; an accepted transport; the epoll set of
 * the readiness registrations) gets every completion.
 *
 * <p><b>Closing.</b> {@link #close()} cancels the registration; Netty keeps it until every submitted
 * entry has completed (our {@code ASYNC_CANCEL}s included) and then calls {@link #unregistered()},
 * where the descriptor is closed. Closing it earlier would be unsafe: an entry still in the
 * submission queue (not yet seen by the kernel) names the fd by number, and a number freed now can
 * belong to a new connection (an accept completing in the kernel) by the time the queue is
 * submitted; that entry would then read the new connection's bytes. A receive, accept or poll never
 * completes by itself, so {@code close()} first submits an {@code ASYNC_CANCEL} for each operation in
 * flight (at most one per opcode: owners never post a second read, write, accept or poll before the
 * first completed). Buffers an operation uses stay referenced by the owner until its completion
 * arrives.
 *
 * <p><b>Thread:</b> loop thread only.
 */
final class UringFd implements IoUringIoHandle {
    /** Gets the completions of one descriptor's operations. */
    interface Owner {
        /**
         * An operation completed: {@code res} is its result (bytes, an fd, poll bits) or a negated errno.
         * Must not throw.
         */
        void completed(byte opcode, int res, int flags);
    }

    /** {@code IORING_CQE_F_MORE}: a multishot operation stays armed after this completion. */
    private static final int IORING_CQE_F_MORE = 1 << 1;

    private final UringPoller poller;
    private final FileDescriptor descriptor;
    /** Netty's socket over {@link #descriptor}: an accepted one's made only when needed. */
    private final LazySocket lazy;
    private Owner owner;
    /** The id of the operation in flight per opcode, 0 for none. */
    private final long[] inFlight = new long[UringOps.OP_RECV + 1];
    private IoRegistration registration;
    private boolean closing;
    private boolean descriptorClosed;

    /** @param owner who gets the completions; {@code null} until {@link #owner(Owner)}, before any submit */
    UringFd(UringPoller poller, FileDescriptor descriptor, Owner owner) {
        this.poller = poller;
        this.descriptor = descriptor;
        this.lazy = new LazySocket(descriptor);
        this.owner = owner;
    }

    /**
     * Netty's socket over the descriptor (every owner's but the readiness set's is one). An accepted
     * connection's is made on the first call: its constructor asks the kernel the address family.
     *
     * @throws IllegalStateException once the descriptor is closed (the ring's close does not mark
     *     Netty's descriptor, and the number may belong to another connection by then)
     */
    Socket socket() {
        if (descriptorClosed) {
            throw new IllegalStateException("fd " + fd() + " is closed");
        }
        return lazy.socket();
    }

    /** Whether {@link #socket()} has been made for an accepted descriptor, or was one (for tests). */
    boolean hasSocket() {
        return lazy.hasSocket();
    }

    int fd() {
        return descriptor.intValue();
    }

    /** Hands the completions to a new owner (a connection's transport, from its connect or on accept). */
    void owner(Owner newOwner) {
        owner = newOwner;
    }

    /**
     * Queues {@code ops}, an entry for this descriptor made by {@link UringOps} with
     * {@code opcode}; the memory it names must stay valid until its completion arrives. Entries
     * are immutable: a connection keeps the ones it repeats (its receive, its writes of n iovecs)
     * and submits them again, so the echo path allocates none.
     *
     * @throws IOException if the descriptor is closing or the ring refuses a registration
     * @throws IllegalStateException if an operation with {@code opcode} is in flight already
     */
    void submit(byte opcode, IoUringIoOps ops) throws IOException {
        submit0(opcode, ops);
    }

    /**
     * Queues an accept; the completion's result is the new descriptor, and the peer's address is
     * written at {@code addrAddress} (see {@link UringOps#accept}).
     */
    void accept(long addrAddress, long addrLenAddress) throws IOException {
        submit0(UringOps.OP_ACCEPT, UringOps.accept(fd(), addrAddress, addrLenAddress));
    }

    /** Queues a one-shot poll for {@code mask}. */
    void poll(int mask) throws IOException {
        submit0(UringOps.OP_POLL_ADD, UringOps.pollAdd(fd(), mask));
    }

    /** At most one operation per opcode may be in flight. */
    private void submit0(byte opcode, IoUringIoOps ops) throws IOException {
        if (inFlight[opcode] != 0) {
            throw new IllegalStateException("opcode " + opcode + " already in flight on fd " + fd());
        }
        if (closing) {
            throw new IOException("fd " + fd() + " is closing");
        }
        if (registration == null) {
            try {
                registration = poller.ioHandler().register(this);
            } catch (Exception e) {
                throw new IOException("cannot register fd " + fd() + " with the io_uring ring", e);
            }
            poller.track(this);
        }
        long id = registration.submit(ops);
        if (id == 0) { // Netty's invalid id: the registration was cancelled under us
            throw new IOException("the io_uring registration of fd " + fd() + " is no longer valid");
        }
        inFlight[opcode] = id;
    }

    /** Whether an operation with {@code opcode} was submitted and has not completed yet. */
    boolean inFlight(byte opcode) {
        return inFlight[opcode] != 0;
    }

    /**
     * Stops the registration and closes the descriptor once no submitted entry is left (at once if
     * none is). Idempotent. Netty also calls it from {@code prepareToDestroy} for registrations
     * it still holds.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        IoRegistration r = registration;
        if (r == null) {
            closeDescriptor();
            return;
        }
        for (long id : inFlight) {
            if (id != 0) {
                r.submit(UringOps.cancel(id)); // the target then completes with -ECANCELED (or already did)
            }
        }
        r.cancel(); // calls unregistered() now, or when the last completion arrives
    }

    @Override
    public void handle(IoRegistration from, IoEvent event) {
        IoUringIoEvent e = (IoUringIoEvent) event;
        byte op = e.opcode();
        if (op == UringOps.OP_ASYNC_CANCEL || op < 0 || op >= inFlight.length) {
            return; // its result tells whether it found the target; the target's own completion follows or came
        }
        if ((e.flags() & IORING_CQE_F_MORE) == 0) {
            inFlight[op] = 0;
        }
        try {
            owner.completed(e.opcode(), e.res(), e.flags());
        } catch (Throwable t) {
            // Netty's run() would log it and sleep: report it on our loop instead
            poller.context().reportException("io_uring completion on fd " + fd(), t);
        }
    }

    @Override
    public void unregistered() {
        closeDescriptor();
    }

    private void closeDescriptor() {
        if (descriptorClosed) {
            return;
        }
        descriptorClosed = true;
        poller.untrack(this);
        poller.closer().close(descriptor); // through the ring while it runs, else close(2)
    }

    /** The loop is ending and the ring is gone: closes the descriptor if the ring never let go. */
    void closeAfterRing() {
        closing = true;
        if (!descriptorClosed) {
            descriptorClosed = true;
            UnixSockets.closeQuietly(descriptor);
        }
    }

    @Override
    public String toString() {
        return "fd " + fd() + (closing ? " (closing)" : "");
    }
}
