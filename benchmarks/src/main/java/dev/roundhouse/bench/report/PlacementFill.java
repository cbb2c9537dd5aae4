package dev.roundhouse.bench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Which server {@code run-matrix.sh --fill N} runs next, given where the vCPUs sit now.
 *
 * <pre>
 *   PlacementFill --placement placement.tsv --probe NS --impls "a b ..." --workloads "st16 ..." --want N
 * </pre>
 *
 * Prints one line: {@code run IMPL near|far} (the server with the fewest runs at the placement the
 * probe taken now falls in, among those with fewer than N there; ties go to the fewest runs in
 * all, then to the order of {@code --impls}; then that placement), {@code wait near|far} (every
 * server has N runs at this placement and some still lack them at the other: the script waits for
 * the host to move the vCPUs), or {@code done} (every server has N runs at each placement). The
 * script asks again once the server it picked has started, and runs it only if the placement is
 * still the one it was picked for: on 2026-12-07 the probe before a server's start said far 35
 * times, and the run's own first probe agreed 16 times.
 *
 * <p><b>Why.</b> The host moves the two vCPUs between cores that share a cache and cores that do
 * not every few seconds to minutes, and streaming reads about half as fast at the far placement
 * (2026-12-07: 696–935 MiB/s far, 1,289–1,629 near, every server alike). A matrix with a fixed
 * number of runs per server leaves most of its placement cells with zero or one run; a fill
 * spends its runs where they are missing, so a comparison at one placement has N runs a side.
 *
 * <p>A run counts at a placement when both its probes ({@code placement.tsv}, taken right before
 * and after each workload) are on that side of the split; a server's count is the lowest over the
 * workloads. The split is {@link MatrixPlacement#withProbe}'s: the widest gap of the probes so far
 * and the one now. Until the probes show a gap there is one placement, counted as near, and the
 * fill cannot be done: it waits (the script bounds it in time).
 */
public final class PlacementFill {
    private PlacementFill() {
    }

    /**
     * Prints the decision for the options given (see the class comment). Exits with status 2, the
     * reason on standard error, if an option is missing, {@code --want} is not a positive count or
     * {@code --probe} is not a number of ns.
     *
     * @throws IOException if {@code --placement} cannot be read
     */
    public static void main(String[] args) throws IOException {
        Map<String, String> opts = MatrixReport.options(args);
        try {
            for (String o : List.of("--placement", "--probe", "--impls", "--workloads", "--want")) {
                if (!opts.containsKey(o)) {
                    throw new IllegalArgumentException("missing " + o);
                }
            }
            double probe = Double.parseDouble(opts.get("--probe"));
            int want = Integer.parseInt(opts.get("--want"));
            if (want < 1 || !(probe >= 0)) {
                throw new IllegalArgumentException("--want takes a positive count and --probe ns, got "
                        + opts.get("--want") + " and " + opts.get("--probe"));
            }
            MatrixPlacement p = MatrixPlacement.read(Path.of(opts.get("--placement")));
            System.out.println(next(p, probe, words(opts.get("--impls")), words(opts.get("--workloads")), want));
        } catch (IllegalArgumentException e) { // NumberFormatException too
            System.err.println("PlacementFill: " + e.getMessage());
            System.exit(2);
        }
    }

    private static List<String> words(String s) {
        return Arrays.stream(s.trim().split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }

    /** The decision described in the class comment: "run IMPL near|far", "wait near|far" or "done". */
    static String next(MatrixPlacement placement, double probeNanos, List<String> impls, List<String> workloads,
                       int want) {
        MatrixPlacement p = placement.withProbe(probeNanos);
        MatrixPlacement.Where now = p.where(probeNanos);
        String pick = null;
        int pickHere = Integer.MAX_VALUE;
        int pickAll = Integer.MAX_VALUE;
        boolean done = true; // with one placement seen, nothing counts as far: never done
        for (String impl : impls) {
            int near = count(p, impl, workloads, MatrixPlacement.Where.NEAR);
            int far = count(p, impl, workloads, MatrixPlacement.Where.FAR);
            done &= near >= want && far >= want;
            int here = now == MatrixPlacement.Where.FAR ? far : near;
            int all = near + far;
            if (here < want && (here < pickHere || here == pickHere && all < pickAll)) {
                pick = impl;
                pickHere = here;
                pickAll = all;
            }
        }
        String where = now == MatrixPlacement.Where.FAR ? " far" : " near";
        return done ? "done" : pick != null ? "run " + pick + where : "wait" + where;
    }

    private static int count(MatrixPlacement p, String impl, List<String> workloads, MatrixPlacement.Where where) {
        int min = Integer.MAX_VALUE;
        for (String w : workloads) {
            min = Math.min(min, p.count(impl, w, where));
        }
        return workloads.isEmpty() ? 0 : min;
    }
}
