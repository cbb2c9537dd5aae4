package dev.roundhouse.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns the raw results of {@code benchmarks/run-matrix.sh} into the Markdown tables of
 * BENCHMARKS.md: each figure as the median of the runs with its spread, the ratios
 * Roundhouse/Netty per backend pair and Roundhouse/C, and the check that the load generator was
 * not the bottleneck.
 *
 * <pre>
 *   MatrixReport --results results.tsv --machine machine.txt [--kernel kernel.tsv] [--placement placement.tsv]
 *                [--write BENCHMARKS.md] [--by WRITER]
 * </pre>
 *
 * {@code --by} names what wrote the results in the tables' first line (default
 * {@code benchmarks/run-matrix.sh}; {@link dev.roundhouse.bench.portable.PortableMatrix} passes its own name).
 *
 * With {@code --placement} the ratios are also taken at one vCPU placement ({@link MatrixPlacement}).
 *
 * With {@code --kernel} the tables end with the kernel's work and the load generator's batching per
 * run ({@link KernelLog}); matrices from before that file existed have none.
 *
 * Without {@code --write} the tables go to standard output. With it they replace the part of the
 * file between {@value Sections#MATRIX} markers; the hand-written rest is kept.
 */
public final class MatrixReport {
    /**
     * Workloads in table order: key, title, unit of the primary figure. Each gets its table and its
     * columns only when some server has a result for it ({@link #measured}).
     */
    private static final String[][] WORKLOADS = {
        {"pp1", "Ping-pong, 1 connection, 64 B", "round trips/s"},
        {"pp64", "Ping-pong, 64 connections, 64 B", "round trips/s"},
        {"st16", "Streaming, 16 connections, 16 KiB writes, 64 KiB in flight each", "MiB/s"},
        {"conn", "Connect + 64 B echo + close, 16 at a time", "connections/s"},
        {"rate64", "Open loop, 64 connections, 64 B at a fixed offered rate (latency from when each was due)",
            "round trips/s"},
    };
    /**
     * Workloads whose servers all get the same offered load: their throughput is that load, and
     * what ranks them is latency, so their ratio is the p99's (other / ours) and the load
     * generator's check leaves them out. {@code run-matrix.sh} runs them only when named.
     */
    private static final List<String> OPEN_LOOP = List.of("rate64");
    /** Roundhouse backend → its Netty counterpart (iocp has none on Linux: compared with nio). */
    private static final String[][] PAIRS = {
        {"nio", "netty-nio"}, {"epoll", "netty-epoll"}, {"io_uring", "netty-io_uring"},
        {"iouring", "netty-io_uring"}, {"iocp", "netty-nio"}, {"io_uring", "c-io_uring"},
    };

    /** The C baselines: the epoll server every backend is compared with, and the io_uring one. */
    private static final List<String> C_SERVERS = List.of("c", "c-io_uring");
    /** What writes the results by default, named in the tables' first line. */
    private static final String RUN_MATRIX = "benchmarks/run-matrix.sh";

    private MatrixReport() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opts = options(args);
        Results results = Results.read(Path.of(opts.get("--results")));
        String machine = Files.readString(Path.of(opts.get("--machine")));
        MatrixPlacement placement = opts.containsKey("--placement")
                ? MatrixPlacement.read(Path.of(opts.get("--placement"))) : null;
        String tables = render(results, machine, placement, opts.getOrDefault("--by", RUN_MATRIX));
        if (opts.containsKey("--kernel")) {
            List<String> workloads = new ArrayList<>();
            for (String[] w : measured(results)) {
                workloads.add(w[0]);
            }
            tables += KernelLog.render(KernelLog.read(Path.of(opts.get("--kernel"))), workloads);
        }
        String target = opts.get("--write");
        if (target == null) {
            System.out.print(tables);
        } else {
            Sections.replace(Path.of(target), Sections.MATRIX, tables);
        }
    }

    /** {@code --name value} pairs, in order; a last name without a value is dropped. Also PlacementFill's. */
    static Map<String, String> options(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i], args[i + 1]);
        }
        return opts;
    }

    static String render(Results r, String machine) {
        return render(r, machine, null, RUN_MATRIX);
    }

    static String render(Results r, String machine, MatrixPlacement placement) {
        return render(r, machine, placement, RUN_MATRIX);
    }

    /**
     * The tables; with {@code placement}, the ratios at one placement follow the ratios.
     * {@code generator}: what wrote the results, named in the first line ({@code --by}; by default
     * {@code benchmarks/run-matrix.sh}, also {@link dev.roundhouse.bench.portable.PortableMatrix}).
     */
    static String render(Results r, String machine, MatrixPlacement placement, String generator) {
        StringBuilder sb = new StringBuilder();
        sb.append("Generated by `").append(generator).append("` from `").append(r.source()).append("`.\n\n");
        sb.append("```\n").append(machine.strip()).append("\n```\n\n");
        sb.append("Each figure: median of ").append(runsPerFigure(r)).append(" [min – max]. Latencies in µs are ")
          .append("the medians of the runs' percentiles. *client CPU*: the load generator's share of its ")
          .append("core (1.00 = saturated; when it spins, the share of time its polls found work). ")
          .append("*foreign CPU*: the highest share of the whole machine used by ")
          .append("other processes during any of the runs (builds of other engineers, steal) — above ~10% ")
          .append("treat the figure as taken under load.\n\n");
        for (String[] w : measured(r)) {
            renderWorkload(sb, r, w);
        }
        renderRatios(sb, r);
        if (placement != null) {
            sb.append(placement.render(r, measured(r), pairs(r)));
        }
        renderLoadgenCheck(sb, r, machine.contains("RPS"));
        return sb.toString();
    }

    /**
     * "3 run(s)" when every figure has all of the matrix's runs; "each server's runs (3–7)" when
     * not: a placement fill ({@code run-matrix.sh --fill}) ran some servers more often than
     * others, or a run failed.
     */
    static String runsPerFigure(Results r) {
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (String impl : r.impls()) {
            for (String[] w : WORKLOADS) {
                Results.Cell c = r.cell(impl, w[0]);
                if (c != null && !c.runs().isEmpty()) {
                    min = Math.min(min, c.runs().size());
                    max = Math.max(max, c.runs().size());
                }
            }
        }
        return max == 0 || min == max && max == r.runs() ? r.runs() + " run(s)"
                : "each server's runs (" + (min == max ? String.valueOf(min) : min + "–" + max) + ")";
    }

    /**
     * The workloads to report on: those {@code r} has a result for (a failed one counts: its table
     * says FAILED), in table order. A matrix run on some workloads ({@code --workloads "pp1 st16"})
     * gets their tables and columns only, not empty ones and "n/a" columns for the rest.
     */
    static List<String[]> measured(Results r) {
        List<String[]> out = new ArrayList<>();
        for (String[] w : WORKLOADS) {
            if (r.impls().stream().anyMatch(impl -> r.cell(impl, w[0]) != null)) {
                out.add(w);
            }
        }
        return out;
    }

    private static void renderWorkload(StringBuilder sb, Results r, String[] w) {
        boolean latency = !w[0].equals("st16");
        boolean core = measuredCore(r);
        String perOp = latency ? " µs/op" : " ms/MiB";
        sb.append("#### ").append(w[1]).append("\n\n| server | ").append(w[2]).append(" | spread |");
        sb.append(latency ? " p50 µs | p99 µs | p999 µs |" : "").append(" client CPU | foreign CPU | server CPU | ")
          .append("server CPU").append(perOp).append(" |")
          .append(core ? " server core CPU | server core CPU" + perOp + " |" : "").append("\n|---|--:|--:|");
        sb.append(latency ? "--:|--:|--:|" : "").append("--:|--:|--:|--:|").append(core ? "--:|--:|" : "").append('\n');
        for (String impl : r.impls()) {
            Results.Cell c = r.cell(impl, w[0]);
            if (c == null) {
                continue;
            }
            sb.append("| ").append(impl).append(" | ");
            if (c.primary().isEmpty()) {
                sb.append("FAILED |  |").append(latency ? "  |  |  |" : "").append("  |  |").append(core ? "  |  |" : "")
                  .append('\n');
                continue;
            }
            sb.append(fmt(Stats.median(c.primary()))).append(" | ").append(spread(c.primary())).append(" |");
            if (latency) {
                sb.append(' ').append(fmt(Stats.median(c.p50()))).append(" | ").append(fmt(Stats.median(c.p99())))
                  .append(" | ").append(fmt(Stats.median(c.p999()))).append(" |");
            }
            double foreign = Stats.max(c.foreignCpu()); // NaN where it could not be measured (PortableMatrix)
            sb.append(String.format(Locale.ROOT, " %.2f | %s |", Stats.median(c.clientCpu()),
                    Double.isNaN(foreign) ? "–" : String.format(Locale.ROOT, "%.0f%%", foreign)));
            appendCpu(sb, c, Results.Cell::serverCpu, latency);
            if (core) {
                appendCpu(sb, c, Results.Cell::coreCpu, latency);
            }
            sb.append('\n');
        }
        sb.append('\n');
    }

    /** " share | per op |" for the CPU figure {@code cpu} picks, or dashes unless every run has it. */
    private static void appendCpu(StringBuilder sb, Results.Cell c, Function<Results.Cell, List<Double>> cpu,
            boolean latency) {
        if (cpu.apply(c).size() == c.primary().size()) {
            double cost = Stats.median(costs(c, cpu)) * (latency ? 1e6 : 1e3);
            sb.append(String.format(Locale.ROOT, " %.2f | %.2f |", Stats.median(cpu.apply(c)), cost));
        } else {
            sb.append(" – | – |");
        }
    }

    /**
     * Whether every run of every Java server on a closed-loop workload measured the busy share of its
     * core: the load generator's check then asks whether the core had idle time, not the process.
     */
    private static boolean everyJavaRunHasCore(Results r) {
        boolean any = false;
        for (String impl : r.impls()) {
            if (C_SERVERS.contains(impl)) {
                continue;
            }
            for (String[] w : WORKLOADS) {
                Results.Cell c = r.cell(impl, w[0]);
                if (c == null || OPEN_LOOP.contains(w[0]) || c.primary().isEmpty()) {
                    continue;
                }
                if (c.coreCpu().size() != c.primary().size()) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }

    /** Whether some server's runs measured the busy share of its core (run-matrix.sh, pinned). */
    static boolean measuredCore(Results r) {
        for (String impl : r.impls()) {
            for (String[] w : WORKLOADS) {
                Results.Cell c = r.cell(impl, w[0]);
                if (c != null && !c.coreCpu().isEmpty()) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void renderRatios(StringBuilder sb, Results r) {
        List<String[]> workloads = measured(r);
        sb.append("#### Ratios (median / median; ≥ 1.00 means Roundhouse is at least as fast)\n\n");
        List<String[]> rows = pairs(r);
        if (rows.isEmpty()) {
            appendPairHeader(sb, workloads);
            sb.append("| (no Roundhouse backend was available to this run) |").append(" |".repeat(workloads.size()))
              .append('\n');
        } else {
            appendPairTable(sb, r, rows, workloads,
                    (w, ours, other) -> oriented(w, ranked(w).apply(ours), ranked(w).apply(other)));
        }
        sb.append("\n`~` marks a ratio whose two figures' run ranges overlap: within this machine's noise.");
        if (workloads.stream().anyMatch(w -> OPEN_LOOP.contains(w[0]))) {
            sb.append(" (p99): every server was offered the same load, so the ratio is the other's p99 latency ")
              .append("over ours (≥ 1.00: ours answers at least as soon).");
        }
        sb.append("\n\n");
        if (r.runs() > 1) {
            renderRunByRun(sb, r, rows, workloads);
        }
        sb.append("#### Server CPU per operation (other / Roundhouse; ≥ 1.00 means Roundhouse spends no more CPU)\n\n")
          .append("Where the load generator's core is saturated, throughput cannot rank the servers; the CPU each ")
          .append("server spent per round trip (per MiB when streaming) over the measured window still can.\n\n");
        renderCostRatios(sb, r, rows, workloads, Results.Cell::serverCpu);
        if (measuredCore(r)) {
            sb.append("#### Server core CPU per operation (other / Roundhouse, as above)\n\n")
              .append("The busy time of the core the server was pinned to: the server's own CPU and the kernel's ")
              .append("work on that core that is charged to no task (receive processing while the server sleeps, ")
              .append("each wake-up's interrupt and idle exit). The server's own CPU leaves that out, and where the ")
              .append("kernel does not account interrupt time apart it counts the same work when it interrupts the ")
              .append("server: it favours a server that sleeps when its packets arrive.\n\n");
            renderCostRatios(sb, r, rows, workloads, Results.Cell::coreCpu);
        }
    }

    /**
     * The ratios taken within each run, then their median: a pair's two figures of one run are
     * closer in time than two runs are (seconds apart with {@code run-matrix.sh --order workload},
     * within one pass over the servers otherwise), so a machine whose level swings between minutes
     * moves both. The median / median table above mixes runs: one server's best minute against
     * the other's worst.
     */
    private static void renderRunByRun(StringBuilder sb, Results r, List<String[]> rows, List<String[]> workloads) {
        sb.append("#### Ratios run by run (each run's ratio of the pair, median [min – max] over the runs; ")
          .append("≥ 1.00 as above)\n\n")
          .append("A run measures both servers of a pair, close together in time (seconds apart when the ")
          .append("matrix ran with `--order workload`, else within one pass over the servers), so a swing of ")
          .append("the machine's level between minutes moves both; the table above pairs one server's median ")
          .append("run with the other's, which may come from different minutes.\n\n");
        appendPairTable(sb, r, rows, workloads, (w, ours, other) -> runByRun(runRatios(w, ours, other)));
        sb.append("\n`~` marks a pair whose runs disagree on which of the two is faster (their ratios lie on both ")
          .append("sides of 1.00); a run that only one of the two has (a fill's, a failed one) is left out, ")
          .append("and \"(1 run)\" is a single run's ratio.\n\n");
    }

    /** One cell of a pair's row: ours against the other on a workload both have a figure for. */
    private interface PairCell {
        String figure(String workload, Results.Cell ours, Results.Cell other);
    }

    /** A "| pair | workload ... |" header, each open-loop workload marked "(p99)". */
    private static void appendPairHeader(StringBuilder sb, List<String[]> workloads) {
        sb.append("| pair |");
        for (String[] w : workloads) {
            sb.append(' ').append(w[0]).append(OPEN_LOOP.contains(w[0]) ? " (p99)" : "").append(" |");
        }
        sb.append("\n|---|").append("--:|".repeat(workloads.size())).append('\n');
    }

    /** The header and a row per pair (Roundhouse server first), {@code cell} per workload; "n/a" where one lacks it. */
    private static void appendPairTable(StringBuilder sb, Results r, List<String[]> rows, List<String[]> workloads,
            PairCell cell) {
        appendPairHeader(sb, workloads);
        for (String[] row : rows) {
            sb.append("| ").append(row[0]).append(" / ").append(row[1]).append(" |");
            for (String[] w : workloads) {
                Results.Cell ours = r.cell(row[0], w[0]);
                Results.Cell other = r.cell(row[1], w[0]);
                sb.append(' ').append(ours == null || other == null ? "n/a" : cell.figure(w[0], ours, other)).append(" |");
            }
            sb.append('\n');
        }
    }

    /**
     * Ours against the other on {@code workload}'s {@link #ranked} figure in each run that both
     * have a figure in, oriented as {@link #oriented} (≥ 1.00: ours at least as good), in the order
     * of our runs. A run only one of the two has, or a figure of 0, gives nothing.
     */
    static List<Double> runRatios(String workload, Results.Cell ours, Results.Cell other) {
        List<Double> ourFigures = ranked(workload).apply(ours);
        List<Double> theirFigures = ranked(workload).apply(other);
        Map<String, Double> theirs = new HashMap<>();
        for (int i = 0; i < other.runs().size() && i < theirFigures.size(); i++) {
            theirs.put(other.runs().get(i), theirFigures.get(i));
        }
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < ours.runs().size() && i < ourFigures.size(); i++) {
            Double their = theirs.get(ours.runs().get(i));
            double our = ourFigures.get(i);
            if (their == null || their == 0 || our == 0) {
                continue;
            }
            double v = OPEN_LOOP.contains(workload) ? their / our : our / their;
            if (Double.isFinite(v)) {
                out.add(v);
            }
        }
        return out;
    }

    /**
     * The median of {@code ratios} with their range, {@code ~} in front when they lie on both sides
     * of 1.00; "(1 run)" for a single one; "n/a" for none.
     */
    static String runByRun(List<Double> ratios) {
        if (ratios.isEmpty()) {
            return "n/a";
        }
        if (ratios.size() == 1) {
            return String.format(Locale.ROOT, "%.2f (1 run)", ratios.get(0));
        }
        double min = Stats.min(ratios);
        double max = Stats.max(ratios);
        return String.format(Locale.ROOT, "%s%.2f [%.2f – %.2f]", min <= 1 && max >= 1 ? "~" : "",
                Stats.median(ratios), min, max);
    }

    private static void renderCostRatios(StringBuilder sb, Results r, List<String[]> rows, List<String[]> workloads,
            Function<Results.Cell, List<Double>> cpu) {
        sb.append("| pair |");
        for (String[] w : workloads) {
            sb.append(' ').append(w[0]).append(" |");
        }
        sb.append("\n|---|").append("--:|".repeat(workloads.size())).append('\n');
        for (String[] row : rows) {
            sb.append("| ").append(row[1]).append(" / ").append(row[0]).append(" |");
            for (String[] w : workloads) {
                sb.append(' ').append(costRatio(r.cell(row[1], w[0]), r.cell(row[0], w[0]), cpu)).append(" |");
            }
            sb.append('\n');
        }
        sb.append('\n');
    }

    /**
     * The pairs the ratios compare, Roundhouse server first: each backend with its Netty
     * counterpart(s) ({@link #PAIRS}) and with the C server, those that ran. A variant
     * ({@code roundhouse-iocp@handoff}: the server of {@code roundhouse-iocp} with the JVM flags
     * {@code run-matrix.sh --variant} gave the label {@code handoff}) is paired as its server is,
     * and first with that server itself when it ran too: an A/B within one matrix.
     */
    static List<String[]> pairs(Results r) {
        List<String[]> rows = new ArrayList<>();
        for (String impl : r.impls()) {
            if (!impl.startsWith("roundhouse-")) {
                continue;
            }
            String base = baseImpl(impl);
            if (!base.equals(impl) && r.impls().contains(base)) {
                rows.add(new String[] {impl, base});
            }
            String backend = base.substring("roundhouse-".length());
            for (String[] p : PAIRS) {
                if (p[0].equals(backend) && r.impls().contains(p[1])) {
                    rows.add(new String[] {impl, p[1]});
                }
            }
            if (r.impls().contains("c")) {
                rows.add(new String[] {impl, "c"});
            }
        }
        return rows;
    }

    /** The server a variant runs ({@code roundhouse-iocp@handoff} → {@code roundhouse-iocp}); others as they are. */
    static String baseImpl(String impl) {
        int at = impl.indexOf('@');
        return at < 0 ? impl : impl.substring(0, at);
    }

    /** CPU seconds per operation (per MiB when streaming) of each run, from the CPU figure {@code cpu} picks. */
    private static List<Double> costs(Results.Cell c, Function<Results.Cell, List<Double>> cpu) {
        List<Double> out = new ArrayList<>();
        List<Double> shares = cpu.apply(c);
        for (int i = 0; i < c.primary().size() && i < shares.size(); i++) {
            out.add(c.primary().get(i) == 0 ? Double.NaN : shares.get(i) / c.primary().get(i));
        }
        return out;
    }

    private static String costRatio(Results.Cell other, Results.Cell ours, Function<Results.Cell, List<Double>> cpu) {
        if (other == null || ours == null || other.primary().isEmpty() || ours.primary().isEmpty()
                || cpu.apply(other).size() != other.primary().size() || cpu.apply(ours).size() != ours.primary().size()) {
            return "n/a";
        }
        List<Double> a = costs(other, cpu);
        List<Double> b = costs(ours, cpu);
        boolean overlap = Stats.min(a) <= Stats.max(b) && Stats.min(b) <= Stats.max(a);
        return String.format(Locale.ROOT, "%s%.2f", overlap ? "~" : "", Stats.median(a) / Stats.median(b));
    }

    /** A load generator using at most this share of its core is taken to have had room to spare. */
    private static final double CLIENT_HEADROOM = 0.90;
    /** A server busy at least this share of the measured window in a run had no room to spare. */
    private static final double SERVER_SATURATED = 0.95;

    /**
     * Per workload: did the load generator limit the figures? It did not if it drove a C server
     * faster than every Java server (the fastest C server / best Java above 1 with no overlap of run
     * ranges), if it used at most {@value #CLIENT_HEADROOM} of its core against every Java server,
     * or if every Java server was busy at least {@value #SERVER_SATURATED} of the measured window in
     * every run (in each case each Java server was the limit of its own figure: a server with no
     * idle time could not have gone faster with a faster client). Busy is the server's core's busy
     * share where every Java server's runs measured it ({@code run-matrix.sh}, pinned: the idle time
     * a faster client could have filled is the core's), else the server process's CPU. {@code rps}: the matrix steered
     * the loopback's receive processing to the server's core (run-matrix.sh's {@code --net rps},
     * which its machine text names), so the footnote says that core carried it. Without a C
     * server (the portable matrix off Linux) the C columns read "–" and only the client's and the
     * servers' CPU decide.
     */
    private static void renderLoadgenCheck(StringBuilder sb, Results r, boolean rps) {
        boolean closedLoop = r.impls().stream().anyMatch(impl -> measured(r).stream()
                .anyMatch(w -> !OPEN_LOOP.contains(w[0]) && r.cell(impl, w[0]) != null && !C_SERVERS.contains(impl)));
        if (!closedLoop) {
            return; // only open-loop workloads, whose pace the client did not set (or only C servers)
        }
        boolean core = everyJavaRunHasCore(r);
        Function<Results.Cell, List<Double>> busy = core ? Results.Cell::coreCpu : Results.Cell::serverCpu;
        String busyName = core ? "server core CPU" : "server CPU";
        sb.append("#### Is the load generator the bottleneck?\n\n");
        sb.append("| workload | fastest C server | best Java server | C / best Java | client CPU with that C server ")
          .append("| highest client CPU with a Java server | lowest ").append(busyName).append(" of a Java server ")
          .append("| load generator limited the Java figures? |\n")
          .append("|---|---|---|--:|--:|--:|--:|---|\n");
        for (String[] w : measured(r)) {
            if (OPEN_LOOP.contains(w[0])) {
                continue; // the offered load, not the load generator's pace, set its throughput
            }
            Results.Cell c = null;
            String cImpl = null;
            for (String impl : C_SERVERS) {
                Results.Cell cell = r.cell(impl, w[0]);
                if (cell != null && !cell.primary().isEmpty()
                        && (c == null || Stats.median(cell.primary()) > Stats.median(c.primary()))) {
                    c = cell;
                    cImpl = impl;
                }
            }
            Results.Cell best = null;
            String bestImpl = null;
            double worstClient = 0;
            String worstClientImpl = null;
            double idlestServer = Double.POSITIVE_INFINITY; // the lowest run's server CPU of any Java server
            String idlestServerImpl = null;
            boolean everyServerCpu = true;
            for (String impl : r.impls()) {
                Results.Cell j = r.cell(impl, w[0]);
                if (C_SERVERS.contains(impl) || j == null || j.primary().isEmpty()) {
                    continue;
                }
                if (busy.apply(j).size() != j.primary().size()) {
                    everyServerCpu = false; // results from before the column: no saturation to tell
                } else if (Stats.min(busy.apply(j)) < idlestServer) {
                    idlestServer = Stats.min(busy.apply(j));
                    idlestServerImpl = impl;
                }
                if (best == null || Stats.median(j.primary()) > Stats.median(best.primary())) {
                    best = j;
                    bestImpl = impl;
                }
                if (!j.clientCpu().isEmpty() && Stats.median(j.clientCpu()) >= worstClient) {
                    worstClient = Stats.median(j.clientCpu());
                    worstClientImpl = impl;
                }
            }
            if (best == null) {
                continue;
            }
            double bm = Stats.median(best.primary());
            boolean cFaster = c != null && Stats.median(c.primary()) > bm && Stats.min(c.primary()) > Stats.max(best.primary());
            boolean headroom = worstClientImpl != null && worstClient <= CLIENT_HEADROOM;
            boolean saturated = everyServerCpu && idlestServerImpl != null && idlestServer >= SERVER_SATURATED;
            String verdict = cFaster && headroom ? "no (C faster; client had room)"
                    : cFaster ? "no (C faster)"
                    : headroom ? "no (client had room against every Java server)"
                    : saturated ? "no (every Java server busy in every run)"
                    : "**possibly** (client near saturation)";
            String idlest = idlestServerImpl == null ? "–"
                    : String.format(Locale.ROOT, "%.2f (%s)", idlestServer, idlestServerImpl);
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s %s | %s | %s | %.2f (%s) | %s | %s |%n", w[0],
                    c == null ? "–" : cImpl + " " + fmt(Stats.median(c.primary())), bestImpl, fmt(bm),
                    c == null ? "–" : ratio(c, best),
                    c == null ? "–" : String.format(Locale.ROOT, "%.2f", Stats.median(c.clientCpu())), worstClient,
                    worstClientImpl, idlest, verdict));
        }
        sb.append("\nThe load generator did not limit a workload's Java figures if it drove a C server faster than ")
          .append("any Java server (ranges not overlapping), or if it used at most ")
          .append(String.format(Locale.ROOT, "%.2f", CLIENT_HEADROOM))
          .append(" of its core against every Java server (the median of its runs), or if every Java server")
          .append(core ? "'s core" : "").append(" was busy ")
          .append(String.format(Locale.ROOT, "%.2f", SERVER_SATURATED))
          .append(" of the measured window or more in every run (*lowest ").append(busyName).append("*: then ")
          .append(core ? "the core the server was pinned to" : "the server")
          .append(rps ? (core ? ", which carried the receive processing of both directions,"
                  : ", with the receive processing of both directions on its core,") : "")
          .append(" had no idle time a faster client could have filled). ")
          .append("Two C servers can answer: `c` (epoll, one recv and ")
          .append("one send per message) and `c-io_uring` (one submission per batch), because the io_uring ")
          .append("servers, Java ones included, outrun the epoll one where many connections are busy; when the ")
          .append("fastest C server only ties the best Java server, the load generator may have been the limit ")
          .append("of both.\n\n");
    }

    /**
     * The figure a workload's servers are ranked by: the primary one (throughput), or for an
     * {@link #OPEN_LOOP} workload, whose servers all had the same offered load, the p99 latency.
     */
    static Function<Results.Cell, List<Double>> ranked(String workload) {
        return OPEN_LOOP.contains(workload) ? Results.Cell::p99 : Results.Cell::primary;
    }

    /**
     * Ours against the other on {@code workload}'s {@link #ranked} figure, oriented so that ≥ 1.00
     * means ours is at least as good (throughput ours over theirs, p99 theirs over ours); {@code ~}
     * when the ranges overlap, "n/a" if either is empty.
     */
    static String oriented(String workload, List<Double> ours, List<Double> other) {
        return OPEN_LOOP.contains(workload) ? ratio(other, ours) : ratio(ours, other);
    }

    /** The primary figure of {@code a} over {@code b}, {@code ~} when the runs' ranges overlap. */
    private static String ratio(Results.Cell a, Results.Cell b) {
        return a == null || b == null ? "n/a" : ratio(a.primary(), b.primary());
    }

    /** The median of {@code a} over that of {@code b}, {@code ~} when their ranges overlap; "n/a" if one is empty. */
    static String ratio(List<Double> a, List<Double> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return "n/a";
        }
        boolean overlap = Stats.min(a) <= Stats.max(b) && Stats.min(b) <= Stats.max(a);
        return String.format(Locale.ROOT, "%s%.2f", overlap ? "~" : "", Stats.median(a) / Stats.median(b));
    }

    private static String spread(List<Double> xs) {
        if (xs.size() < 2) {
            return "–";
        }
        double m = Stats.median(xs);
        return String.format(Locale.ROOT, "%s – %s (±%.0f%%)", fmt(Stats.min(xs)), fmt(Stats.max(xs)),
                m == 0 ? 0 : (Stats.max(xs) - Stats.min(xs)) / 2 / m * 100);
    }

    /** A figure as the tables print it; "–" for NaN (e.g. the median of no value). */
    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        if (v >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
