package dev.roundhouse.bench.portable;

import dev.roundhouse.bench.report.MatrixReport;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The echo matrix where {@code benchmarks/run-matrix.sh} cannot run (Windows, macOS; it
 * needs bash, gcc and Linux's {@code epoll} for its C load generator and C server): every Java echo
 * server {@code EchoServerMain --list} names, each in a JVM of its own, driven by
 * {@link JavaLoadGen} in another, the matrix run {@code --runs} times with the servers in reverse
 * order every other run; then the same tables as run-matrix.sh's ({@link MatrixReport}: medians,
 * spreads, the ratios Roundhouse/Netty per backend pair) on standard output, progress on stderr.
 *
 * <pre>
 *   PortableMatrix [--runs 3] [--warmup 3] [--secs 5] [--workloads "pp1 pp64 st16 conn"] [--impls "roundhouse-iocp netty-nio"]
 *                  [--out DIR] [--pin auto|off] [--c-binary PATH] [--client-threads N] [--rate 25000]
 *                  [--conn-close auto|graceful|reset] [--order server|workload]
 * </pre>
 *
 * {@code --client-threads}: the load generator's threads on {@code pp64}, {@code st16},
 * {@code conn} and {@code rate64} (default 2 on a machine with 4 CPUs or more, else 1; {@code pp1} always 1): one
 * thread saturates its core before the servers do there (BENCHMARKS.md, <i>Off Linux</i>).
 * Pinned, the threads get CPUs 1 to N.
 *
 * {@code --order}: {@code workload} (default, as run-matrix.sh's) measures each workload on every
 * server in turn, so that two servers' figures of a workload are one measurement apart and a
 * machine whose level swings between minutes moves both (the report's <i>Ratios run by run</i>);
 * {@code server} measures every workload of a server in turn, then the next server (the order
 * before 2026-12-08). Each measurement starts a server of its own either way.
 *
 * The C epoll server joins only when named in {@code --impls} as {@code c}, with {@code --c-binary}
 * the compiled {@code echo_server} (Linux: to compare this load generator with run-matrix.sh's).
 *
 * Workloads, as run-matrix.sh's:
 * <ul>
 *   <li>{@code pp1} (1 connection) and {@code pp64} (64 connections): ping-pong with 64 B messages;</li>
 *   <li>{@code st16}: streaming, 16 connections, 16 KiB writes, 64 KiB in flight each;</li>
 *   <li>{@code conn}: connect + 64 B echo + close, 16 at a time, from 127.0.0.2-201. macOS's
 *       loopback lacks those addresses unless aliased: there its figures are FAILED, the reason on
 *       stderr. On Windows the ephemeral ports are one pool (16,384 by default) and a closed
 *       connection's stays in {@code TIME_WAIT} for minutes, so each connection is closed with a
 *       reset instead of a FIN: {@code --conn-close auto}, the default, is {@code reset} on Windows
 *       and {@code graceful} elsewhere, and {@code machine.txt} says which ran;</li>
 *   <li>only when named in {@code --workloads}, {@code rate64}: open loop, 64 connections, 64 B
 *       messages offered at {@code --rate} per second in all (default 25,000, as run-matrix.sh's),
 *       each timed from when it fell due (p99 ranks the servers).</li>
 * </ul>
 * The raw results ({@code results.tsv}, run-matrix.sh's columns) and {@code machine.txt} go to {@code --out}
 * (default {@code bench-results/portable-STAMP}). {@code --pin auto} pins the server to CPU 0 and
 * the load generator to CPU 1 with {@code taskset} where it exists (Linux); elsewhere, or with
 * {@code off}, the two are not pinned and {@code machine.txt} says so. A server that does not
 * accept connections within 30 s, or a load generator that fails (a byte echoed wrong, a
 * connection closed), makes that figure FAILED, with the reason on stderr; the matrix goes on.
 * Servers are stopped by their process ({@link Process#destroy()}, forcibly after 10 s).
 *
 * <p>Against run-matrix.sh's C load generator the Java one is a slower client (a JVM's
 * {@code selectNow} and checks per operation): on 2 vCPUs it reads {@code pp1} as the C one does
 * and limits the fast servers on the other workloads; the ratios between
 * servers are what this is for (BENCHMARKS.md, <i>Off Linux</i>, compares the two generators on
 * Linux). <i>foreign CPU</i> is the machine's CPU use over the window (on Linux the tasks' account,
 * {@link MachineCpu}; elsewhere {@code OperatingSystemMXBean.getCpuLoad}) less the server's CPU time
 * and a core per spinning load generator thread: approximate. Pinned on Linux, each row also has
 * the busy share of the server's core ({@link #coreCpu}), as run-matrix.sh's rows do.
 */
public final class PortableMatrix {
    /** Each workload: its name, the load generator's mode, connections and bytes per message. */
    private static final Map<String, String[]> WORKLOADS = Map.of(
            "pp1", new String[] {"pingpong", "1", "64"},
            "pp64", new String[] {"pingpong", "64", "64"},
            "st16", new String[] {"stream", "16", "16384"},
            "conn", new String[] {"connect", "16", "64"},
            "rate64", new String[] {"rate", "64", "64"});
    /** {@code --order}'s default (see {@link #schedule}). */
    static final String DEFAULT_ORDER = "workload";
    private static final long SERVER_START_MS = 30_000;
    private static final long SERVER_STOP_MS = 10_000;

    private final String javaBin;
    private final String classPath;
    private final boolean pin;
    private final String cBinary;
    private final int clientThreads;
    private final long rate;
    private final boolean connReset;

    private PortableMatrix(String java, String classPath, boolean pin, String cBinary, int clientThreads, long rate,
                           boolean connReset) {
        this.javaBin = java;
        this.classPath = classPath;
        this.pin = pin;
        this.cBinary = cBinary;
        this.clientThreads = clientThreads;
        this.rate = rate;
        this.connReset = connReset;
    }

    /** Runs the matrix; exit status 2 on bad arguments, 1 if no server can be listed. */
    public static void main(String[] args) throws Exception {
        int status = run(args);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** {@link #main}'s work; returns the exit status instead of exiting (usage errors on stderr). */
    static int run(String[] args) throws IOException, InterruptedException {
        Map<String, String> o;
        int runs;
        double warmup;
        double secs;
        int clientThreads;
        long rate;
        List<String> workloads;
        try {
            o = options(args);
            runs = Integer.parseInt(o.getOrDefault("--runs", "3"));
            warmup = Double.parseDouble(o.getOrDefault("--warmup", "3"));
            secs = Double.parseDouble(o.getOrDefault("--secs", "5"));
            int cpus = Runtime.getRuntime().availableProcessors();
            clientThreads = Integer.parseInt(o.getOrDefault("--client-threads", cpus >= 4 ? "2" : "1"));
            rate = Long.parseLong(o.getOrDefault("--rate", "25000"));
            workloads = Arrays.asList(o.getOrDefault("--workloads", "pp1 pp64 st16 conn").trim().split("\\s+"));
            for (String w : workloads) {
                if (!WORKLOADS.containsKey(w)) {
                    throw new IllegalArgumentException("--workloads takes pp1, pp64, st16, conn and rate64, not " + w);
                }
            }
            if (!(rate >= JavaLoadGen.MIN_RATE && rate <= JavaLoadGen.MAX_RATE)) {
                throw new IllegalArgumentException("--rate takes messages per second in all, "
                        + (long) JavaLoadGen.MIN_RATE + " to " + (long) JavaLoadGen.MAX_RATE + ", not " + rate);
            }
            if (runs < 1 || !(warmup >= 0 && warmup < 3600) || !(secs > 0 && secs < 3600)
                    || clientThreads < 1 || clientThreads > 64) {
                throw new IllegalArgumentException("--runs must be at least 1, --warmup 0 to 3600, --secs above 0 "
                        + "and below 3600, --client-threads 1 to 64");
            }
            if (!List.of("auto", "off").contains(o.getOrDefault("--pin", "auto"))) {
                throw new IllegalArgumentException("--pin takes auto or off, not " + o.get("--pin"));
            }
            if (!List.of("server", "workload").contains(o.getOrDefault("--order", DEFAULT_ORDER))) {
                throw new IllegalArgumentException("--order takes server or workload, not " + o.get("--order"));
            }
            if (!List.of("auto", "graceful", "reset").contains(o.getOrDefault("--conn-close", "auto"))) {
                throw new IllegalArgumentException("--conn-close takes auto, graceful or reset, not " + o.get("--conn-close"));
            }
        } catch (IllegalArgumentException e) { // NumberFormatException included
            System.err.println("PortableMatrix: " + e.getMessage());
            return 2;
        }
        // as AcceptExhaustionTck: on Windows CreateProcess appends the .exe
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        boolean pin = !"off".equals(o.get("--pin")) && tasksetAvailable(clientThreads);
        String connClose = o.getOrDefault("--conn-close", "auto");
        boolean connReset = connClose.equals("reset")
                || connClose.equals("auto") && System.getProperty("os.name", "").startsWith("Windows");
        PortableMatrix m = new PortableMatrix(javaBin, System.getProperty("java.class.path"), pin, o.get("--c-binary"),
                clientThreads, rate, connReset);
        List<String> impls = o.containsKey("--impls")
                ? Arrays.asList(o.get("--impls").trim().split("\\s+")) : m.javaServers();
        if (impls.isEmpty()) {
            System.err.println("PortableMatrix: no Java echo server can run here (EchoServerMain --list)");
            return 1;
        }
        Path out = Path.of(o.getOrDefault("--out", "bench-results/portable-"
                + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now())));
        Files.createDirectories(out);
        boolean byWorkload = o.getOrDefault("--order", DEFAULT_ORDER).equals("workload");
        Path machine = out.resolve("machine.txt");
        Files.writeString(machine, m.machine(runs, warmup, secs, workloads.contains("rate64"), byWorkload));
        Path tsv = out.resolve("results.tsv");
        List<String> rows = new ArrayList<>();
        rows.add("run\timpl\tworkload\tops_per_s\tmib_per_s\tp50_us\tp99_us\tp999_us\tmax_us\tclient_cpu"
                + "\tforeign_cpu_pct\tloadavg\tserver_cpu\tserver_core_cpu");
        List<String[]> schedule = schedule(runs, impls, workloads, byWorkload);
        int done = 0;
        for (String[] s : schedule) {
            done++;
            System.err.printf(Locale.ROOT, "[%d/%d] run %s: %s %s%n", done, schedule.size(), s[0], s[1], s[2]);
            String row = m.measure(s[1], s[2], warmup, secs);
            System.err.println("  " + row.replace('\t', ' '));
            rows.add(s[0] + "\t" + s[1] + "\t" + s[2] + "\t" + row);
            Files.write(tsv, rows, StandardCharsets.UTF_8); // what ran so far survives a stop
        }
        MatrixReport.main(new String[] {"--results", tsv.toString(), "--machine", machine.toString(),
            "--by", "PortableMatrix"});
        System.err.println("raw results in " + out);
        return 0;
    }

    /**
     * The measurements in the order they run, each {run, server, workload}: {@code runs} runs, the
     * servers in reverse order every other run; within a run each server's workloads in turn
     * ({@code byWorkload} false), or each workload on every server in turn (true: a workload's
     * figures of two servers are then one measurement apart, which the report's ratios run by run
     * compare).
     */
    static List<String[]> schedule(int runs, List<String> impls, List<String> workloads, boolean byWorkload) {
        List<String[]> out = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            List<String> order = new ArrayList<>(impls);
            if (run % 2 == 0) {
                Collections.reverse(order);
            }
            String r = Integer.toString(run);
            if (byWorkload) {
                for (String w : workloads) {
                    for (String impl : order) {
                        out.add(new String[] {r, impl, w});
                    }
                }
            } else {
                for (String impl : order) {
                    for (String w : workloads) {
                        out.add(new String[] {r, impl, w});
                    }
                }
            }
        }
        return out;
    }

    /** {@code --name value} pairs. */
    static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        List<String> known = List.of("--runs", "--warmup", "--secs", "--workloads", "--impls", "--out", "--pin",
                "--c-binary", "--client-threads", "--rate", "--conn-close", "--order");
        for (int i = 0; i < args.length; i++) {
            if (!known.contains(args[i]) || i + 1 == args.length) {
                throw new IllegalArgumentException("unknown option or missing value: " + args[i]
                        + " (options: " + known + ")");
            }
            o.put(args[i], args[++i]);
        }
        return o;
    }

    /** The Java servers {@code EchoServerMain --list} names (the C baselines left out). */
    private List<String> javaServers() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(serverJvm("--list")).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> names = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                String name = line.trim();
                if (!name.isEmpty() && !name.equals("c") && !name.startsWith("c-")) {
                    names.add(name);
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IOException("EchoServerMain --list exited with " + p.exitValue());
        }
        return names;
    }

    private List<String> serverJvm(String... args) {
        List<String> cmd = new ArrayList<>();
        if (pin) {
            cmd.addAll(List.of("taskset", "-c", "0"));
        }
        cmd.addAll(List.of(javaBin, "-Xms512m", "-Xmx512m", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", classPath, "dev.roundhouse.bench.server.EchoServerMain"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * One figure: starts {@code impl}'s server, drives it, stops it. Returns the row's fields after
     * the workload (run-matrix.sh's columns), or {@code FAILED}.
     */
    private String measure(String impl, String workload, double warmup, double secs)
            throws IOException, InterruptedException {
        int port = freePort();
        List<String> cmd = serverJvm("--impl", impl, "--port", Integer.toString(port));
        if (impl.equals("c") && cBinary != null) {
            cmd.addAll(List.of("--c-binary", cBinary));
        }
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String why = awaitListening(server, port);
            if (why != null) {
                System.err.println("  " + impl + ": " + why);
                return "FAILED";
            }
            return drive(port, WORKLOADS.get(workload), warmup, secs, server);
        } finally {
            server.destroy();
            if (!server.waitFor(SERVER_STOP_MS, TimeUnit.MILLISECONDS)) {
                server.destroyForcibly().waitFor();
            }
        }
    }

    private String drive(int port, String[] workload, double warmup, double secs, Process server)
            throws IOException, InterruptedException {
        int threads = Math.min(Integer.parseInt(workload[1]), clientThreads);
        List<String> cmd = new ArrayList<>();
        if (pin) {
            cmd.addAll(List.of("taskset", "-c", threads == 1 ? "1" : "1-" + threads));
        }
        String mode = workload[0].equals("connect") && connReset ? "connect-reset" : workload[0];
        cmd.addAll(List.of(javaBin, "-cp", classPath, JavaLoadGen.class.getName(), mode, Integer.toString(port),
                workload[1], workload[2], Double.toString(warmup), Double.toString(secs)));
        if (workload[0].equals("rate")) {
            cmd.add(Long.toString(rate));
        }
        cmd.add(Integer.toString(threads));
        Process client = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        // the measured window's start (benchmark timing, not synchronisation): the client's JVM
        // start-up is left inside the warm-up, as run-matrix.sh leaves its own
        Thread.sleep((long) (warmup * 1000) + 300);
        long cpu0 = cpuNanos(server);
        os.getCpuLoad(); // starts the machine's load interval
        OptionalLong machine0 = MachineCpu.read();
        OptionalLong idle0 = pin ? MachineCpu.idleNanos(0) : OptionalLong.empty();
        long t0 = System.nanoTime();
        String result;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
            result = r.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElse(null);
        }
        double machineLoad = os.getCpuLoad();
        OptionalLong machine1 = MachineCpu.read();
        OptionalLong idle1 = pin ? MachineCpu.idleNanos(0) : OptionalLong.empty();
        double window = (System.nanoTime() - t0) / 1e9;
        double serverCpu = (cpuNanos(server) - cpu0) / 1e9 / window;
        if (client.waitFor() != 0 || result == null) {
            return "FAILED";
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        double foreign = foreignCpuPct(machine0, machine1, machineLoad, window, serverCpu, threads, cpus);
        return String.join("\t", field(result, "ops_per_s"), field(result, "mib_per_s"), field(result, "p50_us"),
                field(result, "p99_us"), field(result, "p999_us"), field(result, "max_us"),
                field(result, "client_cpu"), String.format(Locale.ROOT, "%.0f", foreign), "NaN",
                String.format(Locale.ROOT, "%.3f", serverCpu), coreCpu(idle0, idle1, window));
    }

    /**
     * The busy share of the server's core (CPU 0, where it is pinned) over a window of
     * {@code window} s whose ends read {@code idle0} and {@code idle1} ns of idle time
     * ({@link MachineCpu#idleNanos}): "NaN" where not measured (not pinned, not Linux), as
     * run-matrix.sh's {@code server_core_cpu}. It adds to the server's own CPU the kernel's work on
     * that core charged to no task (BENCHMARKS.md, <i>What is measured</i>).
     */
    static String coreCpu(OptionalLong idle0, OptionalLong idle1, double window) {
        if (idle0.isEmpty() || idle1.isEmpty() || !(window > 0)) {
            return "NaN";
        }
        double busy = 1 - (idle1.getAsLong() - idle0.getAsLong()) / 1e9 / window;
        return String.format(Locale.ROOT, "%.3f", Math.min(1, Math.max(0, busy)));
    }

    /**
     * The share of the machine, in %, that neither the server nor the spinning load generator used
     * over a window of {@code window} s: from the tasks' account ({@link MachineCpu}, {@code m0} and
     * {@code m1} at the window's ends) where there is one, else from {@code machineLoad}
     * ({@code getCpuLoad}, 0 to 1; negative: not available, and the result is NaN).
     * {@code serverCpu}: the server's cores over the window; {@code threads}: the load generator's,
     * a core each (it spins).
     */
    static double foreignCpuPct(OptionalLong m0, OptionalLong m1, double machineLoad, double window,
            double serverCpu, int threads, int cpus) {
        double used;
        if (m0.isPresent() && m1.isPresent() && window > 0) {
            used = (m1.getAsLong() - m0.getAsLong()) / 1e9 / window; // cores
        } else if (machineLoad >= 0) {
            used = machineLoad * cpus;
        } else {
            return Double.NaN;
        }
        return Math.max(0, used - serverCpu - threads) / cpus * 100;
    }

    /** The value of {@code key=value} in a RESULT line. */
    static String field(String line, String key) {
        for (String kv : line.split(" ")) {
            if (kv.startsWith(key + "=")) {
                return kv.substring(key.length() + 1);
            }
        }
        throw new IllegalArgumentException("no " + key + " in " + line);
    }

    /** The CPU time of the server's process and its children (the C server runs as one). */
    private static long cpuNanos(Process p) {
        return cpuNanos(p.toHandle()) + p.descendants().mapToLong(PortableMatrix::cpuNanos).sum();
    }

    private static long cpuNanos(ProcessHandle h) {
        return h.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** Null once the server accepts a connection; the reason if it exits or takes too long. */
    private static String awaitListening(Process server, int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SERVER_START_MS);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                return "the server exited with status " + server.exitValue() + " before listening";
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return null;
            } catch (IOException notYet) {
                Thread.sleep(50); // polling a child process's port: nothing to wait on instead
            }
        }
        return "the server did not accept a connection on port " + port + " within " + SERVER_START_MS + " ms";
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on this machine", e);
        }
    }

    /** Whether {@code taskset} exists and there are CPUs for the server and each client thread. */
    private static boolean tasksetAvailable(int clientThreads) {
        if (Runtime.getRuntime().availableProcessors() < 1 + clientThreads) {
            return false;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "taskset"))) {
                return true;
            }
        }
        return false;
    }

    private String machine(int runs, double warmup, double secs, boolean openLoop, boolean byWorkload) {
        Runtime rt = Runtime.getRuntime();
        return String.join("\n",
                "date: " + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC).format(Instant.now()),
                "os: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " ("
                        + System.getProperty("os.arch") + "), " + rt.availableProcessors() + " CPUs",
                "jdk: " + System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"),
                "pinning: " + (pin ? "server on CPU 0, load generator on CPU 1" + (clientThreads > 1 ? "-" + clientThreads : "")
                        + " (taskset)" : "none (no taskset, too few CPUs, or --pin off)"),
                "network: the host's loopback",
                String.format(Locale.ROOT, "timing: %d run(s), %s, the servers in reverse order every other run; "
                        + "a server started per measurement; per workload %.1f s warm-up + %.1f s measured", runs,
                        byWorkload ? "each workload measured on every server in turn"
                                : "every workload of a server in turn", warmup, secs),
                "load generator: JavaLoadGen (spins over java.nio selectNow, each echoed byte checked), a JVM of its own, "
                        + clientThreads + " thread(s) on pp64, st16, conn and rate64"
                        + (openLoop ? "; rate64 offered " + rate + " messages/s" : "")
                        + "; conn closes each connection " + (connReset ? "with a reset (SO_LINGER 0, no TIME_WAIT)"
                        : "gracefully (FIN)"),
                "jvm flags: -Xms512m -Xmx512m (servers)",
                "foreign CPU: from " + (MachineCpu.read().isPresent()
                        ? "the tasks' CPU time (the root cgroup's account) and steal"
                        : "OperatingSystemMXBean.getCpuLoad") + ", less the server's and a core per load generator thread",
                "");
    }
}
