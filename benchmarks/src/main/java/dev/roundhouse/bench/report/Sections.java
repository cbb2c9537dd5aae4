package dev.roundhouse.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Generated sections of BENCHMARKS.md: the text between {@code <!-- NAME:begin -->} and
 * {@code <!-- NAME:end -->} is replaced, everything else (the hand-written analysis) is kept.
 */
final class Sections {
    static final String MATRIX = "matrix";
    static final String JMH = "jmh";

    private Sections() {
    }

    /** Replaces section {@code name} of {@code file}, appending it (or creating the file) if absent. */
    static void replace(Path file, String name, String body) throws IOException {
        String begin = "<!-- " + name + ":begin (generated; edits inside are overwritten) -->";
        String end = "<!-- " + name + ":end -->";
        String text = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n";
        int b = text.indexOf("<!-- " + name + ":begin");
        int e = text.indexOf(end);
        String block = begin + "\n" + body.strip() + "\n" + end;
        if (b >= 0 && e > b) {
            text = text.substring(0, b) + block + text.substring(e + end.length());
        } else {
            text = text.stripTrailing() + "\n\n" + block + "\n";
        }
        Files.writeString(file, text);
    }
}
