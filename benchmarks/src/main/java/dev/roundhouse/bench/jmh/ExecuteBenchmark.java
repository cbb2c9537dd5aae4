package dev.roundhouse.bench.jmh;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * Cross-thread {@code execute}: the benchmark thread hands tasks to a loop running on the other
 * core, Roundhouse and Netty's {@code SingleThreadIoEventLoop} side by side.
 *
 * <ul>
 *   <li>{@code executeThroughput}: a batch of 1,000 tasks, then wait until the loop has run them
 *       all; ops/s is tasks handed over and run per second (queue, wake-up coalescing, drain).
 *       Bistable on this machine for both loops: when the loop drains faster than the producer
 *       fills, it blocks after nearly every task and the producer pays a wake-up syscall per task
 *       (iterations range over two orders of magnitude). Hence the next one.
 *   <li>{@code executeThroughputAwake}: the same while a task that re-queues itself keeps the loop
 *       from ever blocking: the queue hand-off and the loop's per-iteration cost, no wake-ups.
 *   <li>{@code wakeupLatency}: one task to a loop that has been idle for 100 µs (so it is blocked
 *       in its poll: selector, epoll_wait or io_uring_enter), until the benchmark thread sees it
 *       ran: the wake-up round trip.
 * </ul>
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ExecuteBenchmark {
    static final int BATCH = 1000;

    @Param({"roundhouse-nio", "netty-nio"})
    public String impl;

    private LoopUnderTest loop;
    private final LoopCounter counter = new LoopCounter();

    @Setup
    public void open() {
        loop = LoopUnderTest.open(impl);
    }

    @TearDown
    public void close() {
        loop.close();
    }

    /** Keeps the loop awake: a task that queues itself again until the trial ends. */
    @State(Scope.Benchmark)
    public static class Awake implements Runnable {
        private volatile boolean running;
        private LoopUnderTest loop;

        @Setup
        public void start(ExecuteBenchmark bench) {
            loop = bench.loop;
            running = true;
            loop.execute(this);
        }

        @TearDown
        public void stop() {
            running = false;
        }

        @Override
        public void run() {
            if (running) {
                loop.execute(this);
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @OperationsPerInvocation(BATCH)
    public void executeThroughputAwake(Awake awake) {
        executeBatch();
    }

    /**
     * Five forks: each fork settles in one of the two modes described above, so one fork decides
     * nothing; and its score follows the cores' {@link Placement}, printed before each iteration.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @OperationsPerInvocation(BATCH)
    @Fork(value = 5, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED"})
    public void executeThroughput(Placement placement) {
        executeBatch();
    }

    private void executeBatch() {
        long target = counter.get() + BATCH;
        for (int i = 0; i < BATCH; i++) {
            loop.execute(counter);
        }
        counter.awaitAtLeast(target);
    }

    /** Lets the loop go idle and block in its poll before each wake-up is timed. */
    @State(Scope.Thread)
    public static class Idle {
        @Setup(Level.Invocation)
        public void letLoopBlock() {
            LockSupport.parkNanos(100_000);
        }
    }

    /** Three forks: the wake-up crosses cores, so its latency follows the {@link Placement}. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED"})
    public void wakeupLatency(Idle idle, Placement placement) {
        long target = counter.get() + 1;
        loop.execute(counter);
        counter.awaitAtLeast(target);
    }
}
