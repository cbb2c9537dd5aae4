package dev.roundhouse.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The runs of several matrices pooled by vCPU placement: for each JDK, workload and pair, the
 * medians of every run made near and of every run made far, with their counts and ratios.
 *
 * <pre>
 *   PlacementPool bench-results/DIR [bench-results/DIR ...]
 * </pre>
 *
 * Each DIR is a {@code run-matrix.sh} output directory ({@code results.tsv}, {@code placement.tsv},
 * {@code machine.txt}); one without {@code placement.tsv} is skipped, said on standard error. A run
 * is near or far when both its probes are on one side of the widest gap among all the pooled
 * matrices' probes ({@link PlacementLog#farNanos(double[])}; not each matrix's own, since a short
 * one may sit at one placement throughout); runs that moved are left out. Matrices are grouped by
 * the JDK's feature release named in {@code machine.txt}.
 *
 * <p><b>Why.</b> A matrix has three runs per server, and the host moves the vCPUs as it likes, so
 * its *Ratios at one vCPU placement* table has many empty cells and many of one run a side
 * (2026-12-07: iocp's streaming far against Netty nio read 0.84, 0.84, 0.87, 0.84 and 1.09 in five
 * matrices, from one to three runs a side). Pooling the day's matrices of one JDK gives each
 * placement enough runs to say something: that day, 11 of iocp's far runs against 5 of Netty
 * nio's.
 */
public final class PlacementPool {
    private PlacementPool() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: PlacementPool bench-results/DIR [bench-results/DIR ...]");
            System.exit(2);
        }
        List<Path> dirs = new ArrayList<>();
        for (String a : args) {
            dirs.add(Path.of(a));
        }
        System.out.print(render(dirs));
    }

    /** One pooled figure: values of ours and of the other, near and far. */
    private static final class Pool {
        final List<Double> oursNear = new ArrayList<>();
        final List<Double> otherNear = new ArrayList<>();
        final List<Double> oursFar = new ArrayList<>();
        final List<Double> otherFar = new ArrayList<>();
    }

    static String render(List<Path> dirs) throws IOException {
        // JDK -> "workload\tours\tother" -> pool, in table order
        Map<String, Map<String, Pool>> pools = new TreeMap<>();
        Map<String, Integer> matrices = new TreeMap<>();
        StringBuilder skipped = new StringBuilder();
        List<Path> read = new ArrayList<>();
        List<MatrixPlacement> placements = new ArrayList<>();
        List<Double> probes = new ArrayList<>();
        for (Path dir : dirs) {
            if (!Files.exists(dir.resolve("placement.tsv")) || !Files.exists(dir.resolve("results.tsv"))) {
                skipped.append("skipped ").append(dir).append(": no results.tsv and placement.tsv\n");
                continue;
            }
            MatrixPlacement p = MatrixPlacement.read(dir.resolve("placement.tsv"));
            for (double v : p.probeValues()) {
                probes.add(v);
            }
            read.add(dir);
            placements.add(p);
        }
        double farNanos = PlacementLog.farNanos(probes.stream().mapToDouble(Double::doubleValue).toArray());
        for (int di = 0; di < read.size(); di++) {
            Path dir = read.get(di);
            Results r = Results.read(dir.resolve("results.tsv"));
            MatrixPlacement p = placements.get(di).withSplit(farNanos);
            String jdk = jdk(dir.resolve("machine.txt"));
            matrices.merge(jdk, 1, Integer::sum);
            Map<String, Pool> byFigure = pools.computeIfAbsent(jdk, k -> new TreeMap<>());
            List<String[]> workloads = MatrixReport.measured(r);
            for (int wi = 0; wi < workloads.size(); wi++) {
                String w = workloads.get(wi)[0];
                Function<Results.Cell, List<Double>> values = MatrixReport.ranked(w);
                for (String[] pair : MatrixReport.pairs(r)) {
                    Pool pool = byFigure.computeIfAbsent(wi + "\t" + w + "\t" + pair[0] + "\t" + pair[1], k -> new Pool());
                    Results.Cell ours = r.cell(pair[0], w);
                    Results.Cell other = r.cell(pair[1], w);
                    pool.oursNear.addAll(p.at(ours, pair[0], w, MatrixPlacement.Where.NEAR, values));
                    pool.otherNear.addAll(p.at(other, pair[1], w, MatrixPlacement.Where.NEAR, values));
                    pool.oursFar.addAll(p.at(ours, pair[0], w, MatrixPlacement.Where.FAR, values));
                    pool.otherFar.addAll(p.at(other, pair[1], w, MatrixPlacement.Where.FAR, values));
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        if (Double.isInfinite(farNanos)) {
            sb.append("The probes have no gap of ").append((int) PlacementLog.MIN_GAP)
              .append("x between them: one placement, every run counted as near.\n\n");
        } else {
            sb.append(String.format(Locale.ROOT, "Far: both probes of a run ≥ %.0f ns, the middle of the widest gap "
                    + "among all %d probes.%n%n", farNanos, probes.size()));
        }
        pools.forEach((jdk, byFigure) -> {
            sb.append(String.format(Locale.ROOT, "#### JDK %s: runs at one vCPU placement, pooled over %d matrices%n%n",
                    jdk, matrices.get(jdk)));
            sb.append("Medians (runs); ratios oriented as the matrix's (≥ 1.00: Roundhouse at least as good; rate64 by ")
              .append("p99, other over ours), `~` where the two sides' ranges overlap.\n\n");
            sb.append("| workload | pair | near: ours | near: other | near ratio | far: ours | far: other | far ratio |\n")
              .append("|---|---|--:|--:|--:|--:|--:|--:|\n");
            byFigure.forEach((key, pool) -> {
                String[] k = key.split("\t");
                if (pool.oursNear.size() + pool.otherNear.size() + pool.oursFar.size() + pool.otherFar.size() == 0) {
                    return; // a workload one matrix ran and this pair's never did
                }
                sb.append("| ").append(k[1]).append(" | ").append(k[2]).append(" / ").append(k[3]).append(" | ")
                  .append(figure(pool.oursNear)).append(" | ").append(figure(pool.otherNear)).append(" | ")
                  .append(ratio(k[1], pool.oursNear, pool.otherNear)).append(" | ")
                  .append(figure(pool.oursFar)).append(" | ").append(figure(pool.otherFar)).append(" | ")
                  .append(ratio(k[1], pool.oursFar, pool.otherFar)).append(" |\n");
            });
            sb.append('\n');
        });
        System.err.print(skipped);
        return sb.toString();
    }

    private static String figure(List<Double> xs) {
        return xs.isEmpty() ? "–" : MatrixReport.fmt(Stats.median(xs)) + " (" + xs.size() + ")";
    }

    private static String ratio(String workload, List<Double> ours, List<Double> other) {
        return ours.isEmpty() || other.isEmpty() ? "–" : MatrixReport.oriented(workload, ours, other);
    }

    /** The JDK's feature release from {@code machine.txt}'s "jdk: 17.0.15+6-…" line, or "unknown". */
    private static String jdk(Path machine) throws IOException {
        if (!Files.exists(machine)) {
            return "unknown";
        }
        for (String line : Files.readAllLines(machine)) {
            if (line.startsWith("jdk: ")) {
                String v = line.substring(5).trim();
                int end = 0;
                while (end < v.length() && Character.isDigit(v.charAt(end))) {
                    end++;
                }
                return end == 0 ? "unknown" : v.substring(0, end);
            }
        }
        return "unknown";
    }
}
