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
 * next step starts no sooner than {@link #nanos()} after this one ended ({@link #planAfterStep});
 * the loop's non-blocking poll, and the I/O it dispatches, run first, inside that time
 * ({@link #awaitPlanned} waits out the rest). The same holds after a step that stopped at a slot
 * another thread had claimed but not yet stored, even one that ran no task: without a wait the loop
 * came straight back to that slot, and with a poll that makes no system call (io_uring, iocp) it
 * read the slot's line again and again while the producer was writing it. Counted on
 * {@code TimerBenchmark.scheduleCancelCrossThreadPipelined}'s pattern: 20-475 steps per 1,000
 * operations on iocp, most of them such empty steps, against 13-16 on epoll, whose poll is a system
 * call; with the rule 12-17 on iocp and io_uring, and the throughput within its noise (docs/benchmark-history.md).
 * So the spacing between two looks at the queue is the same whatever a backend's poll costs. With a
 * 4 µs pause after the poll instead, io_uring and iocp, whose non-blocking poll makes no system
 * call, took ~30 steps per 1,000 cross-thread timer
 * operations against ~15-18 on epoll and nio, whose poll is a system call of a few µs here, and
 * the producer, whose lines each step reads, ran 30-40 % slower per operation there. Measured
 * (JMH {@code TimerBenchmark.scheduleCancelCrossThread}, 3 forks, old and new alternated, two
 * rounds): io_uring 5.5 and 7.1 to 6.1 and 8.1 ops/µs, epoll 7.8 and 7.8 to 9.6 and 9.0, iocp
 * 7.0 and 5.9 to 6.2 and 6.3; execute throughput unchanged within its noise. The wait adapts at
 * each such step: fewer than {@link #SHORT_BATCH} tasks run double it (from {@link #MIN_NANOS} up
 * to {@link #MAX_NANOS}), more halve it, so a loop behind a steady producer converges on steps of
 * about {@code SHORT_BATCH} tasks. No wait when the queue is empty (the loop polls, and sleeps if
 * nothing comes), when only the loop's own tasks wait (a task that re-queues itself, asyncio's
 * {@code call_soon} pattern, has no producer to wait for and would only be slowed), or after a step
 * driven only by I/O or timers. The cost: while other threads keep the queue non-empty, a task or
 * an I/O event waits at most {@code MAX_NANOS} longer than it would.
 *
 * <p><b>How it waits.</b> {@link #awaitPlanned} first gives the processor away once
 * ({@link Thread#yield}, a {@code sched_yield} system call), then busy-waits what is left. The
 * loop's busy-waiting in user mode slowed the producer on the other core by half on this 2-vCPU VM:
 * in one JVM, switching the way of waiting every second (pipelined schedule + cancel from another
 * thread, 5 s each), the plain busy wait ran iocp at 6.3-8.3 ops/µs and io_uring at 6.4-7.1; a
 * yield first 11.8-13.9 and 11.4-12.9; an {@code fstat} call instead of the yield the same as the
 * yield; a loop of yields for the whole wait no better than one; a busy wait without spin-wait
 * hints, or 1 µs longer, no better than the plain one; parking the whole wait (50 µs or more:
 * Linux's timer slack) 15.7-17.9, but then a task waits 50 µs, not 8. So it is the spinning
 * itself, not the wait's length, and any system call relieves it; epoll's and nio's non-blocking polls are
 * system calls, which is why they suffered less. Where the loop shares its processor with other
 * runnable threads (the producer among them), the yield also lets them run during a wait that is
 * there for the producer to get ahead. The cost: one yield per planned wait that its poll has not
 * already used up (1.5 µs here, a VM with page-table isolation), and a yield that returns late,
 * because another thread took the processor, is not made up for.
 *
 * <p><b>Thread:</b> the loop thread only (plain fields).
 */
final class BatchWait {
    /** A step running fewer tasks than this, with more queued, is chasing the producer. */
    static final int SHORT_BATCH = 64;
    /** The first wait: about one non-blocking epoll_wait or selectNow on this machine. */
    static final long MIN_NANOS = 500;
    /**
     * The longest wait ({@code MIN_NANOS} doubled four times): about the 4 µs pause plus the
     * system-call poll that epoll's and nio's steps took when the wait was a pause after the step.
     */
    static final long MAX_NANOS = 8_000;

    /** Run once at the start of each planned wait: gives the processor away ({@link Thread#yield}). */
    private final Runnable relinquish;
    private long nanos;
    /** When the planned wait ends ({@link System#nanoTime()}); meaningful while {@link #planned}. */
    private long until;
    private boolean planned;
    /**
     * Tasks the loop queued itself since the current step took its snapshot of the queue: exactly
     * the loop's own share of what waits after the step.
     */
    private long selfQueued;
    private long waits;

    BatchWait() {
        this(Thread::yield);
    }

    /** With {@code relinquish} run at the start of each planned wait instead of a yield (tests). */
    BatchWait(Runnable relinquish) {
        this.relinquish = relinquish;
    }

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
     * among them); returns how long to wait before the next step (0: go on at once). A step that
     * ran no task because the first slot was still in transit passes 0: a short batch.
     *
     * @throws IllegalArgumentException if {@code tasksRun} or {@code waiting} is negative
     */
    long afterStep(int tasksRun, long waiting) {
        if (tasksRun < 0 || waiting < 0) {
            throw new IllegalArgumentException("a step runs and leaves a count of tasks, not a negative "
                    + "one, got " + tasksRun + " run and " + waiting + " waiting");
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

    /**
     * Ends a step as {@link #afterStep} does and plans the wait it returns, counted from now: the
     * loop polls (without blocking), then {@link #awaitPlanned()} waits out whatever is left.
     */
    void planAfterStep(int tasksRun, long waiting) {
        long wait = afterStep(tasksRun, waiting);
        if (wait != 0) {
            waits++;
            until = System.nanoTime() + wait;
            planned = true;
        }
    }

    /**
     * Waits until the planned wait has passed (returns at once if none is planned or it has): yields
     * the processor once, then busy-waits whatever is left. A yield that returns late is not made up
     * for; it returns at once on an otherwise idle processor.
     */
    void awaitPlanned() {
        if (planned) {
            planned = false;
            if (System.nanoTime() - until < 0) {
                relinquish.run();
                while (System.nanoTime() - until < 0) {
                    Thread.onSpinWait();
                }
            }
        }
    }

    /** How many times {@link #planAfterStep} planned a wait. */
    long waits() {
        return waits;
    }

    /** The current wait; 0 until a short batch was seen. */
    long nanos() {
        return nanos;
    }
}
