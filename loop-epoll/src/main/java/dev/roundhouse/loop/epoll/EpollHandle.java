package dev.roundhouse.loop.epoll;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One descriptor on a loop's epoll set: a user {@link EpollRegistration}, a connection's
 * {@link EpollSocketIo} or a listener's {@link EpollListenerIo}. Keeps what the kernel has (the
 * submitted mask, or nothing) and drops events that must not be delivered.
 *
 * <p><b>The epoll set.</b> An empty mask takes the fd out of the set (EPOLL_CTL_DEL, by cancelling
 * the Netty {@link IoRegistration}); a later non-empty mask registers it again. Leaving an fd in
 * the set with an empty mask still reports EPOLLERR/EPOLLHUP and spins (netty#16683).
 *
 * <p><b>Stale events.</b> {@code epoll_wait} returns a batch that the loop then dispatches. An fd
 * added or modified while a batch is dispatched may still have an entry in that batch, from before
 * the change: it belongs to the old registration (or to a closed fd whose number was reused). Such
 * an entry is dropped; ADD and MOD re-check readiness in the kernel, so a condition that still holds
 * is reported by the next {@code epoll_wait}.
 *
 * <p><b>Thread:</b> loop thread only.
 */
abstract class EpollHandle implements EpollIoHandle {
    protected final EpollPoller poller;
    private final FileDescriptor fd;
    private IoRegistration registration;
    private int submittedMask;
    private long submittedBatch = -1;

    EpollHandle(EpollPoller poller, FileDescriptor fd) {
        this.poller = poller;
        this.fd = fd;
    }

    /** The kernel reported {@code events} (EPOLL* bits) for this fd. Never throws to Netty's loop. */
    abstract void onEvents(int events);

    /** Another handle now owns this fd number, so this one's descriptor was closed: drop it. */
    abstract void evict();

    @Override
    public final FileDescriptor fd() {
        return fd;
    }

    final int fdValue() {
        return fd.intValue();
    }

    @Override
    public final void handle(IoRegistration from, IoEvent event) {
        if (from != registration || submittedBatch == poller.batch()) {
            return; // an old registration's entry, or one from before this batch's ADD/MOD
        }
        try {
            onEvents(((EpollIoEvent) event).ops().value());
        } catch (Throwable t) {
            // Netty's run() would log it and sleep for a second: report it on our loop instead
            poller.context().reportException("epoll dispatch of " + this, t);
        }
    }

    /** Sets the mask if it changed: submits it, or (0) removes the fd from the set. */
    final void setMask(int mask) throws IOException {
        if (mask != submittedMask) { // 0 whenever the fd is out of the set
            submit(mask);
        }
    }

    /**
     * Submits {@code mask} even if unchanged (re-arms EPOLLONESHOT, re-checks EPOLLET readiness);
     * 0 removes the fd from the set.
     */
    final void submit(int mask) throws IOException {
        if (mask == 0) {
            removeFromSet();
            return;
        }
        try {
            if (registration == null) {
                registration = poller.ioHandler().register(this);
            }
            registration.submit(EpollOps.ops(mask));
        } catch (UncheckedIOException e) {
            removeFromSet();
            throw e.getCause();
        } catch (IOException | RuntimeException e) {
            removeFromSet();
            throw e;
        } catch (Exception e) {
            removeFromSet();
            throw new IOException("cannot register fd " + fd.intValue() + " with epoll", e);
        }
        submittedMask = mask;
        submittedBatch = poller.batch();
    }

    /** Takes the fd out of the epoll set (no syscall if it is not in it or already closed). */
    final void removeFromSet() {
        IoRegistration r = registration;
        if (r != null) {
            registration = null;
            submittedMask = 0;
            r.cancel(); // on the loop thread Netty removes it at once: EPOLL_CTL_DEL while fd().isOpen()
        }
    }

    /**
     * Closes a descriptor this loop owns (a connection or a listener, never a user's channel), then
     * lets go of its registration and its fd number. Closing first saves an {@code EPOLL_CTL_DEL}
     * per descriptor: the kernel takes a socket out of every epoll set when its last reference
     * goes, which for ours (never duplicated) is this close, and Netty makes no DEL for a
     * descriptor already closed. The number may be handed out again the moment it is closed, but
     * only this loop's thread registers on this set, and it is here; events for the number still in
     * the batch being dispatched are dropped as stale (see the class comment). Never throws.
     */
    final void closeDescriptor() {
        try {
            fd.close();
        } catch (IOException ignored) {
            // the number is released either way
        }
        removeFromSet(); // no system call: the descriptor is closed
        poller.release(this);
    }

    /** Whether the fd is in the epoll set now. */
    final boolean inSet() {
        return registration != null;
    }

    /** Netty calls this from prepareToDestroy for handles still registered; ours are gone by then. */
    @Override
    public void close() {
        removeFromSet();
    }
}
