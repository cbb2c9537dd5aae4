package dev.roundhouse.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measured JMH iterations paired with the core-to-core round trip that
 * {@code dev.roundhouse.bench.jmh.Placement} printed before each, read from JMH's text output, and
 * their scores split by placement, so that Roundhouse and Netty are compared under the same
 * placement only. On the 2-vCPU VM of 2026-11-22 the vCPUs sat either on cores that share a cache
 * (round trip ~50-140 ns) or on cores that do not (~470-600 ns), switching every few seconds to
 * minutes, and cross-thread scores followed; on the VM of 2026-12-03 it sat at ~250-500 ns nearly
 * all the time, a spread with no gap in it. So the split is not a fixed threshold: it is drawn in
 * the widest gap between the measured round trips, and only if that gap is a factor of
 * {@link #MIN_GAP} or more ({@link #farNanos(double[])}).
 */
final class PlacementLog {
    /** Two placements are told apart only across a gap of at least this factor in round trip. */
    static final double MIN_GAP = 2.0;
    private static final Pattern BENCHMARK = Pattern.compile("^# Benchmark: \\S*?\\.(\\w+\\.\\w+)$");
    private static final Pattern IMPL = Pattern.compile("^# Parameters: \\(impl = ([^,)]+)");
    private static final Pattern PROBE = Pattern.compile(
            "^Iteration\\s+\\d+: # core-to-core round trip: (?:(\\d+) ns|unknown)$");
    /** A measured iteration's score: throughput, or the mean of a sampled time (with its error). */
    private static final Pattern SCORE = Pattern.compile("^([\\d.]+)(?: ±\\(99\\.9%\\) [\\d.]+)? (\\S+)$");

    record Iteration(String benchmark, String impl, double roundTripNanos, double score, String unit) {
        /** A time per operation (JMH's {@code us/op} etc.): lower is better. */
        boolean lowerIsBetter() {
            return unit.endsWith("/op");
        }
    }

    private PlacementLog() {
    }

    /** The measured iterations with a probe in {@code log} (warm-up iterations are left out). */
    static List<Iteration> read(Path log) throws IOException {
        List<Iteration> out = new ArrayList<>();
        String benchmark = null;
        String impl = null;
        Double probe = null; // the probe of the measured iteration whose score comes next
        for (String line : Files.readAllLines(log)) {
            Matcher m;
            if ((m = BENCHMARK.matcher(line)).matches()) {
                benchmark = m.group(1);
            } else if ((m = IMPL.matcher(line)).find()) {
                impl = m.group(1);
            } else if ((m = PROBE.matcher(line)).matches()) {
                probe = m.group(1) == null ? Double.NaN : Double.parseDouble(m.group(1));
            } else if (probe != null && (m = SCORE.matcher(line)).matches()) {
                if (!probe.isNaN() && benchmark != null && impl != null) {
                    out.add(new Iteration(benchmark, impl, probe, Double.parseDouble(m.group(1)), m.group(2)));
                }
                probe = null;
            } else {
                probe = null;
            }
        }
        return out;
    }

    /**
     * Where "far" begins among {@code iterations}' probes ({@link #farNanos(double[])}).
     */
    static double farNanos(List<Iteration> iterations) {
        return farNanos(iterations.stream().mapToDouble(Iteration::roundTripNanos).toArray());
    }

    /**
     * Where "far" begins: the geometric middle of the widest gap between two consecutive measured
     * round trips (sorted), if that gap is a factor of {@link #MIN_GAP} or more and leaves at least
     * 2 probes and 5% of them on each side (so that one probe that shared its core with a third
     * thread, a round trip of microseconds, does not make a placement of its own);
     * {@code +Infinity} when no gap qualifies: one placement. Also the matrix's split
     * ({@link MatrixPlacement}).
     */
    static double farNanos(double[] roundTrips) {
        double[] rt = roundTrips.clone();
        Arrays.sort(rt);
        int minSide = Math.max(2, (int) Math.ceil(rt.length * 0.05));
        double best = MIN_GAP;
        double split = Double.POSITIVE_INFINITY;
        for (int i = minSide; i <= rt.length - minSide; i++) {
            double below = Math.max(rt[i - 1], 1); // a 0 ns probe must not make an infinite gap
            if (rt[i] / below >= best) {
                best = rt[i] / below;
                split = Math.sqrt(rt[i] * below);
            }
        }
        return split;
    }

    /**
     * A table per benchmark: per impl, the measured iterations and median score under each
     * placement; then the ratio of each Roundhouse loop to each counterpart {@code pairs} names,
     * per placement, oriented so that ≥ 1.00 means Roundhouse is at least as good. Empty when no
     * iteration had a probe.
     */
    static String render(List<Iteration> iterations, BiFunction<String, String, Boolean> pairs) {
        if (iterations.isEmpty()) {
            return "";
        }
        double far = farNanos(iterations);
        DoubleSummaryStatistics all = iterations.stream().mapToDouble(Iteration::roundTripNanos).summaryStatistics();
        Map<String, Map<String, List<Iteration>>> byBench = new LinkedHashMap<>();
        for (Iteration it : iterations) {
            byBench.computeIfAbsent(it.benchmark(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(it.impl(), k -> new ArrayList<>()).add(it);
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "#### By core placement (core-to-core round trip measured before each iteration: %.0f-%.0f ns; %s)%n%n",
                all.getMin(), all.getMax(), Double.isInfinite(far)
                        ? "no gap of " + (int) MIN_GAP + "x between them, so one placement: all are near"
                        : String.format(Locale.ROOT, "far ≥ %.0f ns, the middle of their widest gap", far)));
        sb.append("| benchmark | impl | near: iterations | near: median | far: iterations | far: median | unit |\n")
                .append("|---|---|--:|--:|--:|--:|---|\n");
        byBench.forEach((bench, impls) -> impls.forEach((impl, its) -> {
            List<Double> nearScores = scores(its, far, false);
            List<Double> farScores = scores(its, far, true);
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %d | %s | %s |%n", bench, impl,
                    nearScores.size(), MatrixReport.fmt(Stats.median(nearScores)), farScores.size(),
                    MatrixReport.fmt(Stats.median(farScores)), its.get(0).unit()));
        }));
        sb.append("\n| benchmark | pair | ratio near | ratio far |\n|---|---|--:|--:|\n");
        byBench.forEach((bench, impls) -> impls.forEach((impl, its) -> {
            if (!impl.startsWith("roundhouse-")) {
                return;
            }
            impls.forEach((other, theirs) -> {
                if (pairs.apply(impl, other)) {
                    boolean lower = its.get(0).lowerIsBetter();
                    sb.append(String.format(Locale.ROOT, "| %s | %s / %s | %s | %s |%n", bench, impl, other,
                            ratio(scores(its, far, false), scores(theirs, far, false), lower),
                            ratio(scores(its, far, true), scores(theirs, far, true), lower)));
                }
            });
        }));
        return sb.toString();
    }

    private static List<Double> scores(List<Iteration> its, double farNanos, boolean far) {
        return its.stream().filter(i -> (i.roundTripNanos() >= farNanos) == far).map(Iteration::score).toList();
    }

    /** Oriented so that ≥ 1.00 means ours is at least as good: throughput ours/theirs, time theirs/ours. */
    private static String ratio(List<Double> ours, List<Double> theirs, boolean lowerIsBetter) {
        if (ours.isEmpty() || theirs.isEmpty()) {
            return "–";
        }
        double r = lowerIsBetter ? Stats.median(theirs) / Stats.median(ours) : Stats.median(ours) / Stats.median(theirs);
        return String.format(Locale.ROOT, "%.2f", r);
    }
}
