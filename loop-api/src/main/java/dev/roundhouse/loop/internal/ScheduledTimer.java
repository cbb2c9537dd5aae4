package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.TimerHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** A timer in a {@link TimerQueue}; its state may be read and cancelled from any thread. */
final class ScheduledTimer implements TimerHandle {
    static final int PENDING = 0;
    static final int STARTED = 1;
    static final int CANCELLED = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ScheduledTimer.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final LoopEngine loop;
    final Runnable task;
    final long deadlineNanos;
    /** Tie-breaker for equal deadlines, given by the queue on arrival; loop thread only. */
    long sequence;
    /** Position in the heap, -1 when not in it; loop thread only. */
    int heapIndex = -1;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    ScheduledTimer(LoopEngine loop, Runnable task, long deadlineNanos) {
        this.loop = loop;
        this.task = task;
        this.deadlineNanos = deadlineNanos;
    }

    /** Moves PENDING to STARTED; returns whether the timer should run. */
    boolean start() {
        return STATE.compareAndSet(this, PENDING, STARTED);
    }

    /** Marks the timer cancelled without touching the heap (used at loop close). */
    boolean markCancelled() {
        return STATE.compareAndSet(this, PENDING, CANCELLED);
    }

    @Override
    public boolean cancel() {
        if (!markCancelled()) {
            return false;
        }
        loop.removeTimer(this);
        return true;
    }

    @Override
    public boolean isCancelled() {
        return (int) STATE.getVolatile(this) == CANCELLED;
    }

    @Override
    public boolean isDone() {
        return (int) STATE.getVolatile(this) == STARTED;
    }

    @Override
    public long deadlineNanos() {
        return deadlineNanos;
    }

    /** Deadline order, then submission order. */
    boolean before(ScheduledTimer o) {
        long d = deadlineNanos - o.deadlineNanos;
        return d < 0 || (d == 0 && sequence < o.sequence);
    }

    @Override
    public String toString() {
        return "Timer[" + Names.of(task) + " at " + deadlineNanos + "]";
    }
}
