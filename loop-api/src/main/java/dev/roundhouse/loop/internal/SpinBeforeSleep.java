package dev.roundhouse.loop.internal;

/**
 * How long the loop polls its task queue before it blocks, after a step that ran tasks: a fixed
 * time, or (the default) a time that adapts to how the loop's recent sleeps ended.
 *
 * <p><b>Why adapt.</b> A loop fed in bursts by another thread finds its queue empty at the end of
 * each burst and blocks; the next burst then pays a wake-up (a system call in the producer, a
 * context switch in the loop) for its first task. Measured on 2 cores (JMH
 * {@code ExecuteBenchmark.executeThroughput}, batches of 1,000 tasks): without a spin 11 of 15
 * forks on epoll, nio and iocp parked at every batch end and ran at 29-39 tasks/µs instead of
 * 80-90. A fixed 2 µs spin removed the parking but also raised the wake-up latency of a loop that
 * idles between lone tasks (p50 6-7 to 11 µs on epoll and iocp), where no spin can ever catch the
 * next task. The adaptive rule spins only while sleeps have recently been short and ended by
 * another thread's task, i.e. while a spin could have caught it: no parked iteration in 62
 * measured with the cores sharing a cache, and the lone task's latency as without a spin.
 *
 * <p><b>Rule (adaptive).</b> The spin starts at 0. After each sleep that followed a step that ran
 * tasks (and a spin, if any, that caught none), the loop reports how long it slept and whether
 * another thread's task was waiting when it woke (tasks that the poll's own I/O handlers queued do
 * not count: no spin can catch those):
 * <ul>
 *   <li>a sleep of {@link #SHORT_SLEEP_NANOS} or more: a spin would not have caught what ended
 *       it; the spin halves, to 0 below {@link #MIN_NANOS};
 *   <li>a shorter sleep ended by another thread's task: the spin was too short or absent; it
 *       doubles, from {@code MIN_NANOS} up to the maximum (the option's value);
 *   <li>a shorter sleep with no such task (I/O, or a stale wakeup: a producer that saw the loop
 *       about to sleep and woke it after it had found the task anyway) leaves it as it is:
 *       halving there would let the stale wakeups of a producer racing the loop switch the spin
 *       off (iocp's park returns at once on such a stale permit).
 * </ul>
 * A spin that catches a task leaves it as it is. So a loop idling between lone tasks never spins
 * (every sleep is long), a loop behind a bursty producer settles on the maximum, and a producer
 * whose gaps are just longer than a spin costs at most half the maximum per sleep before the spin
 * is off again. Steps driven only by I/O or timers never spin and are not counted.
 *
 * <p><b>Thread:</b> the loop thread only (plain fields).
 */
final class SpinBeforeSleep {
    /** The first spin when it switches on (about one non-blocking poll on this machine). */
    static final long MIN_NANOS = 500;
    /**
     * A sleep ended by a task within this time counts as short: the task came soon after the loop
     * blocked. It includes the wake-up itself (2-30 µs here, more when the core had halted), so it
     * is well above the longest spin: a task that arrives 100 µs after the last is never chased.
     */
    static final long SHORT_SLEEP_NANOS = 50_000;

    private final long maxNanos;
    private final boolean adaptive;
    private long nanos;
    private long spins;

    private SpinBeforeSleep(long maxNanos, boolean adaptive) {
        this.maxNanos = maxNanos;
        this.adaptive = adaptive;
        this.nanos = adaptive ? 0 : maxNanos;
    }

    /**
     * Always spins {@code nanos} (0: never).
     *
     * @throws IllegalArgumentException if negative
     */
    static SpinBeforeSleep fixed(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("a spin cannot be negative, got " + nanos + " ns");
        }
        return new SpinBeforeSleep(nanos, false);
    }

    /**
     * Spins between 0 and {@code maxNanos} as the class comment describes.
     *
     * @throws IllegalArgumentException if {@code maxNanos} is below {@link #MIN_NANOS} (the spin
     *     could never switch on; use {@link #fixed fixed(0)} for no spin)
     */
    static SpinBeforeSleep adaptive(long maxNanos) {
        if (maxNanos < MIN_NANOS) {
            throw new IllegalArgumentException("an adaptive spin needs a maximum of at least "
                    + MIN_NANOS + " ns, got " + maxNanos + " ns");
        }
        return new SpinBeforeSleep(maxNanos, true);
    }

    /** How long to spin after the next step that runs tasks; 0: block at once. */
    long nanos() {
        return nanos;
    }

    /** Whether the spin adapts (else it never changes). */
    boolean isAdaptive() {
        return adaptive;
    }

    /**
     * Reports a sleep that followed a step that ran tasks: it lasted {@code sleptNanos}, and a task
     * was waiting when it ended if {@code taskWaiting}. No effect on a fixed spin.
     *
     * @throws IllegalArgumentException if {@code sleptNanos} is negative
     */
    void slept(long sleptNanos, boolean taskWaiting) {
        if (sleptNanos < 0) {
            throw new IllegalArgumentException("a sleep cannot last " + sleptNanos + " ns");
        }
        if (!adaptive) {
            return;
        }
        if (sleptNanos >= SHORT_SLEEP_NANOS) {
            nanos = nanos / 2 < MIN_NANOS ? 0 : nanos / 2;
        } else if (taskWaiting) {
            nanos = nanos == 0 ? MIN_NANOS : Math.min(maxNanos, nanos * 2);
        }
    }

    /**
     * Polls {@code tasks} for up to {@link #nanos()}, or {@code limitNanos} if that is shorter and
     * not negative (the time until the next timer is due: a spin must not delay it); returns
     * whether a task arrived. Looks at the queue only every {@code pauses} spin-wait hints: each
     * look reads the line the producers' CAS writes, and looking in a tight loop took that line
     * from them on every task (measured on iocp: some runs fell to ~8 tasks/µs).
     */
    boolean spin(TaskQueue tasks, int pauses, long limitNanos) {
        spins++;
        long end = System.nanoTime() + (limitNanos >= 0 ? Math.min(nanos, limitNanos) : nanos);
        do {
            for (int i = 0; i < pauses; i++) {
                Thread.onSpinWait();
            }
            if (tasks.hasTasks()) {
                return true;
            }
        } while (System.nanoTime() - end < 0);
        return false;
    }

    /** How many times the loop spun. */
    long spins() {
        return spins;
    }
}
