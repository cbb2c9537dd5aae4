package dev.roundhouse.loop.internal;

/**
 * How long one wait of a native poller may block, in the shape of Netty's
 * {@code IoHandlerContext} ({@link #canBlock()}, {@link #delayNanos(long)}, {@link #deadlineNanos()}),
 * so that a backend driving a Netty {@code IoHandler} from our loop thread only adds
 * {@code implements IoHandlerContext} to a subclass. Our engine decides (its timers and tasks);
 * the handler only waits.
 *
 * <p><b>Lost wakeups.</b> Netty's handlers may drop a wakeup that comes before they publish that
 * they are about to wait (epoll), and they ask {@link #canBlock()} again right after publishing.
 * {@link #requestWakeup()} records the request first, and {@code canBlock()} answers {@code false}
 * once it is recorded. The request is consumed after the run ({@link #consumeWakeup()}): a request
 * made during it either stopped the wait or arrived after the wait ended.
 *
 * <p><b>Thread:</b> {@link #requestWakeup()} any thread; the rest on the loop thread.
 */
public class WaitWindow {
    /** Netty's "no deadline" and "awake" markers; a real deadline must never equal them. */
    private static final long NO_DEADLINE = -1L;

    private volatile boolean wakeupRequested;
    private long timeoutNanos;
    private long deadlineNanos;

    /** Sets up the next run: 0 polls, -1 waits until an event or a wakeup, else at most that long. */
    public final void prepare(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
        if (timeoutNanos > 0) {
            long now = System.nanoTime();
            long deadline = timeoutNanos > Long.MAX_VALUE - now ? Long.MAX_VALUE - 1 : now + timeoutNanos;
            deadlineNanos = deadline == NO_DEADLINE || deadline == Long.MAX_VALUE ? deadline - 1 : deadline;
        }
    }

    /** Any thread: the current or next run must not block. */
    public final void requestWakeup() {
        wakeupRequested = true;
    }

    /** After a run: the request has been served. */
    public final void consumeWakeup() {
        if (wakeupRequested) {
            wakeupRequested = false;
        }
    }

    /** Whether the run may block: a timeout other than 0 and no wakeup requested. */
    public final boolean canBlock() {
        return timeoutNanos != 0 && !wakeupRequested;
    }

    /** Nanoseconds left until the deadline at {@code currentTimeNanos} ({@code Long.MAX_VALUE}: none). */
    public final long delayNanos(long currentTimeNanos) {
        return timeoutNanos < 0 ? Long.MAX_VALUE : Math.max(0, deadlineNanos - currentTimeNanos);
    }

    /** The deadline in {@link System#nanoTime()} terms, or -1 for none. */
    public final long deadlineNanos() {
        return timeoutNanos < 0 ? NO_DEADLINE : deadlineNanos;
    }
}
