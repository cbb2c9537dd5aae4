package dev.roundhouse.loop;

import java.nio.channels.SelectableChannel;

/**
 * A channel registered for readiness on one loop: (channel, interest, trigger, handler).
 *
 * <p>Lifecycle: active from {@link EventLoop#register} until {@link #cancel()} or until the
 * channel is closed (closing a channel cancels its registration). Once {@code cancel()} has
 * returned, the handler is never called again for this registration, even if its event is
 * already in the batch being dispatched.
 *
 * <p><b>Thread:</b> every method is loop-thread-only; from another thread it throws
 * {@link LoopAffinityException}. Use {@link EventLoop#execute} to cross threads.
 */
public interface Registration {

    /** The registered channel. Loop thread only. */
    SelectableChannel channel();

    /** The current interest set. Loop thread only. */
    Interest interest();

    /** The trigger mode chosen at registration. Loop thread only. */
    Trigger trigger();

    /**
     * Replaces the interest set. {@link Interest#NONE} keeps the registration but removes the
     * channel from the OS set (so it cannot spin). With {@link Trigger#ONESHOT} the new interest
     * is armed. Loop thread only.
     *
     * @throws IllegalStateException if the registration is cancelled
     */
    void setInterest(Interest interest);

    /**
     * Re-enables a {@link Trigger#ONESHOT} registration after its notification; a channel that is
     * still ready is reported promptly. For LEVEL and EDGE it is a no-op. Idempotent while armed.
     * Loop thread only.
     *
     * @throws IllegalStateException if the registration is cancelled
     */
    void rearm();

    /**
     * Removes the registration. Idempotent. After it returns the handler is never called again
     * for this registration. Does not close the channel. Loop thread only.
     */
    void cancel();

    /** Whether the registration is still active (not cancelled, channel open). Loop thread only. */
    boolean isActive();
}
