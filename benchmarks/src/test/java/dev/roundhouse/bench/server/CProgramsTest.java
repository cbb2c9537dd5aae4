package dev.roundhouse.bench.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The matrix's C programs, built as run-matrix.sh builds them (plus -Werror) and run against each
 * other on loopback for a fraction of a second: each C server under every load generator mode the
 * matrix uses. The load generator compares every echoed byte and exits 1 on a mismatch, a lost
 * connection or 5 s without progress, so a passing run means the bytes came back intact. Each
 * server must also stop on SIGTERM with status 0, and its port must refuse connections once it has
 * exited (the matrix's next server is found by connecting to the same port). The machine probes
 * the matrix records beside its figures (the core-to-core round trip, a null system call's cost)
 * must print a figure in their range.
 */
class CProgramsTest {
    private static final Path SOURCES = Path.of("src/main/c");
    private static final Pattern OPS = Pattern.compile(" ops=(\\d+) ");
    private static final Pattern MIB = Pattern.compile(" mib_per_s=([0-9.]+) ");
    private static final Pattern RATE = Pattern.compile(" ops_per_s=([0-9.]+) ");
    private static final Pattern SYSCALL_NS = Pattern.compile("^syscall_ns=(\\d+)$", Pattern.MULTILINE);
    private static final Pattern CORELAT_NS = Pattern.compile("^corelat_ns=(\\d+)$", Pattern.MULTILINE);

    @TempDir
    static Path bin;

    private static boolean uring;

    @BeforeAll
    static void build() throws Exception {
        assumeTrue(run(List.of("gcc", "--version"), Map.of(), 30).exit == 0, "gcc is not installed");
        for (String prog : List.of("loadgen", "echo_server", "uring_echo_server", "corelat", "syscost")) {
            Result r = run(List.of("gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-pthread", "-o",
                    bin.resolve(prog).toString(), SOURCES.resolve(prog + ".c").toString()), Map.of(), 120);
            assertEquals(0, r.exit, "gcc " + prog + ".c:\n" + r.output);
        }
        uring = run(List.of(bin.resolve("loadgen").toString(), "uring-check"), Map.of(), 30).exit == 0;
    }

    @Test
    void theEpollServerShouldEchoEveryWorkloadIntact() throws Exception {
        drive("echo_server");
    }

    @Test
    void theIoUringServerShouldEchoEveryWorkloadIntact() throws Exception {
        assumeTrue(uring, "io_uring cannot run here (loadgen uring-check failed)");
        drive("uring_echo_server");
    }

    @Test
    void theMachineProbesShouldPrintAPlausibleFigure() throws Exception {
        Result sys = run(List.of(bin.resolve("syscost").toString(), "50"), Map.of(), 30);
        assertEquals(0, sys.exit, "syscost: " + sys.output);
        long ns = figure(SYSCALL_NS, sys.output, "syscost");
        assertTrue(ns >= 1 && ns < 1_000_000, "a null system call of " + ns + " ns: " + sys.output);
        assertEquals(2, run(List.of(bin.resolve("syscost").toString()), Map.of(), 30).exit, "syscost without MILLIS");

        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "corelat needs two CPUs");
        Result core = run(List.of(bin.resolve("corelat").toString(), "0", "1", "50"), Map.of(), 30);
        assertEquals(0, core.exit, "corelat: " + core.output);
        long rt = figure(CORELAT_NS, core.output, "corelat");
        assertTrue(rt >= 1 && rt < 1_000_000, "a core-to-core round trip of " + rt + " ns: " + core.output);
    }

    private static long figure(Pattern p, String output, String what) {
        Matcher m = p.matcher(output);
        assertTrue(m.find(), what + " printed no figure: " + output);
        return Long.parseLong(m.group(1));
    }

    /** Ping-pong (1 and 8 connections), streaming and connect, each over epoll and (where it runs)
     *  io_uring, blocking and spinning; the open loop over epoll, which sends at the rate asked for
     *  (a closed loop against a C server answers several times faster), and refuses io_uring. */
    private static void drive(String server) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path log = Files.createTempFile(bin, server, ".log");
        Process p = new ProcessBuilder(bin.resolve(server).toString(), Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            String lg = bin.resolve("loadgen").toString();
            String ps = Integer.toString(port);
            Result ready = run(List.of(lg, "wait", ps, "10000"), Map.of(), 20);
            assertEquals(0, ready.exit, server + " did not accept: " + ready.output);
            List<String> ios = new ArrayList<>(List.of("epoll"));
            if (uring) {
                ios.add("uring");
            }
            for (String io : ios) {
                for (String poll : List.of("block", "spin")) {
                    Map<String, String> env = Map.of("LOADGEN_IO", io, "LOADGEN_POLL", poll);
                    String how = " io=" + io + " poll=" + poll;
                    for (String conns : List.of("1", "8")) {
                        assertMeasured(run(List.of(lg, "pingpong", ps, conns, "100", "0", "0.3"), env, 30), OPS,
                                "pingpong " + conns + how, io);
                    }
                    assertMeasured(run(List.of(lg, "stream", ps, "4", "16384", "0", "0.3", "65536"), env, 30),
                            MIB, "stream" + how, io);
                    assertMeasured(run(List.of(lg, "connect", ps, "4", "64", "0", "0.3"), env, 30), OPS,
                            "connect" + how, io);
                }
            }
            Map<String, String> epoll = Map.of("LOADGEN_IO", "epoll");
            Result open = run(List.of(lg, "rate", ps, "8", "64", "0", "0.5", "4000"), epoll, 30);
            assertMeasured(open, OPS, "rate", "epoll");
            Matcher achieved = RATE.matcher(open.output);
            assertTrue(achieved.find() && Double.parseDouble(achieved.group(1)) >= 2000
                    && Double.parseDouble(achieved.group(1)) <= 6000, "rate 4,000/s: " + open.output);
            Map<String, String> ring = Map.of("LOADGEN_IO", "uring");
            Result refused = run(List.of(lg, "rate", ps, "8", "64", "0", "0.3", "4000"), ring, 30);
            assertEquals(2, refused.exit, "rate over io_uring: " + refused.output);
        } finally {
            p.destroy(); // SIGTERM
            boolean exited = p.waitFor(10, TimeUnit.SECONDS);
            if (!exited) {
                p.destroyForcibly();
            }
            assertTrue(exited, server + " did not stop on SIGTERM within 10 s");
        }
        assertEquals(0, p.exitValue(), server + " exit status; its output:\n" + Files.readString(log));
        Result closed = run(List.of(bin.resolve("loadgen").toString(), "wait-closed", Integer.toString(port),
                "2000"), Map.of(), 20);
        assertEquals(0, closed.exit, server + "'s port still accepts after it exited: " + closed.output);
    }

    private static void assertMeasured(Result r, Pattern figure, String what, String io) {
        assertEquals(0, r.exit, what + ": " + r.output);
        assertTrue(r.output.contains(" io=" + io), what + ": ran over another I/O method: " + r.output);
        Matcher m = figure.matcher(r.output);
        assertTrue(m.find(), what + ": no figure in " + r.output);
        assertTrue(Double.parseDouble(m.group(1)) > 0, what + ": nothing measured: " + r.output);
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> cmd, Map<String, String> env, int timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path out = Files.createTempFile(bin, "out", ".txt");
        pb.redirectOutput(out.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Result(-1, e.toString());
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return new Result(-2, "timed out after " + timeoutSeconds + " s: " + cmd + "\n" + Files.readString(out));
        }
        return new Result(p.exitValue(), Files.readString(out));
    }
}
