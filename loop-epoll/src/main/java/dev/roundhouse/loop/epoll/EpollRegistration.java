package dev.roundhouse.loop.epoll;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.ReadinessHandler;
import dev.roundhouse.loop.Trigger;
import dev.roundhouse.loop.unix.EpollSetRegistration;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.nio.channels.SelectableChannel;

/**
 * A user registration on the epoll backend: a JDK channel's descriptor on the loop's epoll set
 * through Netty's {@code EpollIoHandler}, with the semantics of {@link EpollSetRegistration}. Its
 * {@link EpollHandle} (the fd index, stale entries of the batch being dispatched) is a member: the
 * ONESHOT mask passes through {@code EpollIoOps.valueOf}, and Netty skips {@code EPOLL_CTL_DEL}
 * for a closed channel (see {@link ChannelDescriptor}).
 *
 * <p><b>Thread:</b> loop thread only; every public method checks it.
 */
final class EpollRegistration extends EpollSetRegistration {
    private final EpollPoller poller;
    private final Handle handle;

    EpollRegistration(EpollPoller poller, SelectableChannel channel, int fd, Interest interest, Trigger trigger,
                      ReadinessHandler handler) {
        super(poller.context(), channel, interest, trigger, handler);
        this.poller = poller;
        this.handle = new Handle(poller, new ChannelDescriptor(fd, channel));
    }

    /** The descriptor's handle on the epoll set (the poller indexes it by fd number). */
    EpollHandle handle() {
        return handle;
    }

    @Override
    protected void submit(int mask) throws IOException {
        handle.submit(mask);
    }

    @Override
    protected void leaveSet() {
        handle.removeFromSet(); // no syscall for a closed channel: Netty checks fd().isOpen()
    }

    @Override
    protected boolean inSet() {
        return handle.inSet();
    }

    @Override
    protected void forget() {
        poller.forget(this);
    }

    @Override
    public String toString() {
        return "EpollRegistration[fd " + handle.fdValue() + ", " + channel + ", " + interest + ", " + trigger + "]";
    }

    /** The registration's side of the epoll set. */
    private final class Handle extends EpollHandle {
        Handle(EpollPoller poller, FileDescriptor fd) {
            super(poller, fd);
        }

        @Override
        void onEvents(int events) {
            EpollRegistration.this.onEvents(events);
        }

        @Override
        void evict() {
            cancel();
        }

        @Override
        public String toString() {
            return EpollRegistration.this.toString();
        }
    }

    /**
     * The JDK channel's descriptor as Netty sees it: open exactly while the channel is, so that
     * Netty skips EPOLL_CTL_DEL on a closed (possibly reused) fd number, and never closed by us.
     */
    private static final class ChannelDescriptor extends FileDescriptor {
        private final SelectableChannel channel;

        ChannelDescriptor(int fd, SelectableChannel channel) {
            super(fd);
            this.channel = channel;
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() {
            // the JDK channel owns the descriptor
        }
    }
}
