package dev.roundhouse.loop.unix;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.ReadinessHandler;
import dev.roundhouse.loop.Trigger;
import dev.roundhouse.loop.internal.ChannelRegistration;
import dev.roundhouse.loop.spi.LoopContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectableChannel;

/**
 * A JDK channel's descriptor on an epoll set, every trigger native (the epoll backend's set, or the
 * one the io_uring backend's ring polls):
 * <ul>
 *   <li>LEVEL: the interest mask as is.</li>
 *   <li>EDGE: the mask with {@code EPOLLET}, so every new arrival is reported even without a drain
 *       (NATIVE_EDGE). {@link #rearm()} submits the mask again, which makes the kernel re-check
 *       readiness (a still-ready channel is reported once more, as on the emulating backends);
 *       {@link #read}/{@link #write} are plain channel calls.</li>
 *   <li>ONESHOT: the mask with {@code EPOLLONESHOT}: the kernel disables the descriptor after one
 *       event until {@link #rearm()} submits the mask again.</li>
 * </ul>
 * {@link Interest#NONE} takes the descriptor out of the set (one left in with an empty mask still
 * reports errors and hang-ups, and spins). The descriptor is the JDK channel's: never closed here; a
 * closed channel counts as cancelled. A backend says how the set is changed.
 *
 * <p><b>Thread:</b> loop thread only.
 */
public abstract class EpollSetRegistration extends ChannelRegistration {
    /** ONESHOT only: the kernel holds an armed mask (no event delivered since the last submit). */
    private boolean oneshotArmed;

    protected EpollSetRegistration(LoopContext ctx, SelectableChannel channel, Interest interest, Trigger trigger,
                                   ReadinessHandler handler) {
        super(ctx, channel, interest, trigger, handler);
    }

    /** Puts the descriptor in the set with {@code mask} (not 0), or submits it again if it is in. */
    protected abstract void submit(int mask) throws IOException;

    /** Takes the descriptor out of the set, if it is in (not for a closed channel: the kernel did). */
    protected abstract void leaveSet();

    /** Whether the descriptor is in the set. */
    protected abstract boolean inSet();

    /** Drops the registration from the poller's maps, once cancelled. */
    protected abstract void forget();

    /** Puts the initial interest on the set. */
    public final void start() {
        apply();
    }

    /** The kernel reported {@code events} ({@code EPOLL*} bits) for the descriptor. Loop thread. */
    public final void onEvents(int events) {
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
            oneshotArmed = false; // the kernel disabled the descriptor with this event
        }
        Interest ready = EpollEvents.ready(events, interest);
        if (!ready.isEmpty()) {
            deliver(ready);
        }
    }

    /** Submits the current interest (arming ONESHOT); a closed channel cancels instead. */
    private void apply() {
        int mask = EpollEvents.mask(interest, trigger);
        try {
            if (mask == 0) {
                leaveSet();
            } else {
                submit(mask);
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

    @Override
    public final void setInterest(Interest next) {
        ctx.checkInLoop("Registration.setInterest");
        requireActive();
        if (next == interest && (trigger != Trigger.ONESHOT || oneshotArmed) && (inSet() || next.isEmpty())) {
            return;
        }
        interest = next;
        apply();
    }

    @Override
    public final void rearm() {
        ctx.checkInLoop("Registration.rearm");
        requireActive();
        if (trigger == Trigger.ONESHOT && oneshotArmed || trigger == Trigger.LEVEL || interest.isEmpty()) {
            return; // idempotent while armed; nothing to re-arm for LEVEL or NONE
        }
        apply();
    }

    @Override
    public final void cancel() {
        ctx.checkInLoop("Registration.cancel");
        if (!cancelled) {
            cancelled = true;
            leaveSet();
            forget();
        }
    }
}
