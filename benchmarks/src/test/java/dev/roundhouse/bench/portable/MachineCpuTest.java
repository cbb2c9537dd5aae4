package dev.roundhouse.bench.portable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The machine's CPU account for the portable matrix's foreign CPU ({@link MachineCpu}). */
class MachineCpuTest {
    private static final String PROC_STAT = "cpu  1695087 12 1330989 4500000 300 0 9000 250 0 0\n"
            + "cpu0 847000 6 665000 2250000 150 0 4500 125 0 0\n"
            + "intr 123 4 5\n";

    @Test
    void shouldAddTheStealToTheCgroupV1Account(@TempDir Path dir) throws IOException {
        Path v1 = Files.writeString(dir.resolve("cpuacct.usage"), "30260760691517\n");
        Path stat = Files.writeString(dir.resolve("stat"), PROC_STAT);
        // 250 ticks of steal at 100 per second: 2.5 s
        assertEquals(OptionalLong.of(30_260_760_691_517L + 2_500_000_000L),
                MachineCpu.read(v1, dir.resolve("absent"), stat));
    }

    @Test
    void shouldReadTheCgroupV2UsageInMicroseconds(@TempDir Path dir) throws IOException {
        Path v2 = Files.writeString(dir.resolve("cpu.stat"),
                "usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\nnr_periods 0\n");
        Path stat = Files.writeString(dir.resolve("stat"), "cpu  1 2 3 4 5 6 7 0 0 0\n");
        assertEquals(OptionalLong.of(1_234_567_000L), MachineCpu.read(dir.resolve("absent"), v2, stat));
    }

    @Test
    void shouldFindNothingWithoutAnAccountOrWhenItDoesNotParse(@TempDir Path dir) throws IOException {
        Path stat = Files.writeString(dir.resolve("stat"), PROC_STAT);
        assertTrue(MachineCpu.read(dir.resolve("a"), dir.resolve("b"), stat).isEmpty(), "no cgroup account");
        Path v2 = Files.writeString(dir.resolve("cpu.stat"), "nr_periods 0\n");
        assertTrue(MachineCpu.read(dir.resolve("a"), v2, stat).isEmpty(), "a cpu.stat without usage_usec");
        Path v1 = Files.writeString(dir.resolve("cpuacct.usage"), "max\n");
        assertTrue(MachineCpu.read(v1, dir.resolve("b"), stat).isEmpty(), "a cpuacct.usage that is no number");
        Path good = Files.writeString(dir.resolve("usage"), "5\n");
        assertTrue(MachineCpu.read(good, dir.resolve("b"), dir.resolve("c")).isEmpty(), "no /proc/stat");
        // an old kernel's line without the steal column: none stolen
        Path old = Files.writeString(dir.resolve("old"), "cpu  1 2 3 4 5 6 7\n");
        assertEquals(OptionalLong.of(5), MachineCpu.read(good, dir.resolve("b"), old));
    }

    @Test
    void shouldTakeTheForeignShareFromTheAccountWhenThereIsOne() {
        // 2 CPUs, a 5 s window: the account grew by 6 s (1.2 cores), the server used 0.15 and the
        // spinning load generator 1: 0.05 cores foreign, 2.5 % of the machine, whatever getCpuLoad says
        double pct = PortableMatrix.foreignCpuPct(OptionalLong.of(1_000_000_000L), OptionalLong.of(7_000_000_000L),
                0.9, 5.0, 0.15, 1, 2);
        assertEquals(2.5, pct, 1e-9);
        // without an account: from getCpuLoad (0.9 of 2 CPUs = 1.8 cores: 0.65 foreign, 32.5 %)
        assertEquals(32.5, PortableMatrix.foreignCpuPct(OptionalLong.empty(), OptionalLong.empty(), 0.9, 5.0,
                0.15, 1, 2), 1e-9);
        // neither: not measured
        assertTrue(Double.isNaN(PortableMatrix.foreignCpuPct(OptionalLong.empty(), OptionalLong.of(1), -1, 5.0,
                0.15, 1, 2)));
        // less than the two used (accounts round): 0, never negative
        assertEquals(0, PortableMatrix.foreignCpuPct(OptionalLong.of(0), OptionalLong.of(5_000_000_000L), 0.9, 5.0,
                0.15, 1, 2), 1e-9);
    }

    /** A CPU's idle time is its line's idle and iowait, in ns; a CPU the file lacks has none. */
    @Test
    void shouldReadACpusIdleTimeFromItsOwnLine() {
        // cpu0: 2,250,000 idle + 150 iowait ticks at 100 per second
        assertEquals(OptionalLong.of(22_501_500_000_000L), MachineCpu.parseIdle(PROC_STAT, 0));
        assertTrue(MachineCpu.parseIdle(PROC_STAT, 1).isEmpty(), "no cpu1 line");
        assertTrue(MachineCpu.parseIdle("cpu0 1 2 3 x 5\n", 0).isEmpty(), "no number");
    }
}
