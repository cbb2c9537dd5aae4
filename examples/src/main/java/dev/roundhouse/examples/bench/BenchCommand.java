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
 *   roundhouse bench [--full] [--impls "roundhouse-nio netty-nio c"] [--repo DIR]
 * </pre>
 *
 * By default the short matrix: one run, 1 s warm-up and 2 s per workload, about 30 s per server;
 * progress goes to stderr line by line, the table to stdout, and BENCHMARKS.md is left alone.
 * {@code --full} runs the matrix three times and rewrites BENCHMARKS.md's tables. The harness is
 * {@code benchmarks/run-matrix.sh} of a Roundhouse checkout (found from {@code --repo}, the
 * {@code ROUNDHOUSE_HOME} environment variable, or the current directory and its parents); it
 * needs bash, gcc and, on Linux, taskset to pin server and load generator to different cores.
 */
public final class BenchCommand {
    private static final String SCRIPT = "benchmarks/run-matrix.sh";

    private BenchCommand() {
    }

    /** Runs the command; returns the process exit status (0 success, 2 usage error). */
    public static int run(String[] args) {
        List<String> scriptArgs = new ArrayList<>();
        String repo = System.getenv("ROUNDHOUSE_HOME");
        boolean full = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--full" -> full = true;
                case "--impls", "--repo" -> {
                    if (i + 1 == args.length) {
                        return usage(args[i] + " needs a value");
                    }
                    if (args[i].equals("--repo")) {
                        repo = args[++i];
                    } else {
                        scriptArgs.add("--impls");
                        scriptArgs.add(args[++i]);
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
        if (!full) {
            scriptArgs.add(0, "--short");
        }
        Path root = findRepo(repo);
        if (root == null) {
            System.err.println("roundhouse bench: cannot find " + SCRIPT + "; run it inside a Roundhouse checkout, "
                    + "or pass --repo DIR or set ROUNDHOUSE_HOME");
            return 1;
        }
        List<String> command = new ArrayList<>(List.of("bash", root.resolve(SCRIPT).toString()));
        command.addAll(scriptArgs);
        System.err.println("roundhouse bench: " + (full ? "full matrix (3 runs, writes BENCHMARKS.md)"
                : "short matrix (1 run, 1 s warm-up + 2 s per workload)") + " from " + root);
        try {
            Process p = new ProcessBuilder(command).directory(root.toFile()).inheritIO().start();
            return p.waitFor();
        } catch (IOException e) {
            System.err.println("roundhouse bench: cannot start bash: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
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
        System.err.println("usage: roundhouse bench [--full] [--impls \"roundhouse-nio netty-nio c\"] [--repo DIR]");
        return error == null ? 0 : 2;
    }
}
