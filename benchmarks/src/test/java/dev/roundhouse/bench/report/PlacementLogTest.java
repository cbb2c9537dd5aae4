package dev.roundhouse.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlacementLogTest {

    /** JMH's text output as it comes out of a fork that prints a probe before each iteration. */
    private static final String LOG = """
            # Benchmark: dev.roundhouse.bench.jmh.ExecuteBenchmark.executeThroughput
            # Parameters: (impl = roundhouse-epoll)
            # Fork: 1 of 2
            # Warmup Iteration   1: # core-to-core round trip: 140 ns
            54.741 ops/us
            Iteration   1: # core-to-core round trip: 95 ns
            80.000 ops/us
            Iteration   2: # core-to-core round trip: 570 ns
            40.000 ops/us
            Iteration   3: # core-to-core round trip: unknown
            60.000 ops/us
            Iteration   4: 99.000 ops/us
            # Fork: 2 of 2
            Iteration   1: # core-to-core round trip: 110 ns
            84.000 ops/us
            # Benchmark: dev.roundhouse.bench.jmh.ExecuteBenchmark.executeThroughput
            # Parameters: (impl = netty-epoll)
            Iteration   1: # core-to-core round trip: 100 ns
            41.000 ops/us
            Iteration   2: # core-to-core round trip: 600 ns
            20.000 ops/us
            """;

    @Test
    void shouldPairMeasuredIterationsWithTheirProbeOnly(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("loops.txt");
        Files.writeString(log, LOG);
        List<PlacementLog.Iteration> its = PlacementLog.read(log);
        // no warm-up, no iteration without a probe, none with an unknown placement
        assertEquals(List.of(
                new PlacementLog.Iteration("ExecuteBenchmark.executeThroughput", "roundhouse-epoll", 95, 80, "ops/us"),
                new PlacementLog.Iteration("ExecuteBenchmark.executeThroughput", "roundhouse-epoll", 570, 40, "ops/us"),
                new PlacementLog.Iteration("ExecuteBenchmark.executeThroughput", "roundhouse-epoll", 110, 84, "ops/us"),
                new PlacementLog.Iteration("ExecuteBenchmark.executeThroughput", "netty-epoll", 100, 41, "ops/us"),
                new PlacementLog.Iteration("ExecuteBenchmark.executeThroughput", "netty-epoll", 600, 20, "ops/us")), its);
    }

    @Test
    void shouldCompareUnderTheSamePlacementOnly(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("loops.txt");
        Files.writeString(log, LOG);
        String table = PlacementLog.render(PlacementLog.read(log), JmhReport::paired);
        assertTrue(table.contains("| ExecuteBenchmark.executeThroughput | roundhouse-epoll | 2 | 82.0 | 1 | 40.0 | ops/us |"), table);
        assertTrue(table.contains("| ExecuteBenchmark.executeThroughput | roundhouse-epoll / netty-epoll | 2.00 | 2.00 |"), table);
        assertEquals("", PlacementLog.render(List.of(), JmhReport::paired));
    }

    /** A sampled time (mean with its error, then percentiles): lower is better, so Netty / ours. */
    @Test
    void shouldReadSampledTimesAndOrientTheirRatio(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("latency.txt");
        Files.writeString(log, """
                # Benchmark: dev.roundhouse.bench.jmh.ExecuteBenchmark.wakeupLatency
                # Parameters: (impl = roundhouse-nio)
                Iteration   1: # core-to-core round trip: 90 ns
                10.000 ±(99.9%) 2.500 us/op
                                 p0.00:   5.736 us/op
                # Benchmark: dev.roundhouse.bench.jmh.ExecuteBenchmark.wakeupLatency
                # Parameters: (impl = netty-nio)
                Iteration   1: # core-to-core round trip: 95 ns
                15.000 ±(99.9%) 3.000 us/op
                """);
        List<PlacementLog.Iteration> its = PlacementLog.read(log);
        assertEquals(2, its.size());
        assertEquals(10.0, its.get(0).score());
        assertTrue(its.get(0).lowerIsBetter());
        String table = PlacementLog.render(its, JmhReport::paired);
        assertTrue(table.contains("| ExecuteBenchmark.wakeupLatency | roundhouse-nio / netty-nio | 1.50 | – |"), table);
    }

    private static List<PlacementLog.Iteration> roundTrips(double... nanos) {
        return Arrays.stream(nanos)
                .mapToObj(ns -> new PlacementLog.Iteration("B.b", "roundhouse-nio", ns, 1, "ops/us")).toList();
    }

    /** Two levels (as on the VM of 2026-11-22): the split lies in the gap between them. */
    @Test
    void shouldSplitInTheWidestGapOfTwoLevels() {
        double far = PlacementLog.farNanos(roundTrips(52, 95, 130, 140, 470, 520, 600, 118));
        assertEquals(Math.sqrt(140 * 470), far, 1e-9);
    }

    /** One level spread wide (as on the VM of 2026-12-03): no gap of 2x, so one placement. */
    @Test
    void shouldNotSplitOneLevelWithoutAGap() {
        List<PlacementLog.Iteration> its = roundTrips(264, 274, 367, 413, 415, 426, 430, 438, 473, 498);
        assertEquals(Double.POSITIVE_INFINITY, PlacementLog.farNanos(its));
        String table = PlacementLog.render(its, JmhReport::paired);
        assertTrue(table.contains("264-498 ns; no gap of 2x between them, so one placement"), table);
        assertTrue(table.contains("| B.b | roundhouse-nio | 10 | 1.0 | 0 | – |"), table);
        assertFalse(table.contains("NaN"), table);
    }

    /** A lone iteration whose probe shared a core with a third thread is not a placement. */
    @Test
    void shouldNotMakeAPlacementOfOneOutlier() {
        assertEquals(Double.POSITIVE_INFINITY, PlacementLog.farNanos(roundTrips(264, 274, 367, 413, 2023)));
        double far = PlacementLog.farNanos(roundTrips(60, 70, 80, 90, 500, 520, 540, 5000));
        assertEquals(Math.sqrt(90 * 500), far, 1e-9); // the real gap, not the one below the outlier
    }
}
