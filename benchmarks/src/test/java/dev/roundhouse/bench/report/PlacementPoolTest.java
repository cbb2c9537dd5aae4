package dev.roundhouse.bench.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlacementPoolTest {
    private static final String RESULTS = "run\timpl\tworkload\tops_per_s\tmib_per_s\tp50_us\tp99_us\tp999_us\t"
            + "max_us\tclient_cpu\tforeign_cpu_pct\tloadavg\tserver_cpu\n";
    private static final String PLACEMENT = "run\timpl\tworkload\tround_trip_before_ns\tround_trip_after_ns\n";

    /** A matrix directory: st16 runs as {run, impl, MiB/s, probe before, probe after}. */
    private static Path matrix(Path root, String name, String jdk, String[]... runs) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name));
        StringBuilder results = new StringBuilder(RESULTS);
        StringBuilder placement = new StringBuilder(PLACEMENT);
        for (String[] r : runs) {
            results.append(r[0]).append('\t').append(r[1]).append("\tst16\t0\t").append(r[2])
                   .append("\t0.0\t0.0\t0.0\t0.0\t0.90\t2\t1.00\t0.99\n");
            placement.append(r[0]).append('\t').append(r[1]).append("\tst16\t").append(r[3]).append('\t')
                     .append(r[4]).append('\n');
        }
        Files.writeString(dir.resolve("results.tsv"), results);
        Files.writeString(dir.resolve("placement.tsv"), placement);
        Files.writeString(dir.resolve("machine.txt"), "date: test\njdk: " + jdk + "\n");
        return dir;
    }

    /**
     * A short matrix whose probes were all far has no gap of its own; pooled, its runs are split
     * at the gap among all the matrices' probes, a run that moved is left out, and a directory
     * without a placement file is skipped.
     */
    @Test
    void shouldSplitEveryPooledRunAtTheGapAmongAllProbes(@TempDir Path root) throws IOException {
        Path allFar = matrix(root, "a", "25.0.3+9-LTS",
                new String[] {"1", "roundhouse-iocp", "700", "370", "360"},
                new String[] {"2", "roundhouse-iocp", "720", "375", "365"},
                new String[] {"1", "netty-nio", "840", "362", "371"});
        Path both = matrix(root, "b", "25.0.3+9-LTS",
                new String[] {"1", "roundhouse-iocp", "1300", "80", "85"},
                new String[] {"2", "roundhouse-iocp", "730", "370", "365"},
                new String[] {"1", "netty-nio", "1250", "85", "90"},
                new String[] {"2", "netty-nio", "830", "360", "350"},
                new String[] {"3", "netty-nio", "900", "85", "370"}); // moved
        Path jdk17 = matrix(root, "c", "17.0.15+6-Debian-1deb12u1",
                new String[] {"1", "roundhouse-iocp", "1000", "80", "82"},
                new String[] {"1", "netty-nio", "800", "84", "81"});
        Path empty = Files.createDirectories(root.resolve("d"));

        String md = PlacementPool.render(List.of(allFar, both, jdk17, empty));
        assertTrue(md.contains("Far: both probes of a run ≥ 177 ns, the middle of the widest gap among all 20 probes."), md);
        assertTrue(md.contains("#### JDK 25: runs at one vCPU placement, pooled over 2 matrices"), md);
        // far: 700, 720, 730 against 840, 830; near: 1,300 against 1,250 (the moved 900 left out)
        assertTrue(md.contains("| st16 | roundhouse-iocp / netty-nio | 1,300 (1) | 1,250 (1) | 1.04 | 720 (3) | 835 (2) "
                + "| 0.86 |"), md);
        assertTrue(md.contains("#### JDK 17: runs at one vCPU placement, pooled over 1 matrices"), md);
        assertTrue(md.contains("| st16 | roundhouse-iocp / netty-nio | 1,000 (1) | 800 (1) | 1.25 | – | – | – |"), md);
        assertFalse(md.contains("JDK unknown"), md);
    }
}
