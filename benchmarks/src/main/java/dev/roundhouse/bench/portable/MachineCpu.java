package dev.roundhouse.bench.portable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The CPU time the whole machine has used so far, from the kernel's own account of its tasks, for
 * {@link PortableMatrix}'s <i>foreign CPU</i> on Linux: the time the scheduler charged to every task
 * (the root cgroup's account: v1 {@code cpuacct.usage}, v2 {@code cpu.stat}'s {@code usage_usec}),
 * which it clocks at each switch, plus the time the hypervisor stole ({@code /proc/stat}).
 *
 * <p><b>Why not {@code OperatingSystemMXBean.getCpuLoad}.</b> On Linux that reads
 * {@code /proc/stat}'s busy fields, which the scheduler's tick samples; a CPU that wakes for a few
 * microseconds tens of thousands of times a second is mostly idle at its ticks, and the fields then
 * disagree with the tasks' own accounts either way (measured 2026-12-07: {@code run-matrix.sh}, whose
 * foreign CPU had the same source, read 10&ndash;30 % on an idle machine on {@code pp1} and
 * {@code rate64}, 1&ndash;2 % from the tasks' account). Elsewhere (Windows, macOS) and where no
 * root cgroup account is readable (in a container, whose cgroup root is its own), {@link #read}
 * finds nothing and the matrix keeps {@code getCpuLoad}.
 *
 * <p><b>Thread:</b> any; stateless.
 */
final class MachineCpu {
    static final Path CGROUP_V1_USAGE = Path.of("/sys/fs/cgroup/cpuacct/cpuacct.usage");
    static final Path CGROUP_V2_STAT = Path.of("/sys/fs/cgroup/cpu.stat");
    static final Path PROC_STAT = Path.of("/proc/stat");
    /** {@code /proc/stat}'s unit, USER_HZ: 100 on every Linux architecture Java runs on. */
    static final long TICKS_PER_SECOND = 100;

    private MachineCpu() {
    }

    /**
     * The tasks' CPU time plus steal, in ns, from this machine's files; empty where they are not
     * readable (not Linux, a container, no cgroup account) or do not parse.
     */
    static OptionalLong read() {
        return read(CGROUP_V1_USAGE, CGROUP_V2_STAT, PROC_STAT);
    }

    /** {@link #read()} from the given files (for tests). */
    static OptionalLong read(Path v1Usage, Path v2Stat, Path procStat) {
        OptionalLong tasks = OptionalLong.empty();
        if (Files.isReadable(v1Usage)) {
            tasks = parseV1(text(v1Usage));
        } else if (Files.isReadable(v2Stat)) {
            tasks = parseV2(text(v2Stat));
        }
        if (tasks.isEmpty() || !Files.isReadable(procStat)) {
            return OptionalLong.empty();
        }
        OptionalLong steal = parseSteal(text(procStat));
        return steal.isEmpty() ? OptionalLong.empty() : OptionalLong.of(tasks.getAsLong() + steal.getAsLong());
    }

    /** cgroup v1 {@code cpuacct.usage}: one number, ns. Empty if it is not one. */
    static OptionalLong parseV1(String text) {
        try {
            return OptionalLong.of(Long.parseLong(text.strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** cgroup v2 {@code cpu.stat}: its {@code usage_usec} line, in ns. Empty without one. */
    static OptionalLong parseV2(String text) {
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && f[0].equals("usage_usec")) {
                try {
                    return OptionalLong.of(Long.parseLong(f[1]) * 1_000);
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    /**
     * {@code /proc/stat}: the steal of its first line ({@code cpu user nice system idle iowait irq
     * softirq steal ...}), in ns; 0 on kernels whose line stops before it. Empty without the line.
     */
    static OptionalLong parseSteal(String text) {
        String[] f = statLine(text, "cpu");
        return f == null ? OptionalLong.empty() : tickNanos(f, f.length > 8 ? new int[] {8} : new int[0]);
    }

    /**
     * How long CPU {@code cpu} has been idle so far, in ns: {@code /proc/stat}'s idle and iowait of
     * its line, which the kernel clocks as the CPU enters and leaves idle (not tick-sampled, unlike
     * the busy fields). Empty where the file or the CPU's line is missing (not Linux).
     * {@link PortableMatrix} takes the server's core's busy share from it when it pins the server.
     */
    static OptionalLong idleNanos(int cpu) {
        return Files.isReadable(PROC_STAT) ? parseIdle(text(PROC_STAT), cpu) : OptionalLong.empty();
    }

    /** {@link #idleNanos} from {@code /proc/stat}'s text (for tests). */
    static OptionalLong parseIdle(String text, int cpu) {
        String[] f = statLine(text, "cpu" + cpu);
        return f == null || f.length <= 5 ? OptionalLong.empty() : tickNanos(f, 4, 5);
    }

    /** The fields of {@code /proc/stat}'s line named {@code name} (its first field), or null. */
    private static String[] statLine(String text, String name) {
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals(name)) {
                return f;
            }
        }
        return null;
    }

    /** The sum of {@code fields} of a {@code /proc/stat} line, clock ticks, in ns; empty if one does not parse. */
    private static OptionalLong tickNanos(String[] line, int... fields) {
        long ticks = 0;
        try {
            for (int i : fields) {
                ticks += Long.parseLong(line[i]);
            }
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(ticks * (1_000_000_000L / TICKS_PER_SECOND));
    }

    private static String text(Path p) {
        try {
            return Files.readString(p, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return ""; // unreadable after all: parses to nothing
        }
    }
}
