package dev.roundhouse.bench.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
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
}
