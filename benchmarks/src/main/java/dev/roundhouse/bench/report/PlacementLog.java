package dev.roundhouse.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * their scores split by placement: on this machine the two vCPUs sit either on cores that share a
 * cache (round trip ~50-140 ns) or on cores that do not (~470-600 ns), and cross-thread scores
 * follow that, so Roundhouse and Netty are compared under the same placement only.
 */
final class PlacementLog {
    /** Round trips at or above this are "far"; the two placements measured 50-140 and 470-600 ns. */
    static final double FAR_NANOS = 300;
    private static final Pattern BENCHMARK = Pattern.compile("^# Benchmark: \\S*?\\.(\\w+\\.\\w+)$");
    private static final Pattern IMPL = Pattern.compile("^# Parameters: \\(impl = ([^,)]+)");
    private static final Pattern PROBE = Pattern.compile(
            "^Iteration\\s+\\d+: # core-to-core round trip: (?:(\\d+) ns|unknown)$");
    /** A measured iteration's score: throughput, or the mean of a sampled time (with its error). */
    private static final Pattern SCORE = Pattern.compile("^([\\d.]+)(?: ±\\(99\\.9%\\) [\\d.]+)? (\\S+)$");

    record Iteration(String benchmark, String impl, double roundTripNanos, double score, String unit) {
        boolean far() {
            return roundTripNanos >= FAR_NANOS;
        }

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
     * A table per benchmark: per impl, the measured iterations and median score under each
     * placement; then the ratio of each Roundhouse loop to each counterpart {@code pairs} names,
     * per placement, oriented so that ≥ 1.00 means Roundhouse is at least as good. Empty when no
     * iteration had a probe.
     */
    static String render(List<Iteration> iterations, BiFunction<String, String, Boolean> pairs) {
        if (iterations.isEmpty()) {
            return "";
        }
        Map<String, Map<String, List<Iteration>>> byBench = new LinkedHashMap<>();
        for (Iteration it : iterations) {
            byBench.computeIfAbsent(it.benchmark(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(it.impl(), k -> new ArrayList<>()).add(it);
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "#### By core placement (core-to-core round trip measured before each iteration; far ≥ %.0f ns)%n%n",
                FAR_NANOS));
        sb.append("| benchmark | impl | near: iterations | near: median | far: iterations | far: median | unit |\n")
                .append("|---|---|--:|--:|--:|--:|---|\n");
        byBench.forEach((bench, impls) -> impls.forEach((impl, its) -> {
            List<Double> near = scores(its, false);
            List<Double> far = scores(its, true);
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %d | %s | %s |%n", bench, impl,
                    near.size(), MatrixReport.fmt(Stats.median(near)), far.size(),
                    MatrixReport.fmt(Stats.median(far)), its.get(0).unit()));
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
                            ratio(scores(its, false), scores(theirs, false), lower),
                            ratio(scores(its, true), scores(theirs, true), lower)));
                }
            });
        }));
        return sb.toString();
    }

    private static List<Double> scores(List<Iteration> its, boolean far) {
        return its.stream().filter(i -> i.far() == far).map(Iteration::score).toList();
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
