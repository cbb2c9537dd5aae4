package dev.roundhouse.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class JmhReportTest {

    @Test
    void shouldPairEachLoopWithItsNettyCounterpartAndIoUringDispatchWithNettyEpoll() {
        List<JmhReport.Row> rows = List.of(
                new JmhReport.Row("ExecuteBenchmark.executeThroughput", "thrpt", 30, 1, "ops/us", "roundhouse-io_uring"),
                new JmhReport.Row("ExecuteBenchmark.executeThroughput", "thrpt", 20, 1, "ops/us", "netty-io_uring"),
                new JmhReport.Row("ExecuteBenchmark.executeThroughput", "thrpt", 25, 1, "ops/us", "netty-epoll"),
                new JmhReport.Row("DispatchBenchmark.dispatch", "thrpt", 8, 1, "ops/us", "roundhouse-io_uring"),
                new JmhReport.Row("DispatchBenchmark.dispatch", "thrpt", 10, 1, "ops/us", "netty-epoll"));
        String table = JmhReport.render(rows, "machine");
        assertTrue(table.contains("| ExecuteBenchmark.executeThroughput | roundhouse-io_uring / netty-io_uring | 1.50 |"),
                table);
        assertFalse(table.contains("ExecuteBenchmark.executeThroughput | roundhouse-io_uring / netty-epoll"), table);
        assertTrue(table.contains("| DispatchBenchmark.dispatch | roundhouse-io_uring / netty-epoll | 0.80 |"), table);
    }

    @Test
    void shouldReportTheMedianOfTheRoundsWithTheirRangeAndRatioTheMedians() {
        String bench = "TimerBenchmark.scheduleCancelCrossThread";
        List<JmhReport.Row> rounds = List.of( // three rounds, the second in reverse order
                new JmhReport.Row(bench, "thrpt", 6, 0.5, "ops/us", "roundhouse-nio"),
                new JmhReport.Row(bench, "thrpt", 4, 0.5, "ops/us", "netty-nio"),
                new JmhReport.Row(bench, "thrpt", 5, 0.5, "ops/us", "netty-nio"),
                new JmhReport.Row(bench, "thrpt", 10, 0.5, "ops/us", "roundhouse-nio"),
                new JmhReport.Row(bench, "thrpt", 3, 0.5, "ops/us", "roundhouse-nio"),
                new JmhReport.Row(bench, "thrpt", 9, 0.5, "ops/us", "netty-nio"));
        List<JmhReport.Row> combined = JmhReport.combineRounds(rounds);
        assertEquals(2, combined.size(), combined::toString);
        JmhReport.Row ours = combined.get(0);
        assertEquals("roundhouse-nio", ours.impl());
        assertEquals(6, ours.score()); // the median of 6, 10 and 3, not their mean
        assertEquals(3, ours.rounds());
        assertEquals(3, ours.low());
        assertEquals(10, ours.high());
        String table = JmhReport.render(combined, "machine");
        assertTrue(table.contains("| " + bench + " | roundhouse-nio | 6.0 | 3.0 – 10.0 (3 rounds) | ops/us |"), table);
        // medians 6 / 5 (the means would give 1.06); the rounds 3–10 and 4–9 overlap
        assertTrue(table.contains("| " + bench + " | roundhouse-nio / netty-nio | ~1.20 |"), table);
    }

    @Test
    void shouldMarkARatioOnlyWhenTheRoundsRangesOverlap() {
        String bench = "ExecuteBenchmark.executeThroughput";
        List<JmhReport.Row> apart = JmhReport.combineRounds(List.of(
                new JmhReport.Row(bench, "thrpt", 10, 0.5, "ops/us", "roundhouse-epoll"),
                new JmhReport.Row(bench, "thrpt", 11, 0.5, "ops/us", "roundhouse-epoll"),
                new JmhReport.Row(bench, "thrpt", 12, 0.5, "ops/us", "roundhouse-epoll"),
                new JmhReport.Row(bench, "thrpt", 5, 0.5, "ops/us", "netty-epoll"),
                new JmhReport.Row(bench, "thrpt", 5.5, 0.5, "ops/us", "netty-epoll"),
                new JmhReport.Row(bench, "thrpt", 9.9, 0.5, "ops/us", "netty-epoll")));
        String table = JmhReport.render(apart, "machine");
        assertTrue(table.contains("| " + bench + " | roundhouse-epoll / netty-epoll | 2.00 |"), table);
        List<JmhReport.Row> touching = JmhReport.combineRounds(List.of(
                new JmhReport.Row(bench, "thrpt", 10, 0.5, "ops/us", "roundhouse-epoll"),
                new JmhReport.Row(bench, "thrpt", 11, 0.5, "ops/us", "roundhouse-epoll"),
                new JmhReport.Row(bench, "thrpt", 12, 0.5, "ops/us", "roundhouse-epoll"),
                new JmhReport.Row(bench, "thrpt", 5, 0.5, "ops/us", "netty-epoll"),
                new JmhReport.Row(bench, "thrpt", 5.5, 0.5, "ops/us", "netty-epoll"),
                new JmhReport.Row(bench, "thrpt", 10, 0.5, "ops/us", "netty-epoll")));
        String touched = JmhReport.render(touching, "machine");
        assertTrue(touched.contains("| roundhouse-epoll / netty-epoll | ~2.00 |"), touched);
        JmhReport.Row single = new JmhReport.Row(bench, "thrpt", 11, 0.5, "ops/us", "roundhouse-epoll");
        JmhReport.Row other = new JmhReport.Row(bench, "thrpt", 11, 0.5, "ops/us", "netty-epoll");
        assertTrue(JmhReport.render(List.of(single, other), "m").contains("| roundhouse-epoll / netty-epoll | 1.00 |"),
                "one run has no range to overlap");
    }

    @Test
    void shouldPairALoopWithAListenerWithNettysLoopsWithOne() {
        String bench = "TimerBenchmark.fireAfter100us";
        List<JmhReport.Row> rows = List.of(
                new JmhReport.Row(bench, "avgt", 100, 1, "us/op", "roundhouse-iocp+listening"),
                new JmhReport.Row(bench, "avgt", 110, 1, "us/op", "netty-nio+listening"),
                new JmhReport.Row(bench, "avgt", 200, 1, "us/op", "netty-nio"),
                new JmhReport.Row(bench, "avgt", 150, 1, "us/op", "netty-hashedwheel"),
                new JmhReport.Row(bench, "avgt", 125, 1, "us/op", "roundhouse-iocp"));
        String table = JmhReport.render(rows, "machine");
        assertTrue(table.contains("| " + bench + " | roundhouse-iocp+listening / netty-nio+listening | 1.10 |"), table);
        assertFalse(table.contains("roundhouse-iocp+listening / netty-nio |"), table);
        assertFalse(table.contains("roundhouse-iocp+listening / netty-hashedwheel"), table);
        assertTrue(table.contains("| " + bench + " | roundhouse-iocp / netty-nio | 1.60 |"), table);
        assertTrue(table.contains("| " + bench + " | roundhouse-iocp / netty-hashedwheel | 1.20 |"), table);
        assertFalse(table.contains("roundhouse-iocp / netty-nio+listening"), table);
        assertTrue(JmhReport.paired("roundhouse-epoll+listening", "netty-epoll+listening"));
        assertFalse(JmhReport.paired("roundhouse-epoll+listening", "netty-epoll"));
    }

    @Test
    void shouldPairALoopWithAnIdleConnectionWithNettysLoopsWithOne() {
        assertTrue(JmhReport.paired("roundhouse-iocp+connected", "netty-nio+connected"));
        assertFalse(JmhReport.paired("roundhouse-iocp+connected", "netty-nio+listening"));
        assertFalse(JmhReport.paired("roundhouse-iocp+connected", "netty-nio"));
        assertFalse(JmhReport.paired("roundhouse-iocp+connected", "netty-hashedwheel"));
        assertTrue(JmhReport.paired("roundhouse-io_uring+connected", "netty-io_uring+connected"));
    }

    @Test
    void shouldKeepASingleRunAsJmhReportedIt() {
        JmhReport.Row one = new JmhReport.Row("ExecuteBenchmark.wakeupLatency", "sample", 8.5, 0.7, "us/op",
                "roundhouse-epoll");
        assertEquals(List.of(one), JmhReport.combineRounds(List.of(one)));
        assertTrue(JmhReport.render(List.of(one), "m").contains("| roundhouse-epoll | 8.5 | 0.7 | us/op |"));
    }

    @Test
    void shouldRefuseToCombineRoundsMeasuredInDifferentUnits() {
        List<JmhReport.Row> rows = List.of(
                new JmhReport.Row("ExecuteBenchmark.wakeupLatency", "sample", 8.5, 0.7, "us/op", "netty-epoll"),
                new JmhReport.Row("ExecuteBenchmark.wakeupLatency", "sample", 8500, 700, "ns/op", "netty-epoll"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JmhReport.combineRounds(rows));
        assertTrue(e.getMessage().contains("us/op") && e.getMessage().contains("ns/op"), e.getMessage());
    }
}
