package dev.roundhouse.loop.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What a loop publishes about its sleep, so that other threads wake it only when they must: that
 * it may block in its poll, until which deadline at the latest, and how many lazy messages (ones
 * that need not run before that deadline) have been queued since it fell asleep.
 *
 * <p><b>Protocol.</b> The loop {@linkplain #publish publishes} before it polls with a timeout and
 * then re-checks its queue (a task queued before the publish is seen by that check, one queued
 * after it finds the loop sleeping: Dekker, both sides with volatile accesses); it
 * {@linkplain #end ends} the sleep when the poll returns. A producer that has queued a task asks
 * {@link #claimWakeup}: true for exactly one producer per sleep, and only if the loop would sleep
 * past the task's {@code runBy}, or once {@link #LAZY_WAKE_LIMIT} lazy messages have piled up; that
 * producer then wakes the poller. The deadline is written (opaque) before the volatile store of
 * the flag and read after its volatile load, so a producer that sees the loop sleeping sees this
 * sleep's deadline or a later one.
 *
 * <p><b>Thread:</b> {@link #publish}, {@link #end} the loop thread; {@link #claimWakeup},
 * {@link #claimAnyWakeup} and {@link #mayBlock} any thread.
 */
final class PublishedSleep {
    /**
     * Lazily queued messages (timer arrivals and removals that need not wake the loop) a sleeping
     * loop may accumulate before one of them wakes it anyway: bounds the queue a foreign thread can
     * grow while the loop sleeps, e.g. scheduling and cancelling far-off timers in a tight loop.
     */
    static final int LAZY_WAKE_LIMIT = 1024;
    private static final VarHandle SLEEPING;
    private static final VarHandle DEADLINE;
    private static final VarHandle LAZY;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SLEEPING = l.findVarHandle(PublishedSleep.class, "sleeping", int.class);
            DEADLINE = l.findVarHandle(PublishedSleep.class, "deadline", long.class);
            LAZY = l.findVarHandle(PublishedSleep.class, "lazy", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // SLEEPING: 1 while the loop may block in poll
    private volatile int sleeping;
    /** DEADLINE: the earliest timer deadline when the loop published; {@code Long.MAX_VALUE} without timers. */
    @SuppressWarnings("unused")
    private long deadline = Long.MAX_VALUE;
    @SuppressWarnings("unused") // LAZY: lazy messages queued since the loop last slept
    private volatile int lazy;

    /** The loop may block from now until {@code deadlineNanos} at the latest. Loop thread. */
    void publish(long deadlineNanos) {
        DEADLINE.setOpaque(this, deadlineNanos);
        SLEEPING.setVolatile(this, 1);
    }

    /** The loop's poll returned: it is awake, and the lazy count starts over. Loop thread. */
    void end() {
        SLEEPING.setVolatile(this, 0);
        if ((int) LAZY.getOpaque(this) != 0) {
            LAZY.setOpaque(this, 0);
        }
    }

    /**
     * A task that must run by {@code runByNanos} has been queued: returns true if the caller must
     * wake the loop (it sleeps past that, or enough lazy messages piled up), and then no other
     * caller gets true for this sleep. Any thread (not the loop's).
     */
    boolean claimWakeup(long runByNanos) {
        return (int) SLEEPING.getVolatile(this) == 1
                && (runByNanos < (long) DEADLINE.getOpaque(this)
                    || (int) LAZY.getAndAdd(this, 1) >= LAZY_WAKE_LIMIT)
                && SLEEPING.compareAndSet(this, 1, 0);
    }

    /** Returns true, to one caller per sleep, if the loop sleeps now: that caller wakes it. Any thread. */
    boolean claimAnyWakeup() {
        return SLEEPING.compareAndSet(this, 1, 0);
    }

    /** Whether the loop may be blocked in its poll now. Any thread. */
    boolean mayBlock() {
        return (int) SLEEPING.getVolatile(this) == 1;
    }
}
