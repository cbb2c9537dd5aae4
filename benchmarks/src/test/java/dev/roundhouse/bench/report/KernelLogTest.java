package dev.roundhouse.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelLogTest {

    /** kernel.tsv as run-matrix.sh writes it: two servers, pp64 in two regimes, one short line. */
    private static final String TSV = """
            run\timpl\tworkload\tipis_cpu0_per_op\tipis_cpu1_per_op\tsoftirq_cpu0_pct\tsoftirq_cpu1_pct\tserver_blocks_per_op\tclient_events_per_wait
            1\troundhouse-io_uring\tpp64\t0.277\t0.000\t80.9\t36.9\t0.004\t51.25
            1\tnetty-io_uring\tpp64\t0.280\t0.000\t79.1\t35.4\t0.001\t42.45
            2\troundhouse-io_uring\tpp64\t0.205\t0.158\t79.5\t21.4\t0.002\t2.16
            2\tnetty-io_uring\tpp64\t0.163\t0.099\t71.3\t20.2\t0.001\t2.65
            3\troundhouse-io_uring\tpp64\t0.191\t0.053\t81.7\t25.6\t0.002\t5.08
            3\troundhouse-io_uring\tpp1\t1.000\t1.000\t40.0\t10.0\t1.000\t1.00
            3\tnetty-io_uring\tpp64\t0.187
            """;

    @Test
    void shouldReadEveryCompleteLineAndSkipShortOnes(@TempDir Path dir) throws IOException {
        Path tsv = dir.resolve("kernel.tsv");
        Files.writeString(tsv, TSV);
        List<KernelLog.Row> rows = KernelLog.read(tsv);
        assertEquals(6, rows.size());
        assertEquals(new KernelLog.Row("roundhouse-io_uring", "pp64", 80.9, 0.004, 51.25), rows.get(0));
        assertEquals(new KernelLog.Row("roundhouse-io_uring", "pp1", 40.0, 1.0, 1.0), rows.get(5));
    }

    @Test
    void shouldShowTheMedianSoftirqShareAndTheRangeOfEventsPerWaitPerServerAndWorkload(@TempDir Path dir)
            throws IOException {
        Path tsv = dir.resolve("kernel.tsv");
        Files.writeString(tsv, TSV);
        String table = KernelLog.render(KernelLog.read(tsv), List.of("pp1", "pp64", "st16"));
        // ours: softirq 79.5, 80.9, 81.7 -> 80.9; blocks .004 .002 .002 -> .002;
        // events 2.16, 5.08, 51.25 -> 5.1
        assertTrue(table.contains(
                "| roundhouse-io_uring | 40.0 % · 1.00 · 1.0 [1.0 – 1.0] "
                        + "| 80.9 % · 0.00 · 5.1 [2.2 – 51.3] | – |"), table);
        // Netty: two complete runs -> means of the middle two
        assertTrue(table.contains("| netty-io_uring | – | 75.2 % · 0.00 · 22.6 [2.7 – 42.5] | – |"), table);
        assertTrue(table.contains("| server | pp1 | pp64 | st16 |\n|---|--:|--:|--:|\n"), table);
        assertFalse(table.contains("NaN"), table);
    }

    @Test
    void shouldRenderAnEmptyFileAsAHeaderWithoutRows(@TempDir Path dir) throws IOException {
        Path tsv = dir.resolve("kernel.tsv");
        Files.writeString(tsv, "");
        String table = KernelLog.render(KernelLog.read(tsv), List.of("pp1"));
        assertTrue(table.endsWith("| server | pp1 |\n|---|--:|\n\n"), table);
    }
}
