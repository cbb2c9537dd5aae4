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
 * Turns JMH's CSV results ({@code -rf csv}) into the JMH tables of BENCHMARKS.md: every score
 * with its error, and the ratio of each Roundhouse loop to its Netty counterpart measured in the
 * same run, oriented so that ≥ 1.00 means Roundhouse is at least as fast (throughput: RH/Netty;
 * time per operation: Netty/RH).
 *
 * <p>When several files hold the same benchmark and loop (the rounds of {@code run-jmh.sh}: each
 * round one fork of every pair, the loops' order reversed from one round to the next), the row
 * shows the median of the rounds' scores and their range instead of one run's error, and the ratio
 * is that of the medians. Rounds spread each pair over the whole run, so a drift of the machine
 * over minutes (the vCPUs' placement changes) falls on both loops of a pair instead of on whichever
 * JMH happened to run during it.
 *
 * <pre>
 *   JmhReport --machine machine.txt [--log jmh-output.txt ...] --write BENCHMARKS.md results1.csv [results2.csv ...]
 * </pre>
 *
 * <p>With {@code --log}, the measured iterations of the benchmarks that probe the cores' placement
 * are also tabled by placement ({@link PlacementLog}).
 */
public final class JmhReport {
    /** Roundhouse backend → counterparts, in the order their ratios are shown. */
    private static final Map<String, List<String>> PAIRS = Map.of(
            "nio", List.of("netty-nio", "netty-hashedwheel"),
            "epoll", List.of("netty-epoll", "netty-hashedwheel"),
            "io_uring", List.of("netty-io_uring", "netty-hashedwheel"),
            "iouring", List.of("netty-io_uring", "netty-hashedwheel"),
            "iocp", List.of("netty-nio", "netty-hashedwheel"));

    private JmhReport() {
    }

    /**
     * The counterparts of Roundhouse loop {@code impl} in {@code benchmark}. Netty's io_uring loop
     * cannot dispatch readiness of a channel of ours, so our io_uring loop's dispatch is compared
     * with Netty's epoll loop, the nearest Netty way to do it on Linux. A loop named with a suffix
     * (the benchmarks' {@code LoopUnderTest}: {@code +listening}, a listening socket in it;
     * {@code +connected}, that and an idle connection) is compared with Netty's loops of the same
     * suffix (not with the {@code HashedWheelTimer}, which has no loop).
     */
    static List<String> counterparts(String impl, String benchmark) {
        int plus = impl.indexOf('+');
        String suffix = plus < 0 ? "" : impl.substring(plus);
        String backend = impl.substring("roundhouse-".length(), plus < 0 ? impl.length() : plus);
        List<String> pairs = PAIRS.getOrDefault(backend, List.of());
        if (benchmark.startsWith("DispatchBenchmark") && (backend.equals("io_uring") || backend.equals("iouring"))) {
            pairs = List.of("netty-epoll");
        }
        if (!suffix.isEmpty()) {
            return pairs.stream().filter(p -> !p.equals("netty-hashedwheel")).map(p -> p + suffix).toList();
        }
        return pairs;
    }

    /** Whether {@code other} is a counterpart of Roundhouse loop {@code impl} (in any benchmark but dispatch). */
    static boolean paired(String impl, String other) {
        return impl.startsWith("roundhouse-") && counterparts(impl, "").contains(other);
    }

    /**
     * One benchmark and loop: {@code score} with JMH's {@code error} (one run), or the median of
     * {@code rounds} runs' scores with their range {@code low}–{@code high} (error NaN).
     */
    record Row(String benchmark, String mode, double score, double error, String unit, String impl,
               int rounds, double low, double high) {
        /** One run's result, as JMH's CSV gives it. */
        Row(String benchmark, String mode, double score, double error, String unit, String impl) {
            this(benchmark, mode, score, error, unit, impl, 1, score, score);
        }

        boolean higherIsBetter() {
            return mode.equals("thrpt");
        }
    }

    /**
     * Merges the rows of the same benchmark and loop (one per round) into one: the median score,
     * the range, the number of rounds. A row seen once is kept as it is. Order: first appearance.
     *
     * @throws IllegalArgumentException if two rows of one benchmark and loop differ in mode or unit
     */
    static List<Row> combineRounds(List<Row> rows) {
        Map<List<String>, List<Row>> groups = new LinkedHashMap<>();
        for (Row r : rows) {
            groups.computeIfAbsent(List.of(r.benchmark(), r.impl()), k -> new ArrayList<>()).add(r);
        }
        List<Row> out = new ArrayList<>();
        for (List<Row> g : groups.values()) {
            Row first = g.get(0);
            if (g.size() == 1) {
                out.add(first);
                continue;
            }
            List<Double> scores = new ArrayList<>();
            for (Row r : g) {
                if (!r.mode().equals(first.mode()) || !r.unit().equals(first.unit())) {
                    throw new IllegalArgumentException(first.benchmark() + " " + first.impl() + ": rounds in "
                            + first.mode() + " " + first.unit() + " and " + r.mode() + " " + r.unit()
                            + " cannot be combined");
                }
                if (!Double.isNaN(r.score())) {
                    scores.add(r.score());
                }
            }
            out.add(new Row(first.benchmark(), first.mode(), Stats.median(scores), Double.NaN, first.unit(),
                    first.impl(), scores.size(), Stats.min(scores), Stats.max(scores)));
        }
        return out;
    }

    public static void main(String[] args) throws IOException {
        String machine = "";
        String target = null;
        List<Row> rows = new ArrayList<>();
        List<PlacementLog.Iteration> iterations = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--machine" -> machine = Files.readString(Path.of(args[++i]));
                case "--write" -> target = args[++i];
                case "--log" -> iterations.addAll(PlacementLog.read(Path.of(args[++i])));
                default -> rows.addAll(read(Path.of(args[i])));
            }
        }
        String body = render(combineRounds(rows), machine) + "\n" + PlacementLog.render(iterations, JmhReport::paired);
        if (target == null) {
            System.out.print(body);
        } else {
            Sections.replace(Path.of(target), Sections.JMH, body);
        }
    }

    static List<Row> read(Path csv) throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(csv);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.replace("\"", "").split(",");
            if (f.length < 8) {
                continue;
            }
            int colon = f[0].indexOf(':');
            String full = colon < 0 ? f[0] : f[0].substring(0, colon);
            String name = full.substring(full.lastIndexOf('.', full.lastIndexOf('.') - 1) + 1)
                    + (colon < 0 ? "" : f[0].substring(colon));
            rows.add(new Row(name, f[1], parse(f[4]), parse(f[5]), f[6], f[7]));
        }
        return rows;
    }

    private static double parse(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    static String render(List<Row> rows, String machine) {
        StringBuilder sb = new StringBuilder("Generated by `benchmarks/run-jmh.sh`.\n\n```\n")
                .append(machine.strip()).append("\n```\n\n");
        sb.append("| benchmark | impl | score (median of rounds) | ± error (99.9%), or the rounds' range | unit |\n"
                + "|---|---|--:|--:|---|\n");
        for (Row r : rows) {
            if (r.benchmark().contains(":p") && !r.benchmark().endsWith(":p0.50") && !r.benchmark().endsWith(":p0.99")) {
                continue;
            }
            String spread = r.rounds() > 1
                    ? MatrixReport.fmt(r.low()) + " – " + MatrixReport.fmt(r.high()) + " (" + r.rounds() + " rounds)"
                    : Double.isNaN(r.error()) ? "" : MatrixReport.fmt(r.error());
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", r.benchmark(), r.impl(),
                    MatrixReport.fmt(r.score()), spread, r.unit()));
        }
        sb.append("\n#### Ratios (same run, medians; ≥ 1.00 means Roundhouse is at least as fast)\n\n");
        sb.append("`~` marks a ratio whose two loops' rounds overlap in range: within this machine's noise.\n\n");
        sb.append("| benchmark | pair | ratio |\n|---|---|--:|\n");
        Map<String, Map<String, Row>> byBench = new LinkedHashMap<>();
        for (Row r : rows) {
            byBench.computeIfAbsent(r.benchmark(), k -> new LinkedHashMap<>()).put(r.impl(), r);
        }
        byBench.forEach((bench, impls) -> {
            if (bench.contains(":p") && !bench.endsWith(":p0.50") && !bench.endsWith(":p0.99")) {
                return;
            }
            impls.forEach((impl, rh) -> {
                if (!impl.startsWith("roundhouse-")) {
                    return;
                }
                for (String other : counterparts(impl, bench)) {
                    Row o = impls.get(other);
                    if (o != null) {
                        double ratio = rh.higherIsBetter() ? rh.score() / o.score() : o.score() / rh.score();
                        sb.append(String.format(Locale.ROOT, "| %s | %s / %s | %s%.2f |%n", bench, impl, other,
                                rangesOverlap(rh, o) ? "~" : "", ratio));
                    }
                }
            });
        });
        return sb.toString();
    }

    /** Whether both rows are medians of rounds and their rounds' ranges overlap. */
    static boolean rangesOverlap(Row a, Row b) {
        return a.rounds() > 1 && b.rounds() > 1 && a.low() <= b.high() && b.low() <= a.high();
    }
}
