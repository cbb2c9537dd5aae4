package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.spi.LoopContext;

/**
 * How long one wait of a native poller may block, in the shape of Netty's
 * {@code IoHandlerContext} ({@link #canBlock()}, {@link #delayNanos(long)}, {@link #deadlineNanos()}),
 * so that a backend driving a Netty {@code IoHandler} from our loop thread only adds
 * {@code implements IoHandlerContext} to a subclass. Our engine decides (its timers and tasks);
 * the handler only waits.
 *
 * <p><b>Lost wakeups.</b> Netty's handlers may drop a wakeup that comes before they publish that
 * they are about to wait (epoll), and they ask {@link #canBlock()} again right after publishing.
 * {@code canBlock()} answers with the engine's own sleep flag ({@link LoopContext#mayBlock()}),
 * which a waking thread clears before it calls the poller's {@code wakeup()}; so a wakeup costs the
 * waker and the woken loop no shared memory beyond that flag and the handler's own. Until
 * 2026-12-05 this class kept a flag of its own, set by the waker and cleared after each run: one
 * more cache line crossing cores per wakeup, read by the loop on its way from the wait to the task.
 * Dropping it moved no figure (JMH {@code wakeupLatency}, 6 alternated forks each, JDK 17 and
 * Temurin 25: epoll p50 7.60 and 7.74 &micro;s against 7.53 and 7.62 before, io_uring 9.58 and 9.55
 * against 9.55 and 9.65); it stays dropped as the simpler protocol: one flag, one writer per wakeup.
 *
 * <p><b>Thread:</b> the loop thread.
 */
public class WaitWindow {
    /** Netty's "no deadline" and "awake" markers; a real deadline must never equal them. */
    private static final long NO_DEADLINE = -1L;

    private final LoopContext ctx;
    private long timeoutNanos;
    private long deadlineNanos;

    /** A window that asks {@code ctx} whether a wakeup has been requested. */
    public WaitWindow(LoopContext ctx) {
        this.ctx = ctx;
    }

    /** Sets up the next run: 0 polls, -1 waits until an event or a wakeup, else at most that long. */
    public final void prepare(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
        if (timeoutNanos > 0) {
            long now = System.nanoTime();
            long deadline = timeoutNanos > Long.MAX_VALUE - now ? Long.MAX_VALUE - 1 : now + timeoutNanos;
            deadlineNanos = deadline == NO_DEADLINE || deadline == Long.MAX_VALUE ? deadline - 1 : deadline;
        }
    }

    /** Whether the run may block: a timeout other than 0 and no wakeup requested. */
    public final boolean canBlock() {
        return timeoutNanos != 0 && ctx.mayBlock();
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
