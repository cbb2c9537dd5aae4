package dev.roundhouse.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlacementFillTest {
    private static final List<String> IMPLS = List.of("roundhouse-iocp", "roundhouse-iocp@handoff", "netty-nio");

    /** placement.tsv from {run, impl, workload, before, after} rows. */
    private static MatrixPlacement placement(Path dir, String[]... rows) throws IOException {
        StringBuilder sb = new StringBuilder("run\timpl\tworkload\tround_trip_before_ns\tround_trip_after_ns\n");
        for (String[] r : rows) {
            sb.append(String.join("\t", r)).append('\n');
        }
        Path file = dir.resolve("placement.tsv");
        Files.writeString(file, sb);
        return MatrixPlacement.read(file);
    }

    private static String[] st16(int run, String impl, int before, int after) {
        return new String[] {String.valueOf(run), impl, "st16", String.valueOf(before), String.valueOf(after)};
    }

    /**
     * The server with the fewest runs at the placement the probe falls in runs next (ties: fewest
     * runs in all, then the list's order); a run that moved counts nowhere; with every server full
     * here it waits, with every server full at both placements it is done.
     */
    @Test
    void shouldRunTheServerThatLacksRunsAtTheCurrentPlacement(@TempDir Path dir) throws IOException {
        MatrixPlacement p = placement(dir,
                st16(1, "roundhouse-iocp", 80, 85), st16(1, "roundhouse-iocp@handoff", 82, 84),
                st16(1, "netty-nio", 370, 365), st16(2, "netty-nio", 85, 88),
                st16(2, "roundhouse-iocp", 90, 360)); // moved
        // near: iocp 1, handoff 1, netty 1; far: netty 1. Far now: iocp and handoff have 0 there
        // and 1 in all each: the list's order
        assertEquals("run roundhouse-iocp far", PlacementFill.next(p, 372, IMPLS, List.of("st16"), 1));
        // near now, want 2: everyone has 1 near; iocp and handoff 1 in all, netty 2: the list's order
        assertEquals("run roundhouse-iocp near", PlacementFill.next(p, 80, IMPLS, List.of("st16"), 2));
        // want 1 near: everyone has it, the far cells are missing: wait for the host
        assertEquals("wait near", PlacementFill.next(p, 80, IMPLS, List.of("st16"), 1));

        MatrixPlacement full = placement(dir,
                st16(1, "roundhouse-iocp", 80, 85), st16(1, "roundhouse-iocp@handoff", 82, 84),
                st16(1, "netty-nio", 85, 88), st16(2, "roundhouse-iocp", 370, 365),
                st16(2, "roundhouse-iocp@handoff", 362, 371), st16(2, "netty-nio", 380, 366));
        assertEquals("done", PlacementFill.next(full, 80, IMPLS, List.of("st16"), 1));
        // want 2: one run each at each placement, a tie everywhere: the list's order
        assertEquals("run netty-nio near", PlacementFill.next(full, 80, List.of("netty-nio", "roundhouse-iocp"),
                List.of("st16"), 2));
    }

    /** Fewer runs in all breaks a tie at this placement; a server's count is its lowest over the workloads. */
    @Test
    void shouldBreakTiesByRunsInAllAndCountTheLowestWorkload(@TempDir Path dir) throws IOException {
        MatrixPlacement p = placement(dir,
                st16(1, "roundhouse-iocp", 370, 365), st16(2, "roundhouse-iocp", 372, 368),
                st16(1, "netty-nio", 80, 84),
                new String[] {"1", "roundhouse-iocp", "pp64", "371", "369"},
                new String[] {"1", "netty-nio", "pp64", "82", "84"});
        // near now: iocp 0 near, netty 1 near (want 1): iocp
        assertEquals("run roundhouse-iocp near", PlacementFill.next(p, 85, List.of("netty-nio", "roundhouse-iocp"),
                List.of("st16"), 1));
        // far now, want 2: iocp has its 2 far runs, netty-nio none: netty-nio
        assertEquals("run netty-nio far", PlacementFill.next(p, 370, List.of("roundhouse-iocp", "netty-nio"),
                List.of("st16"), 2));
        // want 1 far with pp64 too: iocp has 1 far on each; netty none: netty
        assertEquals("run netty-nio far", PlacementFill.next(p, 370, List.of("roundhouse-iocp", "netty-nio"),
                List.of("st16", "pp64"), 1));
        // a run whose pp64 probes moved: its st16 counts, but the server still lacks a far pp64 run
        MatrixPlacement partly = placement(dir, st16(1, "roundhouse-iocp", 370, 365), st16(1, "netty-nio", 366, 369),
                new String[] {"1", "roundhouse-iocp", "pp64", "371", "80"},
                new String[] {"1", "netty-nio", "pp64", "372", "368"}, st16(2, "netty-nio", 80, 84));
        assertEquals("run roundhouse-iocp far", PlacementFill.next(partly, 370, List.of("netty-nio", "roundhouse-iocp"),
                List.of("st16", "pp64"), 1));
        MatrixPlacement tie = placement(dir, st16(1, "roundhouse-iocp", 370, 365), st16(2, "roundhouse-iocp", 372, 368),
                st16(1, "netty-nio", 366, 369), st16(3, "roundhouse-iocp", 80, 84), st16(2, "netty-nio", 81, 83));
        // far now, want 3: iocp 2 far (3 in all), netty 1 far: netty (fewest here)
        assertEquals("run netty-nio far", PlacementFill.next(tie, 370, List.of("roundhouse-iocp", "netty-nio"),
                List.of("st16"), 3));
        // near now, want 2: 1 near each; iocp 3 in all, netty 2: netty (fewer in all)
        assertEquals("run netty-nio near", PlacementFill.next(tie, 80, List.of("roundhouse-iocp", "netty-nio"),
                List.of("st16"), 2));
    }

    /** Until the probes show a gap there is one placement: filled, it waits, never done. */
    @Test
    void shouldWaitWhileOnlyOnePlacementHasBeenSeen(@TempDir Path dir) throws IOException {
        MatrixPlacement p = placement(dir, st16(1, "roundhouse-iocp", 250, 400), st16(1, "netty-nio", 300, 480));
        assertEquals("wait near", PlacementFill.next(p, 350, List.of("roundhouse-iocp", "netty-nio"), List.of("st16"), 1));
        assertEquals("run roundhouse-iocp near", // the one placement so far counts as near
                PlacementFill.next(p, 350, List.of("roundhouse-iocp", "netty-nio"), List.of("st16"), 2));
        // an empty file: the first probe is the one placement so far
        MatrixPlacement empty = placement(dir);
        assertEquals("run netty-nio near", PlacementFill.next(empty, 90, List.of("netty-nio"), List.of("st16"), 1));
    }
}
