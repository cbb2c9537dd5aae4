package dev.roundhouse.loop;

/**
 * A callback scheduled with {@link EventLoop#schedule}, {@link EventLoop#callLater} or
 * {@link EventLoop#callAt}.
 *
 * <p><b>Thread:</b> any thread. Cancelling lets go of the task at once and removes the timer from
 * the loop's queue (O(log n) on the loop thread; a timer scheduled or cancelled from another thread
 * leaves the loop's bookkeeping within a bounded number of further such operations, or when it
 * would have been due), so cancelled timers do not pile up.
 */
public interface TimerHandle {

    /**
     * Cancels the callback if it has not started. Idempotent; any thread.
     *
     * @return {@code true} if this call cancelled it, {@code false} if it had already run,
     *     started, or been cancelled
     */
    boolean cancel();

    /** Whether {@link #cancel()} succeeded, or the loop closed before the timer fired. */
    boolean isCancelled();

    /** Whether the callback has started running. */
    boolean isDone();

    /** The deadline on the {@link EventLoop#time()} clock, in nanoseconds. */
    long deadlineNanos();
}
