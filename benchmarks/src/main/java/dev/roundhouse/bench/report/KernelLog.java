package dev.roundhouse.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the kernel did during each measurement of the echo matrix ({@code kernel.tsv}, written by
 * {@code benchmarks/run-matrix.sh}), rendered as one table: the share of the server's CPU spent in
 * softirq (the loopback's receive processing, which the matrix steers to that CPU), how often the
 * server's threads blocked per operation (a readiness loop about once per 1-connection round trip,
 * the iocp backend in its hand-off design twice: the JDK's I/O thread and the loop thread), and how
 * many events each of the load generator's waits that returned any brought ({@code io_uring_enter}
 * where it runs over io_uring, else {@code epoll_wait}).
 *
 * <p>The third figure shows whether the echoes reached the client in convoys (tens of events per
 * wait) or one by one (1-5). On 64-connection ping-pong the same server, in the same minutes, lands
 * at one of a few throughputs up to 1.8× apart for the life of a run; with the load generator
 * blocking, the slow runs of the io_uring servers were the trickling ones, with it spinning the
 * batching no longer tells (BENCHMARKS.md, *Reading the figures*).
 */
final class KernelLog {
    /** One measurement's row. */
    record Row(String impl, String workload, double softirqServerCpuPct, double serverBlocksPerOp,
               double clientEventsPerWait) {
    }

    private KernelLog() {
    }

    /**
     * Reads {@code kernel.tsv} (header first; columns run, impl, workload, IPIs per op on CPUs 0
     * and 1, softirq % of CPUs 0 and 1, server blocks per op, client events per wait). Lines with
     * fewer columns, or a value that is not a number, are skipped: a failed measurement writes none.
     */
    static List<Row> read(Path tsv) throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(tsv);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.split("\t");
            if (f.length < 9) {
                continue;
            }
            try {
                rows.add(new Row(f[1], f[2], Double.parseDouble(f[5]), Double.parseDouble(f[7]),
                        Double.parseDouble(f[8])));
            } catch (NumberFormatException e) {
                // a run without the load generator's count (an older loadgen): nothing to show
            }
        }
        return rows;
    }

    /**
     * The table: one row per server in first-seen order, one column per workload in {@code workloads}
     * order; each cell the median softirq share of the server's CPU, the median server blocks per
     * operation and the median events per wait with the runs' range, or "–" where the server has no
     * row for the workload.
     */
    static String render(List<Row> rows, List<String> workloads) {
        Map<String, Map<String, List<Row>>> byImpl = new LinkedHashMap<>();
        for (Row r : rows) {
            byImpl.computeIfAbsent(r.impl(), k -> new LinkedHashMap<>())
                  .computeIfAbsent(r.workload(), k -> new ArrayList<>()).add(r);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("#### Kernel work, server waits and the client's batching (softirq % of the server's CPU · ")
          .append("server blocks per operation · load generator's events per wait (`io_uring_enter` ")
          .append("where it runs over io_uring, else `epoll_wait`), median ")
          .append("[min – max] of the runs)\n\n");
        sb.append("Most of the server's CPU is the kernel's receive processing of both directions (softirq); ")
          .append("the events per wait show whether the echoes reached the client in convoys (tens) or one by ")
          .append("one (1–5); see *Reading the figures*.\n\n| server |");
        for (String w : workloads) {
            sb.append(' ').append(w).append(" |");
        }
        sb.append("\n|---|").append("--:|".repeat(workloads.size())).append('\n');
        for (Map.Entry<String, Map<String, List<Row>>> e : byImpl.entrySet()) {
            sb.append("| ").append(e.getKey()).append(" |");
            for (String w : workloads) {
                List<Row> cell = e.getValue().get(w);
                if (cell == null) {
                    sb.append(" – |");
                    continue;
                }
                List<Double> softirq = new ArrayList<>();
                List<Double> blocks = new ArrayList<>();
                List<Double> events = new ArrayList<>();
                for (Row r : cell) {
                    softirq.add(r.softirqServerCpuPct());
                    blocks.add(r.serverBlocksPerOp());
                    events.add(r.clientEventsPerWait());
                }
                sb.append(' ').append(MatrixReport.fmt(Stats.median(softirq))).append(" % · ")
                  .append(String.format(Locale.ROOT, "%.2f", Stats.median(blocks))).append(" · ")
                  .append(MatrixReport.fmt(Stats.median(events))).append(" [")
                  .append(MatrixReport.fmt(Stats.min(events))).append(" – ")
                  .append(MatrixReport.fmt(Stats.max(events))).append("] |");
            }
            sb.append('\n');
        }
        return sb.append('\n').toString();
    }
}
