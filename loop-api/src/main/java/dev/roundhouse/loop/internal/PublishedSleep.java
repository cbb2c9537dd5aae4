package dev.roundhouse.loop.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What a loop publishes about its sleep, so that other threads wake it only when they must: that
 * it may block in its poll, and until which deadline at the latest.
 *
 * <p><b>Protocol.</b> The loop {@linkplain #publish publishes} before it polls with a timeout and
 * then re-checks its queue (a task queued before the publish is seen by that check, one queued
 * after it finds the loop sleeping: Dekker, both sides with volatile accesses); it
 * {@linkplain #end ends} the sleep when the poll returns. A producer that has queued a task asks
 * {@link #claimWakeup}: true for exactly one producer per sleep, and only if the loop would sleep
 * past the task's {@code runBy}; that producer then wakes the poller. (Timer messages that need not
 * wake it wait in the {@link TimerInbox}, which bounds them itself.) The deadline is written (opaque) before the volatile store of
 * the flag and read after its volatile load, so a producer that sees the loop sleeping sees this
 * sleep's deadline or a later one.
 *
 * <p><b>Thread:</b> {@link #publish}, {@link #end} the loop thread; {@link #claimWakeup},
 * {@link #claimAnyWakeup} and {@link #mayBlock} any thread.
 */
final class PublishedSleep {
    private static final VarHandle SLEEPING;
    private static final VarHandle DEADLINE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SLEEPING = l.findVarHandle(PublishedSleep.class, "sleeping", int.class);
            DEADLINE = l.findVarHandle(PublishedSleep.class, "deadline", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // SLEEPING: 1 while the loop may block in poll
    private volatile int sleeping;
    /** DEADLINE: the earliest timer deadline when the loop published; {@code Long.MAX_VALUE} without timers. */
    @SuppressWarnings("unused")
    private long deadline = Long.MAX_VALUE;

    /** The loop may block from now until {@code deadlineNanos} at the latest. Loop thread. */
    void publish(long deadlineNanos) {
        DEADLINE.setOpaque(this, deadlineNanos);
        SLEEPING.setVolatile(this, 1);
    }

    /** The loop's poll returned: it is awake. Loop thread. */
    void end() {
        SLEEPING.setVolatile(this, 0);
    }

    /**
     * A task or timer that must run by {@code runByNanos} has been queued: returns true if the
     * caller must wake the loop (it sleeps past that), and then no other caller gets true for this
     * sleep. Any thread (not the loop's).
     */
    boolean claimWakeup(long runByNanos) {
        return (int) SLEEPING.getVolatile(this) == 1
                && runByNanos < (long) DEADLINE.getOpaque(this)
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
