package dev.roundhouse.loop.iouring;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.LoopClosedException;
import dev.roundhouse.loop.ReadinessHandler;
import dev.roundhouse.loop.Registration;
import dev.roundhouse.loop.Trigger;
import dev.roundhouse.loop.internal.LoopResource;
import dev.roundhouse.loop.spi.LoopContext;
import dev.roundhouse.loop.unix.ChannelFds;
import dev.roundhouse.loop.unix.FdIndex;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A loop's readiness registrations on the io_uring backend: the channels sit on an epoll set of the
 * loop's own, and the ring polls that set ({@code POLL_ADD} on the epoll descriptor). When the set
 * is readable the loop drains it with a non-blocking {@code epoll_wait} and calls the handlers,
 * inside the ring's completion dispatch; while drains keep yielding entries, the next one runs at
 * the end of the next poll instead (see {@link #afterDrain}), and an empty one puts the poll back
 * on the ring. Made on the first registration.
 *
 * <p><b>Why an epoll set, and not a {@code POLL_ADD} per channel.</b> A poll entry in flight holds
 * a reference to the channel's open file: closing the channel (the contract's way to cancel) would
 * free the descriptor number but keep the socket open, unseen by the peer, until the loop happened
 * to look at the channel again. An epoll item is dropped by the kernel when its file closes, so
 * closing cancels here exactly as on the epoll backend, and the three triggers are the kernel's
 * own: LEVEL (a level item that still holds is in every drain, one per loop iteration), EDGE ({@code EPOLLET}: every new arrival, hence NATIVE_EDGE) and ONESHOT
 * ({@code EPOLLONESHOT}). The cost is one {@code epoll_wait} per drain, paid by registrations
 * only: transports and servers never use the set.
 *
 * <p><b>Stale entries.</b> A drain is a batch. A registration added or modified while a batch is
 * dispatched may still have an entry in it from before the change (or the entry of a closed
 * channel whose number it reused): such entries are dropped; the kernel re-checks readiness on
 * ADD and MOD, so a condition that still holds is in the next batch.
 *
 * <p><b>Thread:</b> the loop thread only.
 */
final class UringReadiness implements UringFd.Owner, LoopResource {
    private static final int POLLIN = 0x1;
    private static final int BATCH = 256;

    private final UringPoller poller;
    private final LoopContext ctx;
    private final Map<SelectableChannel, UringRegistration> byChannel = new IdentityHashMap<>();
    private final FdIndex<UringRegistration> byFd = new FdIndex<>();
    private FileDescriptor epoll;
    private UringFd onRing;
    private EpollEventBatch events;
    private long batch;
    private boolean closed;
    private final Runnable drainAgain = () -> {
        if (!closed) {
            afterDrain(drain());
        }
    };

    UringReadiness(UringPoller poller) {
        this.poller = poller;
        this.ctx = poller.context();
    }

    LoopContext context() {
        return ctx;
    }

    /** The current batch: registrations note it when they change the set. */
    long batch() {
        return batch;
    }

    /** See {@link dev.roundhouse.loop.spi.Poller#register}. */
    Registration register(SelectableChannel channel, Interest interest, Trigger trigger, ReadinessHandler handler) {
        if (closed) {
            throw new IllegalStateException("the loop is closing");
        }
        UringRegistration old = byChannel.get(channel);
        if (old != null && !old.isCancelled()) {
            throw new IllegalArgumentException("channel is already registered on this loop: " + channel);
        }
        int fd = ChannelFds.of(channel);
        open();
        UringRegistration r = new UringRegistration(this, channel, fd, interest, trigger, handler);
        UringRegistration previous = byFd.claim(fd, r);
        if (previous != null) {
            previous.cancel(); // another channel had this number: it was closed, and the kernel dropped its item
        }
        byChannel.put(channel, r);
        try {
            r.start();
        } catch (RuntimeException e) {
            r.cancel(); // epoll_ctl refused (e.g. ENOSPC from max_user_watches): leave nothing behind
            throw e;
        }
        return r;
    }

    /** Makes the epoll set and puts its poll on the ring, once. */
    private void open() {
        if (epoll != null) {
            return;
        }
        EpollEventBatch batchArray = EpollEventBatch.open(BATCH);
        FileDescriptor set;
        try {
            set = EpollEventBatch.newEpoll();
        } catch (RuntimeException | Error e) {
            batchArray.free();
            throw e;
        }
        events = batchArray;
        epoll = set;
        onRing = new UringFd(poller, set, this);
        poller.resources().add(this);
        arm();
    }

    /** Polls the set for readability on the ring (one-shot, re-armed after each drain). */
    private void arm() {
        try {
            onRing.poll(POLLIN);
        } catch (IOException | RuntimeException e) {
            ctx.reportException("io_uring refused the poll of the readiness set; registrations get no more events", e);
        }
    }

    /** {@code epoll_ctl} ADD, or MOD for a descriptor that is in the set already. */
    void put(int fd, int mask, boolean inSet) throws IOException {
        if (inSet) {
            EpollEventBatch.modify(epoll, fd, mask);
        } else {
            EpollEventBatch.add(epoll, fd, mask);
        }
    }

    /** {@code epoll_ctl} DEL; for a descriptor whose channel is open (a closed one left the set with its file). */
    void remove(int fd) {
        try {
            EpollEventBatch.remove(epoll, fd);
        } catch (IOException ignored) {
            // not in the set any more: nothing to take out
        }
    }

    /** Drops a cancelled registration from the maps. */
    void forget(UringRegistration r) {
        byFd.release(r.fd(), r);
        byChannel.remove(r.channelUnchecked(), r);
    }

    /** The ring's poll of the set completed: drain the set and dispatch. */
    @Override
    public void completed(byte opcode, int res, int flags) {
        if (closed || res == UringOps.ECANCELED) {
            return;
        }
        if (res < 0) {
            ctx.reportException("io_uring poll of the readiness set", new IOException("poll failed: errno " + -res));
            arm();
            return;
        }
        afterDrain(drain());
    }

    /**
     * After a batch of {@code n}: while the set keeps yielding entries, the next drain is deferred
     * to the end of the next poll (which then does not block) instead of polling the set through
     * the ring again, so sustained readiness costs one {@code epoll_wait} per loop iteration, as
     * on the epoll backend; an empty drain puts the set's poll back on the ring.
     */
    private void afterDrain(int n) {
        if (closed) {
            return;
        }
        if (n > 0) {
            poller.defer(drainAgain);
        } else {
            arm();
        }
    }

    /** Drains the set and dispatches its entries; the number of entries, -1 if the wait failed. */
    private int drain() {
        int n;
        try {
            n = events.pollNow(epoll);
        } catch (IOException e) {
            ctx.reportException("epoll_wait on the readiness set", e);
            return -1;
        }
        long current = ++batch;
        for (int i = 0; i < n && !closed; i++) {
            int fd = events.fd(i);
            UringRegistration r = byFd.get(fd);
            if (r != null && r.changedIn() != current) {
                r.onEvents(events.events(i));
            }
        }
        return n;
    }

    /** The loop terminates: every registration is cancelled (no handler is called), the set closed. */
    @Override
    public void closeForShutdown(LoopClosedException cause) {
        if (closed) {
            return;
        }
        closed = true;
        for (UringRegistration r : new ArrayList<>(byChannel.values())) {
            r.cancel(); // leaves the set and both maps; no handler is called
        }
        if (onRing != null) {
            onRing.close(); // cancels the poll; the set's descriptor closes once the ring lets go
            events.free();
        }
    }
}
