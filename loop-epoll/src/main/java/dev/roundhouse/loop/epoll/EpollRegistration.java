package dev.roundhouse.loop.epoll;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.ReadinessHandler;
import dev.roundhouse.loop.Registration;
import dev.roundhouse.loop.Trigger;
import dev.roundhouse.loop.spi.LoopContext;
import dev.roundhouse.loop.unix.EpollEvents;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A user registration: a JDK channel's descriptor on the epoll set. Every trigger is native:
 * <ul>
 *   <li>LEVEL: the interest mask as is.</li>
 *   <li>EDGE: the mask with EPOLLET, so every new arrival is reported even without a drain
 *       (NATIVE_EDGE). {@link #rearm()} re-submits the mask, which makes the kernel re-check
 *       readiness (a still-ready channel is reported once more, as on the emulating backends);
 *       {@link #read}/{@link #write} are plain channel calls.</li>
 *   <li>ONESHOT: the mask with EPOLLONESHOT, passed through {@code EpollIoOps.valueOf}: the kernel
 *       disables the fd after one event until {@link #rearm()} submits the mask again.</li>
 * </ul>
 * {@link Interest#NONE} removes the fd from the set. The channel's descriptor is owned by the JDK
 * channel: this class never closes it, and treats a closed channel as cancelled.
 */
final class EpollRegistration extends EpollHandle implements Registration {
    private final LoopContext ctx;
    private final SelectableChannel channel;
    private final Trigger trigger;
    private final ReadinessHandler handler;
    private Interest interest;
    /** ONESHOT only: the kernel holds an armed mask (no event delivered since the last submit). */
    private boolean oneshotArmed;
    private boolean cancelled;

    EpollRegistration(EpollPoller poller, SelectableChannel channel, int fd, Interest interest, Trigger trigger,
                      ReadinessHandler handler) {
        super(poller, new ChannelDescriptor(fd, channel));
        this.ctx = poller.context();
        this.channel = channel;
        this.trigger = trigger;
        this.handler = handler;
        this.interest = interest;
    }

    /** Puts the initial interest on the set. */
    void start() {
        apply();
    }

    @Override
    void onEvents(int events) {
        if (cancelled) {
            return;
        }
        if (!channel.isOpen()) {
            cancel(); // closing cancels
            return;
        }
        if (trigger == Trigger.ONESHOT) {
            if (!oneshotArmed) {
                return;
            }
            oneshotArmed = false; // the kernel disabled the fd with this event
        }
        Interest ready = EpollEvents.ready(events, interest);
        if (ready.isEmpty()) {
            return;
        }
        ctx.enterCallback(handler);
        try {
            handler.onReady(this, ready);
        } catch (Throwable t) {
            ctx.reportException("onReady of " + handler.getClass().getSimpleName(), t);
            cancel();
        }
    }

    @Override
    void evict() {
        cancel();
    }

    /** Submits the current interest (arming ONESHOT); a closed channel cancels instead. */
    private void apply() {
        int mask = EpollEvents.mask(interest, trigger);
        try {
            submit(mask);
            oneshotArmed = trigger == Trigger.ONESHOT && mask != 0;
        } catch (IOException e) {
            if (!channel.isOpen()) {
                cancel();
                return;
            }
            throw new UncheckedIOException("epoll_ctl failed for " + channel, e);
        }
    }

    @Override
    public SelectableChannel channel() {
        ctx.checkInLoop("Registration.channel");
        return channel;
    }

    @Override
    public Interest interest() {
        ctx.checkInLoop("Registration.interest");
        return interest;
    }

    @Override
    public Trigger trigger() {
        ctx.checkInLoop("Registration.trigger");
        return trigger;
    }

    @Override
    public void setInterest(Interest next) {
        ctx.checkInLoop("Registration.setInterest");
        requireActive();
        if (next == interest && (trigger != Trigger.ONESHOT || oneshotArmed) && (inSet() || next.isEmpty())) {
            return;
        }
        interest = next;
        apply();
    }

    @Override
    public void rearm() {
        ctx.checkInLoop("Registration.rearm");
        requireActive();
        if (trigger == Trigger.ONESHOT && oneshotArmed || trigger == Trigger.LEVEL || interest.isEmpty()) {
            return; // idempotent while armed; nothing to re-arm for LEVEL or NONE
        }
        apply();
    }

    @Override
    public void cancel() {
        ctx.checkInLoop("Registration.cancel");
        if (!cancelled) {
            cancelled = true;
            removeFromSet();
            poller.forget(this);
        }
    }

    @Override
    public boolean isActive() {
        ctx.checkInLoop("Registration.isActive");
        return !cancelled && channel.isOpen();
    }

    private void requireActive() {
        if (!cancelled && !channel.isOpen()) {
            cancel();
        }
        if (cancelled) {
            throw new IllegalStateException("registration is cancelled: " + channel);
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ctx.checkInLoop("Registration.read");
        if (!(channel instanceof ReadableByteChannel)) {
            throw new IllegalArgumentException("channel cannot be read: " + channel);
        }
        return ((ReadableByteChannel) channel).read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        ctx.checkInLoop("Registration.write");
        if (!(channel instanceof WritableByteChannel)) {
            throw new IllegalArgumentException("channel cannot be written: " + channel);
        }
        return ((WritableByteChannel) channel).write(src);
    }

    SelectableChannel channelUnchecked() {
        return channel;
    }

    boolean isCancelled() {
        return cancelled;
    }

    @Override
    public String toString() {
        return "EpollRegistration[fd " + fdValue() + ", " + channel + ", " + interest + ", " + trigger + "]";
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
