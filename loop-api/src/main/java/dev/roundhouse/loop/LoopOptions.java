package dev.roundhouse.loop;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Immutable options for one loop (or every loop of a group). Build with {@link #builder()}.
 *
 * <p><b>Thread:</b> immutable, any thread.
 */
public final class LoopOptions {
    /** The system property that forces a backend by name when no builder option does. */
    public static final String BACKEND_PROPERTY = "roundhouse.backend";
    /** The defaults. */
    public static final LoopOptions DEFAULTS = builder().build();

    private final String backend;
    private final Set<Capability> required;
    private final String threadName;
    private final long stallThresholdNanos;
    private final ExceptionHandler exceptionHandler;
    private final StallHandler stallHandler;
    private final int readBufferBytes;
    private final long spinBeforeSleepNanos;
    private final boolean spinBeforeSleepAdaptive;
    private final long timerSpinNanos;
    private final long timerSlackNanos;

    private LoopOptions(Builder b) {
        backend = b.backend;
        required = b.required.isEmpty() ? Set.of() : Set.copyOf(b.required);
        threadName = b.threadName;
        stallThresholdNanos = b.stallThresholdNanos;
        exceptionHandler = b.exceptionHandler;
        stallHandler = b.stallHandler;
        readBufferBytes = b.readBufferBytes;
        spinBeforeSleepNanos = b.spinBeforeSleepNanos;
        spinBeforeSleepAdaptive = b.spinBeforeSleepAdaptive;
        timerSpinNanos = b.timerSpinNanos;
        timerSlackNanos = b.timerSlackNanos;
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The backend to use, or {@code null} (default) for the system property
     * {@value #BACKEND_PROPERTY}, else the best available one.
     */
    public String backend() { return backend; }

    /**
     * The capabilities the backend must provide (empty by default): automatic selection skips
     * backends without them, and a forced backend without them is refused.
     */
    public Set<Capability> requiredCapabilities() { return required; }

    /** The loop thread's name prefix; default {@code "roundhouse-loop"} (a number is appended). */
    public String threadName() { return threadName; }

    /**
     * A callback running longer than this is reported to the {@link #stallHandler()}; 0 turns
     * detection off. Default 100 ms (asyncio's {@code slow_callback_duration}). Detection costs the
     * loop two plain stores per callback; a shared watchdog thread does the timing.
     */
    public long stallThresholdNanos() { return stallThresholdNanos; }

    /**
     * Where exceptions escaping callbacks go; default: one line to {@link System.Logger} at
     * WARNING level with the stack trace.
     */
    public ExceptionHandler exceptionHandler() { return exceptionHandler; }

    /** Where stalls are reported; default: {@link System.Logger} at WARNING level. */
    public StallHandler stallHandler() { return stallHandler; }

    /** The size of the loop's shared read buffer; default 64 KiB. */
    public int readBufferBytes() { return readBufferBytes; }

    /**
     * How long the loop polls its task queue before it blocks, after an iteration that ran tasks:
     * with {@link #spinBeforeSleepAdaptive()} the longest such spin, else the spin itself (0: never
     * spin). Default: adaptive, at most 2 µs.
     *
     * <p>Spinning keeps the loop awake for another thread that hands it tasks in bursts, so the
     * next burst does not pay a wake-up. Measured on 2 cores (JMH {@code ExecuteBenchmark}, 1,000
     * tasks per batch, docs/benchmark-history.md): without a spin, 11 of 15 forks (epoll, nio, iocp) parked at
     * every batch end and ran at 29-39 tasks/µs; with the adaptive spin no iteration measured while
     * the two cores shared a cache did (62 of 62 at 63-104, medians 87-91). A fixed 2 µs spin does
     * the same for throughput but also delays a lone task: wake-up latency p50 of a loop idle for
     * 100 µs rose from 6-7 to 11 µs on epoll and iocp; the adaptive spin left it where it was
     * without a spin (epoll 5.8 vs 6.0 µs, iocp 7.8 vs 5.9, nio 26.1 vs 26.0, one fork each). The
     * adaptive spin is off until sleeps after tasks turn out short (ended within 50 µs by another
     * thread's task), then doubles from 0.5 µs up to this maximum, and halves after each sleep of
     * 50 µs or more; so a loop idling between lone tasks does not spin. It never spins past the
     * next timer's deadline. Iterations driven only by I/O and timers never spin. Costs up to
     * this much CPU per iteration that ran tasks.
     *
     * <p>A thread that waits for the loop after each burst (a round trip per burst, the bursts tens
     * of microseconds apart) finds the loop asleep with the default and pays a wake-up per burst; a
     * larger maximum keeps the loop awake through the gap. JMH
     * {@code TimerBenchmark.scheduleCancelCrossThread} (1,000 timers scheduled and cancelled per
     * burst, then a task waited for; 2026-12-06, epoll, docs/benchmark-history.md): 0.56&ndash;0.79 of Netty's
     * {@code HashedWheelTimer} with the default, 1.22 with
     * {@code adaptiveSpinBeforeSleep(100, MICROSECONDS)}, 1.03&ndash;1.22 with a fixed 100 &micro;s
     * spin. The price: while such bursts keep coming, up to the maximum of CPU after every
     * iteration that ran tasks, which is why the default stays at 2 &micro;s.
     */
    public long spinBeforeSleepNanos() { return spinBeforeSleepNanos; }

    /**
     * Whether the spin before sleeping adapts (default), between 0 and
     * {@link #spinBeforeSleepNanos()}, to how the loop's recent sleeps ended; else it is fixed.
     */
    public boolean spinBeforeSleepAdaptive() { return spinBeforeSleepAdaptive; }

    /**
     * How close to the next timer's deadline the loop stops waiting for I/O and spins instead
     * (non-blocking polls, I/O still dispatched, other threads' tasks cost no wakeup meanwhile),
     * or -1 (default): the backend's own choice, 0.5 ms on {@code nio} and {@code iocp}, whose
     * timed waits are coarse, and 0 on {@code epoll} and {@code io_uring}, which wait to the
     * nanosecond.
     *
     * <p>A spin makes a timer fire within microseconds of its deadline at the price of up to this
     * much CPU per timer. Measured here (a chain of 100 &micro;s timers, docs/benchmark-history.md), how late a
     * timer fires without a spin: {@code epoll} and {@code io_uring} ~20&ndash;30 &micro;s (the VM's
     * wake-up; {@code epoll} ~70&ndash;80 with Linux's default timer slack, see
     * {@link #timerSlackNanos()}), {@code iocp} ~70&ndash;90 &micro;s (a timed park with
     * nothing waiting in its port, its alarm thread otherwise),
     * {@code nio} up to a millisecond (a {@code Selector} waits in whole milliseconds, rounded to
     * the nearest and never less than one); with the default spin {@code nio} and {@code iocp}
     * fire within ~1 &micro;s. So 0 trades their timers' precision for CPU on a loop with dense
     * timers, and e.g. 100 &micro;s makes {@code epoll}'s as precise. Never fires a timer early.
     */
    public long timerSpinNanos() { return timerSpinNanos; }

    /**
     * The loop thread's timer slack on Linux, in ns: how much later than asked the kernel may end
     * the loop's timed waits so that it can serve several wake-ups at once. Default 1 &micro;s;
     * -1 leaves the thread the slack it inherits (Linux's default is 50 &micro;s). Set when the
     * loop thread starts, through {@code /proc/<tid>/timerslack_ns}, which a thread may write for
     * itself; if that fails on Linux (no {@code /proc}, a sandbox that forbids it) the loop runs
     * with the inherited slack and reports why to its {@link #exceptionHandler()}. Elsewhere (no
     * such setting) it has no effect.
     *
     * <p>Measured (2026-12-06, docs/benchmark-history.md, {@code TimerLateness}: 100 &micro;s timers back to
     * back, with a listening socket in the loop, JDK 17): {@code epoll} timers fired 71&ndash;73
     * &micro;s late on average with 50 &micro;s of slack (Netty's epoll loop, which leaves it,
     * 71&ndash;79), 24&ndash;29 with 1 &micro;s (p50 22&ndash;23); {@code io_uring}'s 22&ndash;25
     * were the same with either. It matters to timed waits only: a loop
     * that spins toward its timers ({@link #timerSpinNanos()}) or is woken by I/O is not affected.
     * The price is the kernel's batching of this thread's wake-ups, i.e. more timer interrupts on
     * a machine whose loops wake at nearby times. Linux gives a new thread the slack of the thread
     * that starts it, so threads started on the loop thread (by a callback, or a pool such as the
     * common {@code ForkJoinPool} creating a worker there, or the backend's own, e.g. iocp's I/O
     * thread) get this slack too; Roundhouse's stall watchdog thread, started by the first loop,
     * among them (its 10 ms tick does not notice).
     */
    public long timerSlackNanos() { return timerSlackNanos; }

    /** Builds {@link LoopOptions}. Not thread-safe. Setters validate at once. */
    public static final class Builder {
        private String backend;
        private final EnumSet<Capability> required = EnumSet.noneOf(Capability.class);
        private String threadName = "roundhouse-loop";
        private long stallThresholdNanos = TimeUnit.MILLISECONDS.toNanos(100);
        private ExceptionHandler exceptionHandler = DefaultHandlers.EXCEPTIONS;
        private StallHandler stallHandler = DefaultHandlers.STALLS;
        private int readBufferBytes = 64 * 1024;
        private long spinBeforeSleepNanos = 2_000;
        private boolean spinBeforeSleepAdaptive = true;
        private long timerSpinNanos = -1;
        private long timerSlackNanos = 1_000;

        private Builder() {
        }

        /** Forces a backend by name ({@code "nio"}, {@code "epoll"}, ...); {@code null} to choose automatically. */
        public Builder backend(String name) { backend = name; return this; }

        /**
         * Requires {@code capabilities} of the backend, adding to those required already: e.g.
         * {@code require(Capability.READINESS)} to {@link EventLoop#register register} channels
         * where the best backend is a completion one (io_uring on Linux, iocp on Windows).
         *
         * @see LoopOptions#requiredCapabilities()
         * @throws NullPointerException if {@code capabilities} or one of them is null
         */
        public Builder require(Capability... capabilities) {
            for (Capability c : capabilities) {
                required.add(Objects.requireNonNull(c, "capability"));
            }
            return this;
        }

        /**
         * @see LoopOptions#threadName()
         * @throws NullPointerException if {@code name} is null
         */
        public Builder threadName(String name) { threadName = Objects.requireNonNull(name, "threadName"); return this; }

        /**
         * @see LoopOptions#stallThresholdNanos()
         * @throws IllegalArgumentException if negative
         */
        public Builder stallThreshold(long threshold, TimeUnit unit) {
            long nanos = unit.toNanos(threshold);
            if (nanos < 0) {
                throw new IllegalArgumentException("stallThreshold must not be negative, got " + nanos + " ns");
            }
            stallThresholdNanos = nanos;
            return this;
        }

        /**
         * @see LoopOptions#exceptionHandler()
         * @throws NullPointerException if {@code handler} is null
         */
        public Builder exceptionHandler(ExceptionHandler handler) {
            exceptionHandler = Objects.requireNonNull(handler, "exceptionHandler");
            return this;
        }

        /**
         * @see LoopOptions#stallHandler()
         * @throws NullPointerException if {@code handler} is null
         */
        public Builder stallHandler(StallHandler handler) {
            stallHandler = Objects.requireNonNull(handler, "stallHandler");
            return this;
        }

        /**
         * @see LoopOptions#readBufferBytes()
         * @throws IllegalArgumentException unless between 1 KiB and 16 MiB
         */
        public Builder readBufferBytes(int bytes) {
            if (bytes < 1024 || bytes > 16 * 1024 * 1024) {
                throw new IllegalArgumentException("readBufferBytes must be in [1 KiB, 16 MiB], got " + bytes);
            }
            readBufferBytes = bytes;
            return this;
        }

        /**
         * A fixed spin before sleeping: after every iteration that ran tasks the loop polls its
         * queue for {@code duration} before it blocks; 0 never spins.
         *
         * @see LoopOptions#spinBeforeSleepNanos()
         * @throws IllegalArgumentException if negative or above 1 ms (a longer spin is a busy
         *     loop: use a task that re-queues itself if that is what you want)
         */
        public Builder spinBeforeSleep(long duration, TimeUnit unit) {
            spinBeforeSleepNanos = spinNanos(duration, unit, 0);
            spinBeforeSleepAdaptive = false;
            return this;
        }

        /**
         * An adaptive spin before sleeping (the default, with 2 µs), of at most {@code max}.
         *
         * @see LoopOptions#spinBeforeSleepNanos()
         * @throws IllegalArgumentException if below 500 ns (the adaptive spin's first step; for no
         *     spin use {@code spinBeforeSleep(0, unit)}) or above 1 ms
         */
        public Builder adaptiveSpinBeforeSleep(long max, TimeUnit unit) {
            spinBeforeSleepNanos = spinNanos(max, unit, 500);
            spinBeforeSleepAdaptive = true;
            return this;
        }

        /**
         * Spins toward a timer due within {@code duration} instead of waiting for it; 0 never
         * spins.
         *
         * @see LoopOptions#timerSpinNanos()
         * @throws IllegalArgumentException if negative or above 1 ms (a longer spin is a busy
         *     loop between timers)
         */
        public Builder timerSpin(long duration, TimeUnit unit) {
            timerSpinNanos = nanosWithin(duration, unit, 0, TimeUnit.MILLISECONDS.toNanos(1), "a timer spin",
                    "0, 1 ms");
            return this;
        }

        /**
         * The backend's own timer spin (the default).
         *
         * @see LoopOptions#timerSpinNanos()
         */
        public Builder backendTimerSpin() {
            timerSpinNanos = -1;
            return this;
        }

        /**
         * Sets the loop thread's timer slack (Linux).
         *
         * @see LoopOptions#timerSlackNanos()
         * @throws IllegalArgumentException if below 1 ns or above 1 s (Linux reads 0 as "back to
         *     the default", which {@link #inheritedTimerSlack()} says)
         */
        public Builder timerSlack(long slack, TimeUnit unit) {
            timerSlackNanos = nanosWithin(slack, unit, 1, TimeUnit.SECONDS.toNanos(1), "a timer slack", "1 ns, 1 s");
            return this;
        }

        /**
         * Leaves the loop thread the timer slack it inherits from the thread that opens the loop.
         *
         * @see LoopOptions#timerSlackNanos()
         */
        public Builder inheritedTimerSlack() {
            timerSlackNanos = -1;
            return this;
        }

        private static long spinNanos(long duration, TimeUnit unit, long min) {
            return nanosWithin(duration, unit, min, TimeUnit.MILLISECONDS.toNanos(1), "a spin before sleeping",
                    min + " ns, 1 ms");
        }

        /** {@code duration} in ns if within [min, max] ns, else an exception saying {@code what must be in [range]}. */
        private static long nanosWithin(long duration, TimeUnit unit, long min, long max, String what, String range) {
            long nanos = unit.toNanos(duration);
            if (nanos < min || nanos > max) {
                throw new IllegalArgumentException(what + " must be in [" + range + "], got " + nanos + " ns");
            }
            return nanos;
        }

        /** Returns the immutable options. */
        public LoopOptions build() {
            return new LoopOptions(this);
        }
    }
}
