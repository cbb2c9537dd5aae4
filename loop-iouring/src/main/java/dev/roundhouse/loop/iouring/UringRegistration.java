package dev.roundhouse.loop.iouring;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.ReadinessHandler;
import dev.roundhouse.loop.Registration;
import dev.roundhouse.loop.Trigger;
import dev.roundhouse.loop.spi.LoopContext;
import dev.roundhouse.loop.unix.EpollEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A user registration on the io_uring backend: a JDK channel's descriptor on the loop's
 * {@link UringReadiness} epoll set, with the epoll backend's semantics (every trigger native):
 * <ul>
 *   <li>LEVEL: the interest mask as is.</li>
 *   <li>EDGE: the mask with {@code EPOLLET}: every new arrival is reported even without a drain
 *       (NATIVE_EDGE). {@link #rearm()} submits the mask again, which makes the kernel re-check
 *       readiness; {@link #read}/{@link #write} are plain channel calls.</li>
 *   <li>ONESHOT: the mask with {@code EPOLLONESHOT}: one event, then the kernel disables the item
 *       until {@link #rearm()} submits the mask again.</li>
 * </ul>
 * {@link Interest#NONE} takes the descriptor out of the set (an item with an empty mask still
 * reports errors and hang-ups, and would spin). The descriptor is the JDK channel's: this class
 * never closes it, and treats a closed channel as cancelled.
 *
 * <p><b>Thread:</b> loop thread only; every public method checks it.
 */
final class UringRegistration implements Registration {
    private final UringReadiness set;
    private final LoopContext ctx;
    private final SelectableChannel channel;
    private final int fd;
    private final Trigger trigger;
    private final ReadinessHandler handler;
    private Interest interest;
    private boolean inSet;
    /** ONESHOT only: the kernel holds an armed item (no event delivered since the last submit). */
    private boolean oneshotArmed;
    private boolean cancelled;
    /** The batch in which the set last changed for this descriptor; its entries in that batch are stale. */
    private long changedIn = -1;

    UringRegistration(UringReadiness set, SelectableChannel channel, int fd, Interest interest, Trigger trigger,
                      ReadinessHandler handler) {
        this.set = set;
        this.ctx = set.context();
        this.channel = channel;
        this.fd = fd;
        this.interest = interest;
        this.trigger = trigger;
        this.handler = handler;
    }

    /** Puts the initial interest on the set. */
    void start() {
        apply();
    }

    int fd() {
        return fd;
    }

    long changedIn() {
        return changedIn;
    }

    SelectableChannel channelUnchecked() {
        return channel;
    }

    boolean isCancelled() {
        return cancelled;
    }

    /** The kernel reported {@code events} ({@code EPOLL*} bits) for this descriptor. Never throws. */
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
            oneshotArmed = false; // the kernel disabled the item with this event
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

    /** Another channel now has this descriptor number, so this one's channel was closed. */
    void evict() {
        cancel();
    }

    /** The loop terminates: leave the set; no handler is called. */
    void cancelForShutdown() {
        cancel();
    }

    /** Submits the current interest (arming ONESHOT); a closed channel cancels instead. */
    private void apply() {
        int mask = EpollEvents.mask(interest, trigger);
        try {
            if (mask == 0) {
                leaveSet();
            } else {
                set.put(fd, mask, inSet);
                inSet = true;
                changedIn = set.batch();
            }
            oneshotArmed = trigger == Trigger.ONESHOT && mask != 0;
        } catch (IOException e) {
            if (!channel.isOpen()) {
                cancel();
                return;
            }
            throw new UncheckedIOException("epoll_ctl failed for " + channel, e);
        }
    }

    /** Takes the descriptor out of the set, unless its channel is closed (the kernel did). */
    private void leaveSet() {
        if (inSet) {
            inSet = false;
            if (channel.isOpen()) {
                set.remove(fd);
            }
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
        if (next == interest && (trigger != Trigger.ONESHOT || oneshotArmed) && (inSet || next.isEmpty())) {
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
            leaveSet();
            set.forget(this);
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

    @Override
    public String toString() {
        return "UringRegistration[fd " + fd + ", " + channel + ", " + interest + ", " + trigger + "]";
    }
}
