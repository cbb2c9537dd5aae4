package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.TimerHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A timer in a {@link TimerQueue}; its state may be read and cancelled from any thread.
 *
 * <p>States: {@code IN_TRANSIT} (scheduled from another thread, its arrival queued in the loop's
 * {@link TimerInbox} but not yet in the heap) → {@code PENDING} (in the heap) → {@code STARTED};
 * either of the first two → {@code CANCELLED}. Cancelling an in-transit timer costs one CAS: its
 * arrival finds it cancelled and drops it, so no removal needs to cross to the loop. Cancelling a
 * pending timer from another thread queues its removal in the inbox without waking the loop (a
 * cancelled timer can never start, so the removal only frees the heap slot).
 *
 * <p>The timer is its own cross-thread message (no capturing lambda per schedule or cancel):
 * {@link #apply()} on the loop thread either arrives (in transit → heap) or, when it is in the heap
 * and cancelled, leaves it. It is a {@link Runnable} only because the inbox is a queue of them.
 */
final class ScheduledTimer implements TimerHandle, Runnable {
    static final int IN_TRANSIT = 0;
    static final int PENDING = 1;
    static final int STARTED = 2;
    static final int CANCELLED = 3;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ScheduledTimer.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final LoopEngine loop;
    /**
     * The callback; {@code null} once cancelled: a cancelled timer lets go of its task at once,
     * although the timer itself may wait for the loop a while longer (in the inbox, see
     * {@link TimerInbox}). Read by the loop only after {@link #start()} succeeded, which a cancel
     * rules out.
     */
    Runnable task;
    final long deadlineNanos;
    /**
     * How many tasks the loop's queue had accepted when the timer was scheduled: the timer fires
     * only once the loop has taken all of them ({@link TaskQueue#consumedUpTo}), so a task whose
     * {@code execute} returned before the {@code schedule} call runs first, even when the loop comes
     * to both after the deadline (the iteration runs due timers before tasks).
     */
    final long ticket;
    /** Tie-breaker for equal deadlines, given by the queue on arrival; loop thread only. */
    long sequence;
    /** Position in the heap, -1 when not in it; loop thread only. */
    int heapIndex = -1;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    /**
     * A timer made on the loop thread, about to be added to the heap (PENDING); {@code ticket}: see
     * {@link #ticket}.
     */
    ScheduledTimer(LoopEngine loop, Runnable task, long deadlineNanos, long ticket) {
        this(loop, task, deadlineNanos, ticket, PENDING);
    }

    private ScheduledTimer(LoopEngine loop, Runnable task, long deadlineNanos, long ticket, int state) {
        this.loop = loop;
        this.task = task;
        this.deadlineNanos = deadlineNanos;
        this.ticket = ticket;
        STATE.setRelease(this, state);
    }

    /**
     * A timer made on another thread; its arrival ({@link #apply()}, on the loop thread) adds it to
     * the heap. {@code ticket}: see {@link #ticket}.
     */
    static ScheduledTimer inTransit(LoopEngine loop, Runnable task, long deadlineNanos, long ticket) {
        return new ScheduledTimer(loop, task, deadlineNanos, ticket, IN_TRANSIT);
    }

    /** Moves PENDING to STARTED; returns whether the timer should run. Loop thread. */
    boolean start() {
        return STATE.compareAndSet(this, PENDING, STARTED);
    }

    /** Marks the timer cancelled without touching the heap (used at loop close). */
    boolean markCancelled() {
        return cancelState() >= 0;
    }

    @Override
    public boolean cancel() {
        int was = cancelState();
        if (was == PENDING) {
            loop.removeTimer(this); // in transit: its arrival drops it, nothing to remove
        }
        return was >= 0;
    }

    /** Moves IN_TRANSIT or PENDING to CANCELLED; returns the state it left, or -1 if neither. */
    private int cancelState() {
        for (;;) {
            int s = (int) STATE.getVolatile(this);
            if (s != IN_TRANSIT && s != PENDING) {
                return -1;
            }
            if (STATE.compareAndSet(this, s, CANCELLED)) {
                task = null; // can never run now: what it holds need not stay reachable
                return s;
            }
        }
    }

    /**
     * Loop thread only: the cross-thread message this timer was queued as. In the heap and
     * cancelled: leave it. In transit: arrive (join the heap), unless cancelled meanwhile.
     */
    void apply() {
        int s = (int) STATE.getVolatile(this); // a plain load first: a cancelled arrival costs no locked op
        if (heapIndex >= 0) {
            if (s == CANCELLED) {
                loop.timerQueue().remove(this);
            }
        } else if (s == IN_TRANSIT && STATE.compareAndSet(this, IN_TRANSIT, PENDING)) {
            loop.timerQueue().add(this); // sequence given on arrival: FIFO per producer on equal deadlines
        }
    }

    /**
     * Refuses: the timer's messages are applied by its loop's inbox, never run as a task.
     *
     * @throws dev.roundhouse.loop.LoopAffinityException on any thread but the loop's (the handle a
     *     caller holds is this object, so a caller could reach this method by casting it to Runnable)
     * @throws IllegalStateException on the loop thread
     */
    @Override
    public void run() {
        loop.checkInLoop("the timer's internal message (a TimerHandle is not a task)");
        throw new IllegalStateException("a TimerHandle is not a task: " + this);
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
        Runnable t = task;
        return "Timer[" + (t == null ? "cancelled" : Names.of(t)) + " at " + deadlineNanos + "]";
    }
}
