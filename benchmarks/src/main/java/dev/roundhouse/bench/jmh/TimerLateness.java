package dev.roundhouse.bench.jmh;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How late timers fire, as a distribution: on each loop a chain of timers, each scheduled
 * {@code --delay-us} ahead by the one before it when it fires, on the loop thread, back to back
 * (no other thread takes part, so the figure is the loop's own lateness: no wake-up, no start).
 * A timer's lateness is the time it ran minus the clock read just before it was scheduled plus
 * the delay; the loop's own deadline is read after that, so a negative figure is a timer that
 * fired early, which no loop may do: it is counted as {@code early}. The JMH chains
 * ({@link TimerBenchmark}'s {@code fireAfter100us}) give the mean of ten timers started from
 * another thread; this gives the tail of timers that only the loop itself drives.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.roundhouse.bench.jmh.TimerLateness \
 *     [--delay-us 100] [--timers 20000] [--rounds 4] IMPL...
 * </pre>
 *
 * IMPL as in the JMH parameter {@code impl} ({@link LoopUnderTest}: {@code roundhouse-iocp+listening},
 * {@code netty-nio}, ...). Each round measures every loop in turn (one loop open at a time, in
 * reverse order every other round); round 0 is a warm-up and not printed. Prints one line per
 * loop and round: mean, p50, p90, p99, p99.9 and max in microseconds.
 */
public final class TimerLateness {
    private TimerLateness() {
    }

    /**
     * Fires {@code timers} timers back to back on {@code loop}, each {@code delayNanos} after the
     * one before it was scheduled, and returns their lateness in ns, sorted. Any thread but the
     * loop's; waits at most a minute plus the timers' own time.
     */
    static long[] measure(LoopUnderTest loop, long delayNanos, int timers) throws InterruptedException {
        long[] late = new long[timers];
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(new Runnable() {
            private int fired = -1;
            private long due;

            @Override
            public void run() {
                if (fired >= 0) {
                    late[fired] = System.nanoTime() - due;
                }
                if (++fired == timers) {
                    done.countDown();
                    return;
                }
                due = System.nanoTime() + delayNanos;
                if (loop.roundhouse != null) {
                    loop.roundhouse.callLater(this, delayNanos, TimeUnit.NANOSECONDS);
                } else {
                    loop.netty.schedule(this, delayNanos, TimeUnit.NANOSECONDS);
                }
            }
        });
        long bound = TimeUnit.MINUTES.toMillis(1) + TimeUnit.NANOSECONDS.toMillis(delayNanos * timers);
        if (!done.await(bound, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(loop.name + ": " + timers + " timers did not fire within " + bound + " ms");
        }
        Arrays.sort(late);
        return late;
    }

    /** One line of the report: the distribution of {@code sorted} (ns), in microseconds. */
    static String line(String impl, int round, long[] sorted) {
        int n = sorted.length;
        long early = Arrays.stream(sorted).filter(x -> x < 0).count();
        double mean = Arrays.stream(sorted).average().orElse(0);
        return String.format("%-28s round %d  timers %6d  mean %8.2f  p50 %8.2f  p90 %8.2f  p99 %8.2f  p99.9 %8.2f"
                        + "  max %9.1f us  early %d", impl, round, n, mean / 1e3, at(sorted, 0.5), at(sorted, 0.9),
                at(sorted, 0.99), at(sorted, 0.999), sorted[n - 1] / 1e3, early);
    }

    private static double at(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e3;
    }

    public static void main(String[] args) throws Exception {
        long delayNanos = TimeUnit.MICROSECONDS.toNanos(100);
        int timers = 20_000;
        int rounds = 4;
        List<String> impls = new ArrayList<>();
        boolean wrong = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--delay-us" -> delayNanos = TimeUnit.MICROSECONDS.toNanos(Long.parseLong(args[++i]));
                    case "--timers" -> timers = Integer.parseInt(args[++i]);
                    case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                    default -> impls.add(args[i]);
                }
            }
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            wrong = true; // a flag without its number, or not a number
        }
        if (wrong || impls.isEmpty() || delayNanos <= 0 || timers <= 0 || rounds <= 0) {
            System.err.println("usage: TimerLateness [--delay-us N > 0] [--timers N > 0] [--rounds N > 0] IMPL..."
                    + " (IMPL: roundhouse-BACKEND or netty-nio|netty-epoll|netty-io_uring,"
                    + " +listening for a server socket)");
            System.exit(2);
        }
        for (int round = 0; round <= rounds; round++) {
            List<String> order = new ArrayList<>(impls);
            if (round % 2 == 1) {
                Collections.reverse(order);
            }
            for (String impl : order) {
                try (LoopUnderTest loop = LoopUnderTest.open(impl)) {
                    long[] sorted = measure(loop, delayNanos, timers);
                    if (round > 0) {
                        System.out.println(line(impl, round, sorted));
                    }
                }
            }
        }
    }
}
