package dev.roundhouse.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The vCPU placement of each run of a matrix ({@code placement.tsv}: the core-to-core round trip
 * {@code run-matrix.sh} measured right before and right after each run), and the Roundhouse/other
 * ratios of the runs made at one placement.
 *
 * <p><b>Why.</b> On the 2-vCPU VM the two vCPUs sit either on cores that share a cache or on cores
 * that do not, and the host moves them every few seconds to minutes. Every figure that carries data
 * between the server's CPU and the load generator's follows: on 2026-12-07 (Temurin 25, 08:20)
 * streaming read 1,289–1,629 MiB/s in the runs whose two probes were both near (~60–90 ns) and
 * 696–935 in those whose probes were both far (~340–380 ns), for every server alike. With three
 * runs per server, a median can then compare one server's near runs with another's far ones: iocp's
 * 0.55 of Netty nio there was its three runs, all far, against Netty nio's two near ones. So the
 * report adds the ratios taken at one placement.
 *
 * <p>A run counts as near or far only when both of its probes are on the same side of the split
 * ({@link PlacementLog#farNanos(double[])}, drawn in the widest gap of all the matrix's probes); a
 * run whose placement moved between them, or that has no numeric probe (nothing pinned, "-"), is
 * left out of these ratios.
 */
final class MatrixPlacement {
    /** Where a run ran. */
    enum Where { NEAR, FAR, MOVED }

    private final Map<String, double[]> probes = new HashMap<>();
    private final double farNanos;
    private final double minNanos;
    private final double maxNanos;

    private MatrixPlacement(Map<String, double[]> probes) {
        this(probes, split(probes));
    }

    private MatrixPlacement(Map<String, double[]> probes, double farNanos) {
        this.probes.putAll(probes);
        this.farNanos = farNanos;
        double[] all = probeValues(probes);
        this.minNanos = Arrays.stream(all).min().orElse(Double.NaN);
        this.maxNanos = Arrays.stream(all).max().orElse(Double.NaN);
    }

    private static double[] probeValues(Map<String, double[]> probes) {
        return probes.values().stream().flatMapToDouble(Arrays::stream).toArray();
    }

    private static double split(Map<String, double[]> probes) {
        return PlacementLog.farNanos(probeValues(probes)); // no probes: no gap, +Infinity
    }

    /** Every probe of this matrix, in ns (two per run that has them). */
    double[] probeValues() {
        return probeValues(probes);
    }

    /**
     * These runs split at {@code farNanos} instead of their own widest gap: for pooling matrices,
     * one of which may sit at one placement throughout (no gap of its own to split at).
     */
    MatrixPlacement withSplit(double farNanos) {
        return new MatrixPlacement(probes, farNanos);
    }

    /**
     * Reads {@code placement.tsv} (header line first; run, impl, workload, round trip before, round
     * trip after, in ns). Lines without two numeric probes are skipped.
     */
    static MatrixPlacement read(Path tsv) throws IOException {
        Map<String, double[]> probes = new HashMap<>();
        List<String> lines = Files.readAllLines(tsv);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.split("\t");
            if (f.length < 5 || !numeric(f[3]) || !numeric(f[4])) {
                continue;
            }
            probes.put(key(f[0], f[1], f[2]), new double[] {Double.parseDouble(f[3]), Double.parseDouble(f[4])});
        }
        return new MatrixPlacement(probes);
    }

    private static boolean numeric(String s) {
        return s.matches("\\d+(\\.\\d+)?");
    }

    private static String key(String run, String impl, String workload) {
        return run + "\t" + impl + "\t" + workload;
    }

    /** Where that run ran: {@link Where#MOVED} also when it has no probes. */
    Where of(String run, String impl, String workload) {
        double[] p = probes.get(key(run, impl, workload));
        return p == null ? Where.MOVED : of(p);
    }

    /** Where a run with these two probes (before, after) ran. */
    private Where of(double[] p) {
        Where before = where(p[0]);
        return before == where(p[1]) ? before : Where.MOVED;
    }

    /**
     * How many runs of {@code impl} on {@code workload} ran at {@code where} (both probes on that
     * side of the split).
     */
    int count(String impl, String workload, Where where) {
        int n = 0;
        for (Map.Entry<String, double[]> e : probes.entrySet()) {
            String[] f = e.getKey().split("\t");
            if (f[1].equals(impl) && f[2].equals(workload) && of(e.getValue()) == where) {
                n++;
            }
        }
        return n;
    }

    /**
     * Where a probe taken now falls, split in the widest gap of this matrix's probes and that one
     * ({@link PlacementLog#farNanos(double[])}); the matrix itself split the same way. With no gap
     * yet (one placement seen so far) everything is {@link Where#NEAR}: the one placement.
     */
    MatrixPlacement withProbe(double probeNanos) {
        double[] own = probeValues();
        double[] all = Arrays.copyOf(own, own.length + 1);
        all[own.length] = probeNanos;
        return withSplit(PlacementLog.farNanos(all));
    }

    /** Where a run whose two probes both read {@code probeNanos} counts. */
    Where where(double probeNanos) {
        return probeNanos >= farNanos ? Where.FAR : Where.NEAR;
    }

    /** Whether the probes fall on two sides of a gap: else there is one placement and nothing to split. */
    boolean split() {
        return !Double.isInfinite(farNanos);
    }

    /** The values of {@code values} (index by index with {@code cell.runs()}) of the runs at {@code where}. */
    List<Double> at(Results.Cell cell, String impl, String workload, Where where,
                    Function<Results.Cell, List<Double>> values) {
        List<Double> out = new ArrayList<>();
        if (cell == null) {
            return out;
        }
        List<Double> all = values.apply(cell);
        for (int i = 0; i < all.size() && i < cell.runs().size(); i++) {
            if (of(cell.runs().get(i), impl, workload) == where) {
                out.add(all.get(i));
            }
        }
        return out;
    }

    /**
     * The section: for each pair (Roundhouse server, other) and workload, the ratio near and far,
     * oriented as the report's ratios ({@link MatrixReport#oriented}), with the
     * runs counted on each side; one sentence instead when {@link #split()} is false (one
     * placement throughout), nothing when no run has probes.
     */
    String render(Results r, List<String[]> workloads, List<String[]> pairs) {
        if (probes.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("#### Ratios at one vCPU placement\n\n");
        if (!split()) {
            return sb.append(String.format(Locale.ROOT, "The core-to-core round trips measured before and after "
                    + "each run (%.0f–%.0f ns) have no gap of %dx between them: one placement throughout, and the "
                    + "ratios above need no split.%n%n", minNanos, maxNanos, (int) PlacementLog.MIN_GAP)).toString();
        }
        int total = 0;
        int moved = 0;
        for (String impl : r.impls()) {
            for (String[] w : workloads) {
                Results.Cell c = r.cell(impl, w[0]);
                if (c != null) {
                    for (String run : c.runs()) {
                        total++;
                        moved += of(run, impl, w[0]) == Where.MOVED ? 1 : 0;
                    }
                }
            }
        }
        sb.append(String.format(Locale.ROOT, "Whether the two vCPUs sit on cores that share a cache moves every "
                + "figure that carries data between the server's CPU and the load generator's, and the host moves "
                + "them every few seconds to minutes, so the medians above can compare one server's runs at one "
                + "placement with another's at the other. The core-to-core round trip was measured right before and "
                + "right after each run (`placement.tsv`: %.0f–%.0f ns; far ≥ %.0f ns, the middle of their widest "
                + "gap). A run is near or far when both its probes agree; the %d of %d runs whose probes did not (or "
                + "that have none) are left out here. Each cell: the ratio of the medians at that placement, "
                + "oriented as above, then the runs it took (ours/other); `–` where either side has none.%n%n",
                minNanos, maxNanos, farNanos, moved, total));
        sb.append("| pair |");
        for (String[] w : workloads) {
            sb.append(' ').append(w[0]).append(" near | ").append(w[0]).append(" far |");
        }
        sb.append("\n|---|").append("--:|--:|".repeat(workloads.size())).append('\n');
        for (String[] pair : pairs) {
            sb.append("| ").append(pair[0]).append(" / ").append(pair[1]).append(" |");
            for (String[] w : workloads) {
                Function<Results.Cell, List<Double>> values = MatrixReport.ranked(w[0]);
                for (Where where : new Where[] {Where.NEAR, Where.FAR}) {
                    List<Double> ours = at(r.cell(pair[0], w[0]), pair[0], w[0], where, values);
                    List<Double> other = at(r.cell(pair[1], w[0]), pair[1], w[0], where, values);
                    if (ours.isEmpty() || other.isEmpty()) {
                        sb.append(" – |");
                    } else {
                        sb.append(' ').append(MatrixReport.oriented(w[0], ours, other)).append(" (").append(ours.size()).append('/')
                          .append(other.size()).append(") |");
                    }
                }
            }
            sb.append('\n');
        }
        return sb.append('\n').toString();
    }
}
