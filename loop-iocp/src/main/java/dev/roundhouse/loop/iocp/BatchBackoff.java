package dev.roundhouse.loop.iocp;

/**
 * Decides whether a wait in the port whose first completion came at once batches (writes the wake
 * byte and takes every completion already waiting) or ends at that completion, from how recent
 * batches did ({@link DirectPort#BATCH_WITHIN_NANOS}).
 *
 * <p><b>Why.</b> A batched wait that took only its first completion paid a wake byte's round trip
 * (its write, the JDK's {@code epoll_wait} and read of it, the re-armed read) for nothing: the
 * completion had come at once because the peer answered before the loop was back in the port, not
 * because more were waiting. That is 1-connection ping-pong against a quick peer, where such waits
 * cost a fifth of the loop's CPU under async-profiler at 100 &micro;s, which slows the loop down
 * (Temurin 25, 2026-12-05: {@code writeWakeByte} and the re-armed wake read in 23 % of the loop
 * thread's samples). After each such wait the next first completions that come at once end their
 * waits at once instead; a wait that takes more than one completion starts the count over. Without
 * the profiler such waits are rare on this workload: the back-off changed no figure of the echo
 * matrix (2026-12-05, 4 runs on each JDK; loop-iocp's README).
 *
 * <p><b>How many skips.</b> The bound doubles per wasted batch, 1, 2, 4, ... up to
 * {@link #MAX_SKIPS}, and the skips taken are drawn between half of it and all of it. A fixed count
 * (until 2026-12-05) could resonate with bursts: a burst of <i>k</i> completions where a batch began
 * at the burst's last one was wasted, and if the skips plus that one completion were a multiple of
 * <i>k</i>, the next batch began at a burst's last completion again, for good, so such bursts ran
 * without batching (seen in DirectPortTest with 16 peers bursting, once in 150 repeats). Drawn skips do
 * not stay in step with any burst size ({@code BatchBackoffTest}). The draws come from a fixed-seed
 * xorshift, so a run is repeatable.
 *
 * <p><b>Thread:</b> the loop thread only (no synchronisation).
 */
final class BatchBackoff {
    /** The most first completions that come at once and end their wait at once after wasted batches. */
    static final int MAX_SKIPS = 32;

    private int bound;
    private int skipsLeft;
    private int seed = 0x9E3779B9;
    private long batches;
    private long wasted;
    private long skipped;

    /**
     * A wait's first completion came at once: returns whether that wait batches; if not (recent
     * batches were wasted), it counts as skipped and the wait ends at that completion.
     */
    boolean batchesNow() {
        if (skipsLeft == 0) {
            batches++;
            return true;
        }
        skipsLeft--;
        skipped++;
        return false;
    }

    /** A batched wait ended having taken {@code completions}: one alone backs off, more start over. */
    void onBatchTook(long completions) {
        if (completions > 1) {
            bound = 0;
            return;
        }
        wasted++;
        bound = Math.min(MAX_SKIPS, Math.max(1, bound * 2));
        skipsLeft = bound - Integer.remainderUnsigned(next(), bound / 2 + 1);
    }

    /** xorshift32: a cheap draw, once per wasted batch. */
    private int next() {
        int x = seed;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        seed = x;
        return x;
    }

    /** Waits that batched. */
    long batches() {
        return batches;
    }

    /** Batched waits that took only their first completion. */
    long wasted() {
        return wasted;
    }

    /** Waits whose first completion came at once but that ended there, after wasted batches. */
    long skipped() {
        return skipped;
    }
}
