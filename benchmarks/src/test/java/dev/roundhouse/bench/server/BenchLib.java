package dev.roundhouse.bench.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a function of {@code benchmarks/bench-lib.sh} on some input, for the tests of its filters. */
final class BenchLib {
    private BenchLib() {
    }

    /**
     * Sources bench-lib.sh (the module's directory is the tests' working directory), runs
     * {@code call} (a function and its arguments) with {@code input} on its standard input, and
     * returns its output's lines; fails the test if it does not end within 30 s or exits non-zero.
     */
    static List<String> run(String call, String input) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", ". ./bench-lib.sh && " + call)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(call + " did not finish within 30 s");
        }
        assertEquals(0, p.exitValue(), call + "'s exit status; output: " + out);
        return out.lines().toList();
    }
}
