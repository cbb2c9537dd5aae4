package dev.roundhouse.loop.epoll;

import io.netty.channel.IoHandlerContext;

/**
 * What one {@code IoHandler.run} may do: block or not, and until when. Our engine decides (its
 * timers and tasks); Netty's handler only waits.
 *
 * <p><b>Lost wakeups.</b> Netty's {@code wakeup()} only writes the eventfd once the handler has
 * published that it is about to wait; a wakeup that comes earlier is dropped. The handler asks
 * {@link #canBlock()} again right after publishing, so {@link #requestWakeup()} records the request
 * first and {@code canBlock()} answers {@code false} once it is recorded. The request is consumed
 * after the run: a request made during it either stopped the wait or arrived after the wait ended.
 *
 * <p><b>Thread:</b> {@link #requestWakeup()} any thread; the rest on the loop thread.
 */
final class EpollWaitContext implements IoHandlerContext {
    /** Netty's "no deadline" and "awake" markers; a real deadline must never equal them. */
    private static final long NO_DEADLINE = -1L;

    private volatile boolean wakeupRequested;
    private long timeoutNanos;
    private long deadlineNanos;

    /** Sets up the next run: 0 polls, -1 waits until an event or a wakeup. */
    void prepare(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
        if (timeoutNanos > 0) {
            long now = System.nanoTime();
            long deadline = timeoutNanos > Long.MAX_VALUE - now ? Long.MAX_VALUE - 1 : now + timeoutNanos;
            deadlineNanos = deadline == NO_DEADLINE || deadline == Long.MAX_VALUE ? deadline - 1 : deadline;
        }
    }

    /** Any thread: the current or next run must not block. */
    void requestWakeup() {
        wakeupRequested = true;
    }

    /** After a run: the request has been served. */
    void consumeWakeup() {
        if (wakeupRequested) {
            wakeupRequested = false;
        }
    }

    @Override
    public boolean canBlock() {
        return timeoutNanos != 0 && !wakeupRequested;
    }

    @Override
    public long delayNanos(long currentTimeNanos) {
        return timeoutNanos < 0 ? Long.MAX_VALUE : Math.max(0, deadlineNanos - currentTimeNanos);
    }

    @Override
    public long deadlineNanos() {
        return timeoutNanos < 0 ? NO_DEADLINE : deadlineNanos;
    }
}
