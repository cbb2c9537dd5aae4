package dev.roundhouse.bench.jmh;

import dev.roundhouse.loop.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.util.HashedWheelTimer;
import io.netty.util.TimerTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Timers: Roundhouse's heap against Netty's scheduled tasks (on a {@code SingleThreadIoEventLoop})
 * and Netty's {@code HashedWheelTimer} (1 ms ticks, 512 buckets, its own worker thread).
 *
 * <ul>
 *   <li>{@code scheduleCancel}: schedule a timer 10 s out and cancel it, 1,000 times, on the loop
 *       thread ({@code callLater} / {@code schedule} from inside the loop); the wheel is driven
 *       from the benchmark thread, which is how it is used.
 *   <li>{@code scheduleCancelCrossThread}: the same from the benchmark thread ({@code schedule} is
 *       thread-safe in both loops), then wait until the loop has run a task executed after the
 *       batch: a cross-thread round trip per 1,000, usually to a sleeping loop. Netty's loop has
 *       applied every add and cancel by then (they go through its task queue); Roundhouse's has
 *       not necessarily (a timer scheduled from another thread waits in the loop's timer inbox
 *       until it may be due, and the loop takes the inbox in every 1,024 messages, after that
 *       step's tasks). The wheel's figure is its calling thread's work only: its worker applies
 *       the adds and cancels on a later tick, unmeasured, and there is no round trip.
 *   <li>{@code scheduleCancelCrossThreadPipelined}: the same, but the benchmark thread only waits
 *       for the task executed after the batch before the previous one, so the round trip overlaps
 *       the next batch (the wheel's figure is the same as above): the sustained rate of the slower
 *       of the two threads, the backlog bounded at two batches.
 *   <li>{@code scheduleAndFire}: schedule 1,000 timers already due (distinct deadlines 0-999 ns,
 *       shuffled) and wait until all have fired: insertion, ordering and firing. The wheel fires
 *       only on its next 1 ms tick, so its figure includes up to 1 ms of waiting per batch.
 *   <li>{@code fireAfter100us}, {@code fireAfter1700us}: how late a timer fires on a loop that
 *       sleeps until it is due. A chain of {@value #CHAIN} timers, each scheduled 100 &micro;s (1.7
 *       ms) ahead by the one before it when it fires ({@code callLater} / {@code schedule} on the
 *       loop thread; the wheel's on its worker), started from the benchmark thread, which waits
 *       for the last. The score is the time per timer: the delay plus how late it fired (plus a
 *       tenth of one cross-thread start and wake-up). Latency: the ratio is Netty's over ours.
 *       Two delays because loops that wait in whole milliseconds round: under half a millisecond
 *       they spin (Netty's nio, and our nio and iocp), above it Netty's nio and ours sleep to the
 *       nearest millisecond (1.7 ms: ~0.46 ms late on the VM of 2026-12-05).
 * </ul>
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TimerBenchmark {
    static final int BATCH = 1000;
    static final int CHAIN = 10;
    static final long SHORT_DELAY_NANOS = 100_000;
    static final long LONG_DELAY_NANOS = 1_700_000;
    private static final long FAR_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final Runnable NOOP = () -> { };
    private static final TimerTask NOOP_TASK = timeout -> { };

    @Param({"roundhouse-nio", "netty-nio", "netty-hashedwheel"})
    public String impl;

    private LoopUnderTest loop;
    private HashedWheelTimer wheel;
    private final LoopCounter counter = new LoopCounter();
    private final TimerTask countTask = timeout -> counter.run();
    private final long[] dueDelaysNanos = new long[BATCH];
    private Runnable scheduleCancelOnLoop;
    private Runnable scheduleDueOnLoop;
    private TimerChain shortChain;
    private TimerChain longChain;
    /** Pipelined: the batches queued so far, counted by {@link #counter} as the loop applies them. */
    private long batchesQueued;

    @Setup
    public void open() {
        for (int i = 0; i < BATCH; i++) {
            dueDelaysNanos[i] = (i * 7919L) % BATCH; // a permutation of 0..999
        }
        if (impl.equals("netty-hashedwheel")) {
            wheel = new HashedWheelTimer(r -> new Thread(r, "wheel"), 1, TimeUnit.MILLISECONDS, 512);
            wheel.start();
            shortChain = new TimerChain(link -> wheel.newTimeout(t -> link.run(), SHORT_DELAY_NANOS, TimeUnit.NANOSECONDS));
            longChain = new TimerChain(link -> wheel.newTimeout(t -> link.run(), LONG_DELAY_NANOS, TimeUnit.NANOSECONDS));
            return;
        }
        loop = LoopUnderTest.open(impl);
        if (loop.roundhouse != null) {
            EventLoop rh = loop.roundhouse;
            scheduleCancelOnLoop = () -> {
                for (int i = 0; i < BATCH; i++) {
                    rh.callLater(NOOP, FAR_NANOS, TimeUnit.NANOSECONDS).cancel();
                }
                counter.run();
            };
            scheduleDueOnLoop = () -> {
                for (long d : dueDelaysNanos) {
                    rh.callLater(counter, d, TimeUnit.NANOSECONDS);
                }
            };
            shortChain = new TimerChain(link -> rh.callLater(link, SHORT_DELAY_NANOS, TimeUnit.NANOSECONDS));
            longChain = new TimerChain(link -> rh.callLater(link, LONG_DELAY_NANOS, TimeUnit.NANOSECONDS));
        } else {
            IoEventLoop netty = loop.netty;
            scheduleCancelOnLoop = () -> {
                for (int i = 0; i < BATCH; i++) {
                    netty.schedule(NOOP, FAR_NANOS, TimeUnit.NANOSECONDS).cancel(false);
                }
                counter.run();
            };
            scheduleDueOnLoop = () -> {
                for (long d : dueDelaysNanos) {
                    netty.schedule(counter, d, TimeUnit.NANOSECONDS);
                }
            };
            shortChain = new TimerChain(link -> netty.schedule(link, SHORT_DELAY_NANOS, TimeUnit.NANOSECONDS));
            longChain = new TimerChain(link -> netty.schedule(link, LONG_DELAY_NANOS, TimeUnit.NANOSECONDS));
        }
    }

    @TearDown
    public void close() {
        if (wheel != null) {
            wheel.stop();
        } else {
            loop.close();
        }
    }

    /** Three forks: the benchmark thread waits for the loop per batch, so the score follows the {@link Placement}. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    @Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED"})
    public void scheduleCancel(Placement placement) {
        if (wheel != null) {
            scheduleAndCancelFromThisThread(); // the wheel is driven from the calling thread
            return;
        }
        long target = counter.get() + 1;
        loop.execute(scheduleCancelOnLoop);
        counter.awaitAtLeast(target);
    }

    /** Five forks: like execute to a sleeping loop, it depends on whether the loop sleeps between calls. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    @Fork(value = 5, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED"})
    public void scheduleCancelCrossThread(Placement placement) {
        if (scheduleAndCancelFromThisThread()) {
            return; // the wheel: nothing to wait for
        }
        long target = counter.get() + 1;
        loop.execute(counter); // runs after the calls above have returned (Netty's loop has applied them)
        counter.awaitAtLeast(target);
    }

    /** Five forks, as above; the loop's backlog is at most two batches. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    @Fork(value = 5, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED"})
    public void scheduleCancelCrossThreadPipelined(Placement placement) {
        if (wheel == null) {
            counter.awaitAtLeast(batchesQueued - 1); // the batch before the previous one was applied
        }
        if (scheduleAndCancelFromThisThread()) {
            return;
        }
        loop.execute(counter); // counts this batch once the loop has run it (Netty: applied it)
        batchesQueued++;
    }

    /** Schedules and cancels a batch from the benchmark thread; returns whether it was the wheel. */
    private boolean scheduleAndCancelFromThisThread() {
        if (wheel != null) {
            for (int i = 0; i < BATCH; i++) {
                wheel.newTimeout(NOOP_TASK, FAR_NANOS, TimeUnit.NANOSECONDS).cancel();
            }
            return true;
        }
        if (loop.roundhouse != null) {
            for (int i = 0; i < BATCH; i++) {
                loop.roundhouse.schedule(NOOP, FAR_NANOS, TimeUnit.NANOSECONDS).cancel();
            }
        } else {
            for (int i = 0; i < BATCH; i++) {
                loop.netty.schedule(NOOP, FAR_NANOS, TimeUnit.NANOSECONDS).cancel(false);
            }
        }
        return false;
    }

    /** Three forks: each timer's firing is seen by the benchmark thread, so the score follows the {@link Placement}. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    @Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED"})
    public void scheduleAndFire(Placement placement) {
        long target = counter.get() + BATCH;
        if (wheel != null) {
            for (long d : dueDelaysNanos) {
                wheel.newTimeout(countTask, d, TimeUnit.NANOSECONDS);
            }
        } else {
            loop.execute(scheduleDueOnLoop);
        }
        counter.awaitAtLeast(target);
    }

    /**
     * Three forks: a chain of timers 100 &micro;s apart on a sleeping loop, time per timer (see the
     * class comment). The loops differ in how they wait for a deadline: to the nanosecond with
     * the kernel's timer slack (epoll, io_uring), or, where waits are coarse (a {@code Selector}'s
     * whole milliseconds, iocp's alarm thread), by spinning under half a millisecond.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OperationsPerInvocation(CHAIN)
    @Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED"})
    public void fireAfter100us(Placement placement) {
        runChain(shortChain);
    }

    /** Three forks: as {@link #fireAfter100us}, the timers 1.7 ms apart. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OperationsPerInvocation(CHAIN)
    @Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED"})
    public void fireAfter1700us(Placement placement) {
        runChain(longChain);
    }

    private void runChain(TimerChain chain) {
        long target = counter.get() + 1;
        if (wheel != null) {
            chain.run(); // the wheel's timers are scheduled from any thread: this one starts it
        } else {
            loop.execute(chain);
        }
        counter.awaitAtLeast(target);
    }

    /**
     * {@value #CHAIN} timers in a row: {@link #run} schedules the first, each one that fires the next,
     * and the last counts one in {@link #counter}. Started on the loop (the wheel's: on the
     * benchmark thread), its timers fire on the loop (the wheel's worker), one chain at a time.
     */
    private final class TimerChain implements Runnable {
        private final Consumer<Runnable> scheduleLink;
        private final Runnable link = this::fired;
        private int left;

        TimerChain(Consumer<Runnable> scheduleLink) {
            this.scheduleLink = scheduleLink;
        }

        @Override
        public void run() {
            left = CHAIN;
            scheduleLink.accept(link);
        }

        private void fired() {
            if (--left == 0) {
                counter.run();
            } else {
                scheduleLink.accept(link);
            }
        }
    }
}
