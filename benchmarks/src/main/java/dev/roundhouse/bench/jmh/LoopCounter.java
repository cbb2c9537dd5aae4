package dev.roundhouse.bench.jmh;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counter incremented by one thread (the loop) and read by another (the benchmark thread):
 * release on write, acquire on read, no lock and no allocation.
 *
 * <p>Padded to cache lines of its own: the loop writes it once per task, and unpadded it shared a
 * line, depending on where the collector happened to copy it, with fields the benchmark thread
 * reads once per task (the {@code LoopUnderTest} beside it), which made cross-thread benchmarks
 * of Roundhouse and Netty alike bimodal from one fork to the next (18 vs 58 tasks/µs).
 */
final class LoopCounter extends LoopCounterPadAfter implements Runnable {
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(LoopCounterFields.class, "count", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Increments; single writer only. */
    @Override
    public void run() {
        COUNT.setRelease(this, (long) COUNT.getOpaque(this) + 1);
    }

    long get() {
        return (long) COUNT.getAcquire(this);
    }

    /** Spins until the count reaches {@code target}. */
    void awaitAtLeast(long target) {
        while (get() < target) {
            Thread.onSpinWait();
        }
    }
}

/** 64 bytes before the counter. */
abstract class LoopCounterPad {
    int gap; // fills the 4 bytes after the object header
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

abstract class LoopCounterFields extends LoopCounterPad {
    @SuppressWarnings("unused") // LoopCounter.COUNT
    volatile long count;
}

/** 64 bytes after the counter. */
abstract class LoopCounterPadAfter extends LoopCounterFields {
    long p10, p11, p12, p13, p14, p15, p16, p17;
}
