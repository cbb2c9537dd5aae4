package dev.roundhouse.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The raw results of a matrix run ({@code results.tsv}), grouped by server and workload. */
final class Results {
    /**
     * Every run's values for one (server, workload), index by index with {@code runs} (the run
     * each came from); a FAILED run contributes nothing. {@code serverCpu}: the server process's
     * share of a core over the measured window; {@code coreCpu}: the busy share of the core it was
     * pinned to, which adds the kernel's work charged to no task (empty where not measured).
     */
    record Cell(List<String> runs, List<Double> primary, List<Double> p50, List<Double> p99, List<Double> p999,
                List<Double> clientCpu, List<Double> foreignCpu, List<Double> serverCpu, List<Double> coreCpu) {
        Cell() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                    new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    private final Map<String, Cell> cells = new LinkedHashMap<>();
    private final Set<String> impls = new LinkedHashSet<>();
    private final Set<String> runs = new LinkedHashSet<>();
    private final String source;

    private Results(String source) {
        this.source = source;
    }

    /** Reads the tab-separated file written by run-matrix.sh (header line first). */
    static Results read(Path tsv) throws IOException {
        Path parent = tsv.toAbsolutePath().getParent();
        Results r = new Results("bench-results/" + (parent == null ? "" : parent.getFileName() + "/") + tsv.getFileName());
        List<String> lines = Files.readAllLines(tsv);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            if (f.length < 4) {
                continue;
            }
            r.runs.add(f[0]);
            r.impls.add(f[1]);
            Cell c = r.cells.computeIfAbsent(f[1] + "/" + f[2], k -> new Cell());
            if (f[3].equals("FAILED") || f.length < 11) {
                continue;
            }
            c.runs().add(f[0]);
            c.primary().add(Double.parseDouble(f[2].equals("st16") ? f[4] : f[3]));
            c.p50().add(Double.parseDouble(f[5]));
            c.p99().add(Double.parseDouble(f[6]));
            c.p999().add(Double.parseDouble(f[7]));
            c.clientCpu().add(Double.parseDouble(f[9]));
            c.foreignCpu().add(Double.parseDouble(f[10]));
            if (f.length > 12) { // server CPU per measured window: files from before it lack the column
                c.serverCpu().add(Double.parseDouble(f[12]));
            }
            // the busy share of the server's core (run-matrix.sh, pinned; since 2026-12-07 22:06): NaN
            // where nothing was pinned, absent from older files and from PortableMatrix's
            double core = f.length > 13 ? Double.parseDouble(f[13]) : Double.NaN;
            if (!Double.isNaN(core)) {
                c.coreCpu().add(core);
            }
        }
        return r;
    }

    Cell cell(String impl, String workload) {
        return cells.get(impl + "/" + workload);
    }

    Set<String> impls() {
        return impls;
    }

    int runs() {
        return runs.size();
    }

    String source() {
        return source;
    }
}
