package dev.roundhouse.bench.jmh;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counter incremented by one thread (the loop) and read by another (the benchmark thread):
 * release on write, acquire on read, no lock and no allocation.
 */
final class LoopCounter implements Runnable {
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(LoopCounter.class, "count", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // COUNT
    private volatile long count;

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
