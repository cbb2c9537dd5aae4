package dev.roundhouse.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code roundhouse bench}'s portable mode (off Linux, or {@code --portable}): the command it runs,
 * and the error it gives when the checkout's benchmarks jar has not been built.
 */
class BenchCommandTest {
    @TempDir
    Path checkout;

    @Test
    void shouldRunThePortableMatrixShortOrFullWithTheImplsGiven() {
        List<String> shortRun = BenchCommand.portableCommand(checkout, false, null);
        assertEquals(List.of("-cp", checkout.resolve("benchmarks/target/benchmarks.jar").toString(),
                "dev.roundhouse.bench.portable.PortableMatrix", "--runs", "1", "--warmup", "1", "--secs", "2"),
                shortRun.subList(1, shortRun.size()));
        List<String> full = BenchCommand.portableCommand(checkout, true, "roundhouse-iocp netty-nio");
        assertEquals(List.of("--runs", "3", "--impls", "roundhouse-iocp netty-nio"), full.subList(4, full.size()));
        assertEquals(Path.of(System.getProperty("java.home"), "bin").toString(),
                Path.of(full.get(0)).getParent().toString(), "this JVM's java");
    }

    @Test
    void shouldSayHowToBuildTheJarWhenItIsMissing() throws Exception {
        Files.createDirectories(checkout.resolve("benchmarks"));
        Files.writeString(checkout.resolve("benchmarks/run-matrix.sh"), "exit 3\n");
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertEquals(1, BenchCommand.run(new String[] {"--portable", "--repo", checkout.toString()}));
        } finally {
            System.setErr(stderr);
        }
        String said = captured.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("benchmarks.jar is missing and there is no mvnw to build it; build it with "
                + "./mvnw -B -pl benchmarks -am package"), said);
    }

    @Test
    void shouldBuildTheMissingJarWithTheCheckoutsWrapper() throws Exception {
        assumeFalse(System.getProperty("os.name", "").startsWith("Windows"), "the fake wrapper is a shell script");
        // a wrapper that records its arguments and makes the jar, as the real build would
        Files.writeString(checkout.resolve("mvnw"), "echo \"$@\" > args.txt\n"
                + "mkdir -p benchmarks/target && : > benchmarks/target/benchmarks.jar\n");

        assertEquals(null, BenchCommand.buildJar(checkout));
        assertEquals(String.join(" ", BenchCommand.BUILD_JAR), Files.readString(checkout.resolve("args.txt")).strip());
        assertTrue(Files.isRegularFile(checkout.resolve("benchmarks/target/benchmarks.jar")));
    }

    @Test
    void shouldSayWhyTheJarCouldNotBeBuilt() throws Exception {
        assumeFalse(System.getProperty("os.name", "").startsWith("Windows"), "the fake wrapper is a shell script");
        Files.writeString(checkout.resolve("mvnw"), "exit 3\n");
        assertEquals(" and building it failed (status 3)", BenchCommand.buildJar(checkout));

        Files.writeString(checkout.resolve("mvnw"), "exit 0\n");
        assertEquals(" after the build, which did not make it", BenchCommand.buildJar(checkout));
    }

    @Test
    void shouldRejectUnknownArguments() {
        assertEquals(2, BenchCommand.run(new String[] {"--colour", "blue"}));
        assertEquals(2, BenchCommand.run(new String[] {"--impls"}));
    }
}
