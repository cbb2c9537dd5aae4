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

class MatrixReportTest {

    private static final String HEADER = "run\timpl\tworkload\tops_per_s\tmib_per_s\tp50_us\tp99_us\tp999_us\t"
            + "max_us\tclient_cpu\tforeign_cpu_pct\tloadavg\tserver_cpu\n";

    /** One results.tsv line: ops/s, client CPU, server CPU; the rest fixed. */
    private static String line(int run, String impl, String workload, int ops, double client, double server) {
        return run + "\t" + impl + "\t" + workload + "\t" + ops + "\t1.0\t500.0\t900.0\t4000.0\t8000.0\t" + client
                + "\t2\t1.00\t" + server + "\n";
    }

    /** As {@link #line}, with the busy share of the server's core (run-matrix.sh's last column). */
    private static String coreLine(int run, String impl, String workload, int ops, double client, double server,
            String core) {
        return line(run, impl, workload, ops, client, server).replace("\n", "\t" + core + "\n");
    }

    /** One rate64 line of results.tsv: the offered 25,000/s met, its p99 and server CPU; the rest fixed. */
    private static String rateLine(int run, String impl, int p99, double server) {
        return run + "\t" + impl + "\trate64\t25000\t1.5\t30.0\t" + p99 + ".0\t900.0\t2000.0\t0.30\t2\t1.00\t"
                + server + "\n";
    }

    private static String render(Path dir, String tsv) throws IOException {
        Path file = dir.resolve("results.tsv");
        Files.writeString(file, HEADER + tsv);
        return MatrixReport.render(Results.read(file), "machine: test\n");
    }

    /** As {@link #render(Path, String)}, with {@code probes} as placement.tsv's lines. */
    private static String render(Path dir, String tsv, String probes) throws IOException {
        Path file = dir.resolve("results.tsv");
        Files.writeString(file, HEADER + tsv);
        Path placement = dir.resolve("placement.tsv");
        Files.writeString(placement, "run\timpl\tworkload\tround_trip_before_ns\tround_trip_after_ns\n" + probes);
        return MatrixReport.render(Results.read(file), "machine: test\n", MatrixPlacement.read(placement));
    }

    /** One results.tsv line of st16: MiB/s, the rest fixed. */
    private static String streamLine(int run, String impl, double mibPerSecond) {
        return run + "\t" + impl + "\tst16\t0\t" + mibPerSecond + "\t0.0\t0.0\t0.0\t0.0\t0.90\t2\t1.00\t0.99\n";
    }

    private static String probe(int run, String impl, String workload, String before, String after) {
        return run + "\t" + impl + "\t" + workload + "\t" + before + "\t" + after + "\n";
    }

    /** PortableMatrix writes NaN where the machine's load could not be read: a dash, not "NaN%". */
    @Test
    void shouldPrintADashForAForeignCpuThatWasNotMeasured(@TempDir Path dir) throws IOException {
        String tsv = line(1, "roundhouse-nio", "pp1", 40000, 0.6, 0.5).replace("\t2\t1.00\t", "\tNaN\tNaN\t")
                + line(1, "netty-nio", "pp1", 38000, 0.6, 0.5);
        String md = render(dir, tsv);
        assertTrue(md.contains("| roundhouse-nio | 40,000 | – | 500 | 900 | 4,000 | 0.60 | – | 0.50 |"), md);
        assertTrue(md.contains("| netty-nio | 38,000 | – | 500 | 900 | 4,000 | 0.60 | 2% | 0.50 |"), md);
        assertFalse(md.contains("NaN"), md);
    }

    /**
     * The medians of all runs compare iocp's far runs with Netty nio's near ones (as in the
     * Temurin 25 matrix of 2026-12-07: 0.55); at one placement the ratios are taken between runs
     * whose probes before and after both sat on that side, a run that moved in between left out,
     * and the open-loop workload's ratio is still the other's p99 over ours.
     */
    @Test
    void shouldTakeRatiosAtOnePlacementFromRunsWhoseProbesAgree(@TempDir Path dir) throws IOException {
        String tsv = streamLine(1, "roundhouse-iocp", 700) + streamLine(2, "roundhouse-iocp", 730)
                + streamLine(3, "roundhouse-iocp", 1400) + streamLine(4, "roundhouse-iocp", 1000)
                + streamLine(1, "netty-nio", 1300) + streamLine(2, "netty-nio", 840)
                + streamLine(3, "netty-nio", 1330) + streamLine(4, "netty-nio", 800)
                + rateLine(1, "roundhouse-iocp", 100, 0.4) + rateLine(1, "netty-nio", 150, 0.4);
        String probes = probe(1, "roundhouse-iocp", "st16", "370", "360")
                + probe(2, "roundhouse-iocp", "st16", "375", "380")
                + probe(3, "roundhouse-iocp", "st16", "85", "90")
                + probe(4, "roundhouse-iocp", "st16", "80", "370") // moved during the run
                + probe(1, "netty-nio", "st16", "80", "85") + probe(2, "netty-nio", "st16", "365", "370")
                + probe(3, "netty-nio", "st16", "90", "88") + probe(4, "netty-nio", "st16", "362", "378")
                + probe(1, "roundhouse-iocp", "rate64", "86", "84") + probe(1, "netty-nio", "rate64", "87", "83");
        String md = render(dir, tsv, probes);
        // all runs: 865 against 1,070
        assertTrue(md.contains("| pair | st16 | rate64 (p99) |\n|---|--:|--:|\n"
                + "| roundhouse-iocp / netty-nio | ~0.81 | 1.50 |"), md);
        assertTrue(md.contains("#### Ratios at one vCPU placement"), md);
        assertTrue(md.contains("(`placement.tsv`: 80–380 ns; far ≥ 180 ns, the middle of their widest gap)"), md);
        assertTrue(md.contains("the 1 of 10 runs whose probes did not (or that have none) are left out here"), md);
        // near: 1,400 (1 run) against 1,315 (2); far: 715 (2) against 820 (2); rate64 near: 150 / 100
        assertTrue(md.contains("| roundhouse-iocp / netty-nio | 1.06 (1/2) | 0.87 (2/2) | 1.50 (1/1) | – |"), md);
    }

    @Test
    void shouldSayThereIsOnePlacementWhenTheProbesHaveNoGap(@TempDir Path dir) throws IOException {
        String tsv = streamLine(1, "roundhouse-nio", 700) + streamLine(1, "netty-nio", 800);
        String md = render(dir, tsv, probe(1, "roundhouse-nio", "st16", "250", "400")
                + probe(1, "netty-nio", "st16", "300", "480"));
        assertTrue(md.contains("The core-to-core round trips measured before and after each run (250–480 ns) have "
                + "no gap of 2x between them: one placement throughout"), md);
        assertFalse(md.contains("| pair | pp1 near |"), md);
        // nothing pinned: no probes, no section
        String unpinned = render(dir, tsv, probe(1, "roundhouse-nio", "st16", "-", "-"));
        assertFalse(unpinned.contains("vCPU placement"), unpinned);
    }

    @Test
    void shouldJudgeTheLoadGeneratorByTheFastestCServer(@TempDir Path dir) throws IOException {
        StringBuilder tsv = new StringBuilder();
        for (int run = 1; run <= 3; run++) {
            // pp64: the io_uring C server (120 k) outruns every Java server (at most 101 k) and the epoll one
            tsv.append(line(run, "roundhouse-io_uring", "pp64", 95_000 + run, 0.95, 0.98));
            tsv.append(line(run, "netty-io_uring", "pp64", 100_000 + run, 0.97, 0.98));
            tsv.append(line(run, "c", "pp64", 60_000 + run, 0.80, 0.98));
            tsv.append(line(run, "c-io_uring", "pp64", 120_000 + run, 0.98, 0.85));
            // conn: the epoll C server is the faster C server, and only ties the best Java server
            tsv.append(line(run, "roundhouse-io_uring", "conn", 20_000 + 100 * run, 0.95, 0.93));
            tsv.append(line(run, "netty-io_uring", "conn", 15_000, 0.93, 0.93));
            tsv.append(line(run, "c", "conn", 19_950 + 100 * run, 0.96, 0.95));
            tsv.append(line(run, "c-io_uring", "conn", 18_000, 0.96, 0.95));
        }
        String md = render(dir, tsv.toString());
        assertTrue(md.contains("| pp64 | c-io_uring 120,002 | netty-io_uring 100,002 | 1.20 | 0.98 | 0.97 "
                + "(netty-io_uring) | 0.98 (roundhouse-io_uring) | no (C faster) |"), md);
        assertTrue(md.contains("| conn | c 20,150 | roundhouse-io_uring 20,200 | ~1.00 | 0.96 | 0.95 "
                + "(roundhouse-io_uring) | 0.93 (roundhouse-io_uring) | **possibly** (client near saturation) |"), md);
        // like for like: the io_uring backend against the io_uring C server, every backend against c
        assertTrue(md.contains("| roundhouse-io_uring / c-io_uring | 0.79 | 1.12 |"), md);
        assertTrue(md.contains("| roundhouse-io_uring / c | 1.58 | ~1.00 |"), md);
        // a C server is never the Roundhouse side of a pair
        assertFalse(md.contains("| c / c-io_uring |") || md.contains("| c-io_uring / c |"), md);
    }

    @Test
    void shouldJudgeByTheEpollCServerAloneWhenTheIoUringOneDidNotRun(@TempDir Path dir) throws IOException {
        StringBuilder tsv = new StringBuilder();
        for (int run = 1; run <= 3; run++) {
            tsv.append(line(run, "roundhouse-nio", "pp1", 40_000 + run, 0.50, 0.45));
            tsv.append(line(run, "c", "pp1", 30_000 + run, 0.45, 0.45));
        }
        String md = render(dir, tsv.toString());
        assertTrue(md.contains("| pp1 | c 30,002 | roundhouse-nio 40,002 | 0.75 | 0.45 | 0.50 (roundhouse-nio) "
                + "| 0.45 (roundhouse-nio) | no (client had room against every Java server) |"), md);
        assertFalse(md.contains("| c-io_uring"), md);
    }

    /**
     * With the server's core measured (run-matrix.sh, pinned), each table gets its busy share and
     * cost per operation, and a second ratio table compares those: the same two servers whose own
     * CPU per round trip differs by 1.25 (0.30 against 0.24 at 40,000/s) differ by 1.08 once their
     * core's work outside any task (0.24 and 0.22 more) is counted. Without it (older files, nothing
     * pinned: NaN) neither appears.
     */
    @Test
    void shouldCompareTheServersCoresWhenMeasured(@TempDir Path dir) throws IOException {
        String tsv = coreLine(1, "roundhouse-epoll", "pp1", 40_000, 0.5, 0.24, "0.48")
                + coreLine(1, "netty-epoll", "pp1", 40_000, 0.5, 0.30, "0.52");
        String md = render(dir, tsv);
        assertTrue(md.contains("| server CPU | server CPU µs/op | server core CPU | server core CPU µs/op |"), md);
        assertTrue(md.contains("| roundhouse-epoll | 40,000 | – | 500 | 900 | 4,000 | 0.50 | 2% | 0.24 | 6.00 | 0.48 "
                + "| 12.00 |"), md);
        assertTrue(md.contains("| netty-epoll / roundhouse-epoll | 1.25 |"), md);
        assertTrue(md.contains("#### Server core CPU per operation"), md);
        assertTrue(md.substring(md.indexOf("#### Server core CPU per operation"))
                .contains("| netty-epoll / roundhouse-epoll | 1.08 |"), md);

        String unpinned = render(dir, coreLine(1, "roundhouse-epoll", "pp1", 40_000, 0.5, 0.24, "NaN")
                + line(1, "netty-epoll", "pp1", 40_000, 0.5, 0.30));
        assertFalse(unpinned.contains("core CPU"), unpinned);
        assertTrue(unpinned.contains("| roundhouse-epoll | 40,000 | – | 500 | 900 | 4,000 | 0.50 | 2% | 0.24 | 6.00 |\n"),
                unpinned);
    }

    /**
     * A matrix run on some workloads reports those only: no empty table and no "n/a" column for
     * the others; "n/a" stays for a measured workload one side of a pair did not run.
     */
    @Test
    void shouldReportOnlyTheWorkloadsMeasured(@TempDir Path dir) throws IOException {
        String tsv = line(1, "roundhouse-nio", "pp1", 40_000, 0.5, 0.45) + line(1, "netty-nio", "pp1", 38_000, 0.5, 0.45)
                + streamLine(1, "roundhouse-nio", 900) + line(1, "c", "pp1", 42_000, 0.5, 0.45);
        String md = render(dir, tsv);
        assertTrue(md.contains("#### Ping-pong, 1 connection, 64 B"), md);
        assertTrue(md.contains("#### Streaming, 16 connections"), md);
        assertFalse(md.contains("#### Ping-pong, 64 connections") || md.contains("#### Connect + 64 B")
                || md.contains("#### Open loop"), md);
        assertTrue(md.contains("| pair | pp1 | st16 |\n|---|--:|--:|\n"), md);
        assertTrue(md.contains("| roundhouse-nio / netty-nio | 1.05 | n/a |"), md);
        assertFalse(md.contains("| pp64 |") || md.contains("| conn |"), md); // nor rows in the load generator check
    }

    /**
     * The open-loop workload gets its table and column only when measured; every server had the
     * same offered load, so its ratio is the other's p99 over ours, and the load generator's check
     * leaves it out (its throughput is the offered load, not the client's pace).
     */
    @Test
    void shouldRankTheOpenLoopWorkloadByItsP99(@TempDir Path dir) throws IOException {
        StringBuilder tsv = new StringBuilder();
        for (int run = 1; run <= 3; run++) {
            tsv.append(line(run, "roundhouse-epoll", "pp64", 60_000 + run, 0.90, 0.98));
            tsv.append(line(run, "netty-epoll", "pp64", 50_000 + run, 0.90, 0.98));
            tsv.append(line(run, "c", "pp64", 80_000 + run, 0.90, 0.98));
            tsv.append(rateLine(run, "roundhouse-epoll", 100 + run, 0.40));
            tsv.append(rateLine(run, "netty-epoll", 150 + run, 0.50));
            tsv.append(rateLine(run, "c", 80 + run, 0.30));
        }
        String md = render(dir, tsv.toString());
        assertTrue(md.contains("#### Open loop, 64 connections"), md);
        assertTrue(md.contains("| pair | pp64 | rate64 (p99) |"), md);
        assertTrue(md.contains("| roundhouse-epoll / netty-epoll | 1.20 | 1.49 |"), md);
        assertTrue(md.contains("| roundhouse-epoll / c | 0.75 | 0.80 |"), md);
        assertTrue(md.contains("| netty-epoll / roundhouse-epoll | 1.20 | 1.25 |"), md);
        assertFalse(md.contains("| rate64 | c "), md); // no row in the load generator check

        String closed = render(dir, line(1, "roundhouse-nio", "pp1", 40_000, 0.5, 0.45));
        assertFalse(closed.contains("rate64") || closed.contains("Open loop"), closed);
        String open = render(dir, rateLine(1, "c", 80, 0.30));
        assertFalse(open.contains("Is the load generator the bottleneck?"), open);
    }

    /**
     * Where the C server only ties the best Java server and the client's core is near saturation,
     * Java servers busy in every run were still the limit of their own figures; one run with idle
     * time leaves the question open.
     */
    @Test
    void shouldCountServersBusyInEveryRunAsTheirOwnLimit(@TempDir Path dir) throws IOException {
        StringBuilder tsv = new StringBuilder();
        for (int run = 1; run <= 3; run++) {
            tsv.append(line(run, "roundhouse-nio", "pp64", 60_000 + run, 0.95, 0.97 + run / 100.0));
            tsv.append(line(run, "netty-nio", "pp64", 59_000 + run, 0.96, 0.96));
            tsv.append(line(run, "c", "pp64", 60_000 + run, 0.97, 0.90));
        }
        String md = render(dir, tsv.toString());
        assertTrue(md.contains("| pp64 | c 60,002 | roundhouse-nio 60,002 | ~1.00 | 0.97 | 0.96 (netty-nio) "
                + "| 0.96 (netty-nio) | no (every Java server busy in every run) |"), md);

        String idle = render(dir, tsv + line(4, "netty-nio", "pp64", 59_500, 0.96, 0.94));
        assertTrue(idle.contains("| 0.94 (netty-nio) | **possibly** (client near saturation) |"), idle);
    }

    @Test
    void shouldPutTheReceiveProcessingOnTheServersCoreOnlyWhenRpsSteeredItThere(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("results.tsv");
        Files.writeString(file, HEADER + line(1, "roundhouse-nio", "pp1", 40_000, 0.5, 0.45)
                + line(1, "c", "pp1", 50_000, 0.5, 0.45));
        String both = "with the receive processing of both directions on its core,";

        String rps = MatrixReport.render(Results.read(file), "network: private network namespace; loopback receive "
                + "processing steered to CPU 0 (RPS mask 1)\n");
        String loopback = MatrixReport.render(Results.read(file), "network: host loopback (receive processing runs "
                + "on the sender's CPU)\n");

        assertTrue(rps.contains("*lowest server CPU*: then the server, " + both + " had no idle time"), rps);
        assertTrue(loopback.contains("*lowest server CPU*: then the server had no idle time"), loopback);
        assertFalse(loopback.contains(both), loopback);
    }

    /**
     * Where every Java server's runs measured their core, the check asks whether the core had idle
     * time: a process busy 0.90 of the window on a core busy 0.97 (the rest the kernel's work charged
     * to no task) left nothing a faster client could fill. One run without the core (an older file's
     * line) puts the check back on the processes.
     */
    @Test
    void shouldJudgeSaturationByTheServersCoreWhenEveryRunMeasuredIt(@TempDir Path dir) throws IOException {
        String tsv = coreLine(1, "roundhouse-nio", "pp64", 90_000, 0.99, 0.90, "0.97")
                + coreLine(1, "netty-nio", "pp64", 80_000, 0.98, 0.92, "0.98");
        String md = render(dir, tsv);
        assertTrue(md.contains("| lowest server core CPU of a Java server |"), md);
        assertTrue(md.contains("| 0.97 (roundhouse-nio) | no (every Java server busy in every run) |"), md);
        assertTrue(md.contains("(*lowest server core CPU*: then the core the server was pinned to had no idle time"),
                md);

        String mixed = render(dir, tsv + line(2, "netty-nio", "pp64", 80_000, 0.98, 0.92));
        assertTrue(mixed.contains("| lowest server CPU of a Java server |"), mixed);
        assertTrue(mixed.contains("| 0.90 (roundhouse-nio) | **possibly** (client near saturation) |"), mixed);
    }

    @Test
    void shouldJudgeByClientAndServerCpuAloneWithoutACServer(@TempDir Path dir) throws IOException {
        // the portable matrix off Linux: no C server, so only the CPU columns can tell
        String roomy = render(dir, line(1, "roundhouse-nio", "pp1", 40_000, 0.5, 0.45));
        assertTrue(roomy.contains("| pp1 | – | roundhouse-nio 40,000 | – | – | 0.50 (roundhouse-nio) "
                + "| 0.45 (roundhouse-nio) | no (client had room against every Java server) |"), roomy);

        String busy = render(dir, line(1, "roundhouse-nio", "pp64", 90_000, 0.99, 0.97)
                + line(1, "netty-nio", "pp64", 80_000, 0.98, 0.99));
        assertTrue(busy.contains("| 0.97 (roundhouse-nio) | no (every Java server busy in every run) |"), busy);

        String limited = render(dir, line(1, "roundhouse-nio", "st16", 1_500, 0.99, 0.71));
        assertTrue(limited.contains("| 0.71 (roundhouse-nio) | **possibly** (client near saturation) |"), limited);

        String openOnly = render(dir, rateLine(1, "roundhouse-nio", 80, 0.30));
        assertFalse(openOnly.contains("Is the load generator the bottleneck?"), openOnly);
    }
    /**
     * A variant ({@code IMPL@LABEL}, run-matrix.sh --variant) is compared with its own server first,
     * then with that server's counterparts; and a matrix whose servers had unequal runs (a placement
     * fill) says so instead of one run count.
     */
    @Test
    void shouldPairAVariantWithItsServerAndItsServersCounterparts(@TempDir Path dir) throws IOException {
        String tsv = streamLine(1, "roundhouse-iocp", 700) + streamLine(1, "roundhouse-iocp@handoff", 770)
                + streamLine(1, "netty-nio", 1000) + streamLine(2, "roundhouse-iocp@handoff", 790)
                + streamLine(3, "roundhouse-iocp@handoff", 810);
        String md = render(dir, tsv);
        assertTrue(md.contains("| roundhouse-iocp / netty-nio | 0.70 |\n"
                + "| roundhouse-iocp@handoff / roundhouse-iocp | 1.13 |\n"
                + "| roundhouse-iocp@handoff / netty-nio | 0.79 |\n"), md);
        assertTrue(md.contains("Each figure: median of each server's runs (1–3) [min – max]."), md);
        String equal = render(dir, streamLine(1, "roundhouse-iocp", 700) + streamLine(1, "netty-nio", 1000)
                + streamLine(2, "roundhouse-iocp", 710) + streamLine(2, "netty-nio", 990));
        assertTrue(equal.contains("Each figure: median of 2 run(s) [min – max]."), equal);
        assertFalse(equal.contains("@"), equal);
    }

    /**
     * A machine whose level swings between runs moves both servers of a pair: median / median
     * reads their ranges overlapping, each run's own ratio reads ours behind in every run. A run
     * one of the two lacks (a fill's) is left out; runs that disagree are marked.
     */
    @Test
    void shouldRatioEachRunsPairBeforeTakingTheMedian(@TempDir Path dir) throws IOException {
        String tsv = line(1, "roundhouse-epoll", "pp1", 30_000, 0.6, 0.5) + line(1, "netty-epoll", "pp1", 32_000, 0.6, 0.5)
                + line(2, "roundhouse-epoll", "pp1", 60_000, 0.6, 0.5) + line(2, "netty-epoll", "pp1", 64_000, 0.6, 0.5)
                + line(3, "roundhouse-epoll", "pp1", 45_000, 0.6, 0.5) + line(3, "netty-epoll", "pp1", 47_000, 0.6, 0.5)
                + line(4, "roundhouse-epoll", "pp1", 90_000, 0.6, 0.5) // a fill's run: no pair
                + line(1, "c", "pp1", 29_000, 0.6, 0.5) + line(2, "c", "pp1", 61_000, 0.6, 0.5)
                + line(3, "c", "pp1", 46_000, 0.6, 0.5);
        String md = render(dir, tsv);
        assertTrue(md.contains("| roundhouse-epoll / netty-epoll | ~1.12 |"), md); // the fill run lifts our median
        assertTrue(md.contains("#### Ratios run by run"), md);
        assertTrue(md.contains("| roundhouse-epoll / netty-epoll | 0.94 [0.94 – 0.96] |"), md);
        assertTrue(md.contains("| roundhouse-epoll / c | ~0.98 [0.98 – 1.03] |"), md);

        String one = render(dir, line(1, "roundhouse-epoll", "pp1", 30_000, 0.6, 0.5)
                + line(2, "roundhouse-epoll", "pp1", 31_000, 0.6, 0.5) + line(2, "netty-epoll", "pp1", 32_000, 0.6, 0.5));
        assertTrue(one.contains("| roundhouse-epoll / netty-epoll | 0.97 (1 run) |"), one);
        String single = render(dir, line(1, "roundhouse-epoll", "pp1", 30_000, 0.6, 0.5)
                + line(1, "netty-epoll", "pp1", 32_000, 0.6, 0.5));
        assertFalse(single.contains("run by run"), single);
    }

    /** The open-loop workload's run-by-run ratio is, like its median one, the other's p99 over ours. */
    @Test
    void shouldRatioTheOpenLoopWorkloadRunByRunByItsP99() {
        Results.Cell ours = new Results.Cell();
        Results.Cell other = new Results.Cell();
        for (int run = 1; run <= 3; run++) {
            ours.runs().add(String.valueOf(run));
            ours.primary().add(25_000.0);
            ours.p99().add(100.0 * run);
            other.runs().add(String.valueOf(4 - run)); // another order: matched by run, not by index
            other.primary().add(25_000.0);
            other.p99().add(150.0 * (4 - run));
        }
        assertEquals(List.of(1.5, 1.5, 1.5), MatrixReport.runRatios("rate64", ours, other));
        assertEquals(List.of(1.0, 1.0, 1.0), MatrixReport.runRatios("pp64", ours, other));
        assertEquals("n/a", MatrixReport.runByRun(List.of()));
        assertEquals("1.50 [1.20 – 1.70]", MatrixReport.runByRun(List.of(1.7, 1.2, 1.5)));
    }
}
