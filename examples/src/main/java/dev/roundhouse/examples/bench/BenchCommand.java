package dev.roundhouse.examples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code roundhouse bench}: runs the echo benchmark matrix of the {@code benchmarks} module (every
 * available Roundhouse backend, Netty's nio/epoll/io_uring transports and the C epoll and io_uring
 * baselines, driven by a C load generator) and prints its table.
 *
 * <pre>
 *   roundhouse bench [--full] [--portable] [--impls "roundhouse-nio netty-nio c"] [--repo DIR]
 * </pre>
 *
 * By default the short matrix: one run, 1 s warm-up and 2 s per workload, about 30 s per server;
 * progress goes to stderr line by line, the table to stdout, and BENCHMARKS.md is left alone.
 * {@code --full} runs the matrix three times and rewrites BENCHMARKS.md's tables. The harness is
 * {@code benchmarks/run-matrix.sh} of a Roundhouse checkout (found from {@code --repo}, the
 * {@code ROUNDHOUSE_HOME} environment variable, or the current directory and its parents); it
 * needs bash, gcc and, on Linux, taskset to pin server and load generator to different cores.
 *
 * <p>Off Linux (Windows, macOS), or with {@code --portable}, it runs the portable matrix instead
 * ({@code dev.roundhouse.bench.portable.PortableMatrix} from the checkout's
 * {@code benchmarks/target/benchmarks.jar}; if it is missing, the checkout's Maven wrapper builds
 * it first, as run-matrix.sh does): every Java echo server, each in a JVM of its own, driven by a
 * Java load generator, the matrix's four workloads, the same table; {@code --full} is 3 runs of
 * 3 s + 5 s there, and BENCHMARKS.md is never written.
 *
 * <p><b>Thread:</b> the caller's; it blocks until the matrix ends. Bad arguments: the usage on
 * stderr and status 2; no checkout, no bash, or no jar that the wrapper could build: the reason on
 * stderr and status 1.
 */
public final class BenchCommand {
    private static final String SCRIPT = "benchmarks/run-matrix.sh";
    private static final String JAR = "benchmarks/target/benchmarks.jar";
    private static final String PORTABLE = "dev.roundhouse.bench.portable.PortableMatrix";
    /** The Maven wrapper's arguments that build {@link #JAR} (and the modules it needs). */
    static final List<String> BUILD_JAR = List.of("-q", "-B", "-pl", "benchmarks", "-am", "package", "-DskipTests");

    private BenchCommand() {
    }

    /** Runs the command; returns the process exit status (0 success, 2 usage error). */
    public static int run(String[] args) {
        String repo = System.getenv("ROUNDHOUSE_HOME");
        boolean full = false;
        boolean portable = !System.getProperty("os.name", "").startsWith("Linux");
        String impls = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--full" -> full = true;
                case "--portable" -> portable = true;
                case "--impls", "--repo" -> {
                    if (i + 1 == args.length) {
                        return usage(args[i] + " needs a value");
                    }
                    if (args[i].equals("--repo")) {
                        repo = args[++i];
                    } else {
                        impls = args[++i];
                    }
                }
                case "-h", "--help" -> {
                    usage(null);
                    return 0;
                }
                default -> {
                    return usage("unknown argument " + args[i]);
                }
            }
        }
        Path root = findRepo(repo);
        if (root == null) {
            System.err.println("roundhouse bench: cannot find " + SCRIPT + "; run it inside a Roundhouse checkout, "
                    + "or pass --repo DIR or set ROUNDHOUSE_HOME");
            return 1;
        }
        List<String> command;
        if (portable) {
            String why = Files.isRegularFile(root.resolve(JAR)) ? null : buildJar(root);
            if (why != null) {
                System.err.println("roundhouse bench: " + root.resolve(JAR) + " is missing" + why + "; build it with "
                        + "./mvnw -B -pl benchmarks -am package -DskipTests (mvnw.cmd on Windows)");
                return 1;
            }
            command = portableCommand(root, full, impls);
            System.err.println("roundhouse bench: portable matrix (Java servers and load generator, "
                    + (full ? "3 runs, 3 s warm-up + 5 s" : "1 run, 1 s warm-up + 2 s") + " per workload; "
                    + "BENCHMARKS.md untouched) from " + root);
        } else {
            command = new ArrayList<>(List.of("bash", root.resolve(SCRIPT).toString()));
            if (!full) {
                command.add("--short");
            }
            if (impls != null) {
                command.addAll(List.of("--impls", impls));
            }
            System.err.println("roundhouse bench: " + (full ? "full matrix (3 runs, writes BENCHMARKS.md)"
                    : "short matrix (1 run, 1 s warm-up + 2 s per workload)") + " from " + root);
        }
        try {
            Process p = new ProcessBuilder(command).directory(root.toFile()).inheritIO().start();
            return p.waitFor();
        } catch (IOException e) {
            System.err.println("roundhouse bench: cannot start " + command.get(0) + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /**
     * The portable matrix's command: this JVM's {@code java} on the checkout's benchmarks jar,
     * short (1 run, 1 s + 2 s) unless {@code full} (3 runs, the defaults), with {@code impls} when
     * given; run in the checkout, it leaves its results in {@code bench-results/portable-STAMP}.
     */
    static List<String> portableCommand(Path root, boolean full, String impls) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java"); // Windows: CreateProcess adds .exe
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", root.resolve(JAR).toString(), PORTABLE));
        command.addAll(full ? List.of("--runs", "3") : List.of("--runs", "1", "--warmup", "1", "--secs", "2"));
        if (impls != null) {
            command.addAll(List.of("--impls", impls));
        }
        return command;
    }

    /**
     * Builds {@link #JAR} with the checkout's Maven wrapper ({@code mvnw}, through {@code sh};
     * {@code mvnw.cmd} on Windows), its output inherited. Returns null once the jar is there, else
     * why not (no wrapper, the build's status, or no jar after it).
     */
    static String buildJar(Path root) {
        boolean windows = System.getProperty("os.name", "").startsWith("Windows");
        Path wrapper = root.resolve(windows ? "mvnw.cmd" : "mvnw");
        if (!Files.isRegularFile(wrapper)) {
            return " and there is no " + wrapper.getFileName() + " to build it";
        }
        List<String> command = new ArrayList<>(windows ? List.of("cmd", "/c", wrapper.toString())
                : List.of("sh", wrapper.toString()));
        command.addAll(BUILD_JAR);
        System.err.println("roundhouse bench: building " + JAR + ": " + String.join(" ", command));
        try {
            int status = new ProcessBuilder(command).directory(root.toFile()).inheritIO().start().waitFor();
            if (status != 0) {
                return " and building it failed (status " + status + ")";
            }
        } catch (IOException e) {
            return " and the wrapper could not start (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return " (interrupted while building it)";
        }
        return Files.isRegularFile(root.resolve(JAR)) ? null : " after the build, which did not make it";
    }

    private static Path findRepo(String hint) {
        if (hint != null) {
            Path p = Path.of(hint).toAbsolutePath();
            return Files.isRegularFile(p.resolve(SCRIPT)) ? p : null;
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(SCRIPT))) {
                return p;
            }
        }
        return null;
    }

    private static int usage(String error) {
        if (error != null) {
            System.err.println("roundhouse bench: " + error);
        }
        System.err.println("usage: roundhouse bench [--full] [--portable] [--impls \"roundhouse-nio netty-nio c\"] [--repo DIR]");
        return error == null ? 0 : 2;
    }
}
