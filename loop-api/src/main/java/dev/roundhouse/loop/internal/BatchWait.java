package dev.roundhouse.loop.internal;

/**
 * How long the loop lets its task queue fill before the next step, while it runs right behind a
 * producer thread.
 *
 * <p><b>Why.</b> When one thread hands tasks to a loop as fast as it can, the loop can drain the
 * queue faster than the producer fills it. It then takes one or two tasks per step, and each look
 * at the queue reads the cache lines the producer is writing (its index and the slots). Each look
 * forces the producer's next write to fetch the line back from the loop's core, which slows the
 * producer, so the loop finds even fewer tasks per look: a stable slow state. Measured on 2 cores
 * (JMH {@code ExecuteBenchmark.executeThroughput}, 6-8 forks): iocp, whose non-blocking poll is
 * one atomic swap, settled there in every fork (10-15 tasks/µs, about 1,000 steps per 1,000
 * tasks); epoll, whose non-blocking poll is a system call that lets ~40 tasks pile up, fell into
 * it in 2 of 6 forks (17-20 tasks/µs). Waiting briefly before a step that would find a short batch
 * lets the producer fill whole lines first: iocp 76 and epoll 73 tasks/µs (8 and 6 forks, means).
 *
 * <p><b>Rule.</b> After a step that ran tasks, if tasks from other threads are already waiting, the
 * loop waits {@link #nanos()} before the next step. The wait adapts at each such step: fewer than
 * {@link #SHORT_BATCH} tasks run double it (from {@link #MIN_NANOS} up to {@link #MAX_NANOS}),
 * more halve it, so a loop behind a steady producer converges on steps of about
 * {@code SHORT_BATCH} tasks. No wait when the queue is empty (the loop polls, and sleeps if
 * nothing comes), when only the loop's own tasks wait (a task that re-queues itself, asyncio's
 * {@code call_soon} pattern, has no producer to wait for and would only be slowed), or after a step
 * driven only by I/O or timers. The cost: while other threads keep the queue non-empty, a task or
 * an I/O event waits at most {@code MAX_NANOS} longer than it would.
 *
 * <p><b>Thread:</b> the loop thread only (plain fields).
 */
final class BatchWait {
    /** A step running fewer tasks than this, with more queued, is chasing the producer. */
    static final int SHORT_BATCH = 64;
    /** The first wait: about one non-blocking epoll_wait or selectNow on this machine. */
    static final long MIN_NANOS = 500;
    /** The longest wait ({@code MIN_NANOS} doubled three times). */
    static final long MAX_NANOS = 4_000;

    private long nanos;
    /**
     * Tasks the loop queued itself since the current step took its snapshot of the queue: exactly
     * the loop's own share of what waits after the step.
     */
    private long selfQueued;
    private long waits;

    /** Marks the start of a step's tasks (the queue snapshot): the loop's own count restarts. */
    void stepStarted() {
        selfQueued = 0;
    }

    /** Counts a task queued by the loop thread itself. */
    void selfQueued() {
        selfQueued++;
    }

    /** The tasks the loop thread queued since the current step took its snapshot of the queue. */
    long selfQueuedInStep() {
        return selfQueued;
    }

    /**
     * Ends a step that ran {@code tasksRun} tasks and left {@code waiting} queued (the loop's own
     * among them); returns how long to wait before the next step (0: go on at once).
     *
     * @throws IllegalArgumentException if {@code tasksRun} is not positive (a step that ran no task
     *     is not a batch) or {@code waiting} is negative
     */
    long afterStep(int tasksRun, long waiting) {
        if (tasksRun <= 0 || waiting < 0) {
            throw new IllegalArgumentException("a batch has at least one task and nothing waits a "
                    + "negative number of times, got " + tasksRun + " run and " + waiting + " waiting");
        }
        if (waiting <= selfQueued) {
            return 0; // nothing from another thread waits: no producer to let ahead
        }
        if (tasksRun < SHORT_BATCH) {
            nanos = nanos == 0 ? MIN_NANOS : Math.min(MAX_NANOS, nanos * 2);
        } else {
            nanos = nanos / 2 < MIN_NANOS ? 0 : nanos / 2;
        }
        return nanos;
    }

    /** Ends a step as {@link #afterStep} does and busy-waits the time it returns. */
    void waitAfterStep(int tasksRun, long waiting) {
        long wait = afterStep(tasksRun, waiting);
        if (wait != 0) {
            waits++;
            pause(wait);
        }
    }

    /** How many times {@link #waitAfterStep} waited. */
    long waits() {
        return waits;
    }

    /** The current wait; 0 until a short batch was seen. */
    long nanos() {
        return nanos;
    }

    /** Busy-waits {@code nanos} (spin-wait hints, no system call: the waits are microseconds). */
    static void pause(long nanos) {
        long end = System.nanoTime() + nanos;
        do {
            Thread.onSpinWait();
        } while (System.nanoTime() - end < 0);
    }
}
