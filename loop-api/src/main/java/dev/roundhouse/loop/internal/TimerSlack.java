package dev.roundhouse.loop.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The calling thread's timer slack on Linux ({@link dev.roundhouse.loop.LoopOptions#timerSlackNanos()}):
 * read and written through {@code /proc/<tid>/timerslack_ns}, the thread's id read from the
 * {@code /proc/thread-self} link (Java 17 has no {@code gettid}). A thread may write its own
 * value without privileges; the kernel's {@code prctl(PR_SET_TIMERSLACK)} does the same, but
 * needs native code. Any thread, for itself; stateless.
 */
final class TimerSlack {
    private static final Path THREAD_SELF = Path.of("/proc/thread-self");

    private TimerSlack() {
    }

    /**
     * Whether this OS has the setting: Linux with {@code /proc} mounted. Any thread.
     */
    static boolean supported() {
        return Files.isSymbolicLink(THREAD_SELF);
    }

    /**
     * The calling thread's timer slack in ns.
     *
     * @throws IOException if it cannot be read (not {@link #supported()}, or {@code /proc} refuses)
     */
    static long current() throws IOException {
        return Long.parseLong(Files.readString(file(), StandardCharsets.US_ASCII).trim());
    }

    /**
     * Sets the calling thread's timer slack to {@code nanos} and reads it back.
     *
     * @param nanos at least 1 (the kernel reads 0 as "reset to the default")
     * @throws IllegalArgumentException if {@code nanos} is below 1
     * @throws IOException if it cannot be written, or reads back otherwise, with the file and values
     */
    static void set(long nanos) throws IOException {
        if (nanos < 1) {
            throw new IllegalArgumentException("a timer slack must be at least 1 ns, got " + nanos);
        }
        Path file = file();
        Files.writeString(file, Long.toString(nanos), StandardCharsets.US_ASCII);
        long now = current();
        if (now != nanos) {
            throw new IOException("wrote " + nanos + " to " + file + ", which reads " + now);
        }
    }

    /** {@code /proc/<tid>/timerslack_ns} of the calling thread. */
    private static Path file() throws IOException {
        Path link = Files.readSymbolicLink(THREAD_SELF); // "<pid>/task/<tid>"
        return Path.of("/proc", link.getFileName().toString(), "timerslack_ns");
    }
}
