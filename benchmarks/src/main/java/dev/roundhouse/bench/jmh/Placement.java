package dev.roundhouse.bench.jmh;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * How far apart the machine's cores are right now: before each iteration the benchmark thread
 * bounces a cache line with a helper thread for {@link #PROBE_MILLIS} ms and prints the mean round
 * trip as {@value #PREFIX}{@code N ns}, which {@code report.PlacementLog} pairs with the iteration's
 * score.
 *
 * <p><b>Why.</b> On the machine of 2026-11-22 (2 vCPUs of a VM on an AMD EPYC host) the round
 * trip was either ~50-140 ns or ~470-600 ns, switching between the two every few seconds to
 * minutes ({@code benchmarks/src/main/c/corelat.c} shows it without Java): the host ran the two
 * vCPUs sometimes on cores that share a cache and sometimes on cores that do not. (The VM of
 * 2026-12-03, another kernel build, sat at ~250-500 ns nearly all the time, at ~70-100 ns for a
 * few minutes.) Every cross-thread
 * benchmark moves cache lines between the producer and the loop, so its score follows the
 * placement (execute to a sleeping loop: ~80 vs ~40 tasks/µs, the same steps per task in both).
 * Scores are only comparable under the same placement.
 *
 * <p>Used only by benchmarks whose loop sleeps between iterations: a loop kept busy would take a
 * core from the probe. Outside the measured time (JMH setup).
 */
@State(Scope.Thread)
public class Placement {
    /** What precedes the figure in the output. */
    public static final String PREFIX = "# core-to-core round trip: ";
    static final int PROBE_MILLIS = 20;
    /** Round trips per window. */
    static final int WINDOW = 128;
    private static final VarHandle VALUE;
    private static final long STOP = Long.MAX_VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(Line.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A value on a cache line of its own (64 bytes of padding each side). */
    static final class Line {
        long p00, p01, p02, p03, p04, p05, p06, p07;
        volatile long value;
        long p10, p11, p12, p13, p14, p15, p16, p17;
    }

    @Setup(Level.Iteration)
    public void probe() throws InterruptedException {
        double nanos = roundTripNanos(TimeUnit.MILLISECONDS.toNanos(PROBE_MILLIS));
        System.out.println(PREFIX + (Double.isNaN(nanos) ? "unknown" : Math.round(nanos) + " ns"));
    }

    /**
     * Bounces a cache line with a helper thread for about {@code nanos} (up to 10 times as long
     * while no window has completed: in {@code wakeupLatency} more than half the 20 ms probes came
     * back empty); returns the fastest mean round trip of a window of {@link #WINDOW} round trips,
     * or NaN if no window completed. The
     * fastest, because another thread (the JIT compiler early in a fork, the collector) can share
     * a core with one of the two for a while, and round trips then take a time slice each: those
     * windows measure the scheduler, not the cores. Calling thread: any; it spins meanwhile, as
     * does the helper.
     */
    static double roundTripNanos(long nanos) throws InterruptedException {
        Line ping = new Line();
        Line pong = new Line();
        Thread echo = new Thread(() -> {
            for (long v = 1; ; v++) {
                long seen;
                while ((seen = (long) VALUE.getAcquire(ping)) < v) {
                    Thread.onSpinWait();
                }
                if (seen == STOP) {
                    return;
                }
                VALUE.setRelease(pong, v);
            }
        }, "placement-probe");
        echo.setDaemon(true);
        echo.start();
        double best = Double.NaN;
        long end = System.nanoTime() + nanos;
        long giveUp = end + 9 * nanos; // without a complete window yet, keep trying up to 10x as long
        long windowStart = System.nanoTime();
        for (long v = 1; ; v++) {
            VALUE.setRelease(ping, v);
            while ((long) VALUE.getAcquire(pong) < v) {
                Thread.onSpinWait();
            }
            if (v % WINDOW == 0) {
                long now = System.nanoTime();
                double mean = (double) (now - windowStart) / WINDOW;
                if (v > WINDOW && !(mean >= best)) { // the first window includes the helper's start
                    best = mean;
                }
                windowStart = now;
                if (now - end > 0 && !Double.isNaN(best)) {
                    break;
                }
            }
            if ((v & 15) == 0 && System.nanoTime() - giveUp > 0) {
                break; // round trips that take a time slice each: no window will say anything
            }
        }
        VALUE.setRelease(ping, STOP);
        echo.join(1_000);
        return best;
    }

    /** Prints the round trip a few times: {@code java -cp benchmarks.jar dev.roundhouse.bench.jmh.Placement [count]}. */
    public static void main(String[] args) throws InterruptedException {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        for (int i = 0; i < count; i++) {
            System.out.println(String.format(Locale.ROOT, "%.0f ns", roundTripNanos(TimeUnit.MILLISECONDS.toNanos(250))));
        }
    }
}
