package dev.roundhouse.loop.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Timer messages from other threads (a timer's arrival, scheduled off the loop; a pending timer's
 * removal, cancelled off the loop), kept apart from the task queue and applied by the loop only
 * when it needs them, in bursts.
 *
 * <p><b>Why apart.</b> In the task queue an awake loop read each message soon after its producer
 * wrote it (its slot, then the timer itself, with a CAS on the timer's state), on lines the
 * producer was still writing: a thread scheduling and cancelling timers far in the future ran at
 * 0.75–0.93 of Netty's {@code HashedWheelTimer} in JMH on JDK 17 when it waited for the loop to
 * apply them, and the loop was busy the whole time chasing it (docs/benchmark-history.md). Most such timers are
 * time-outs that are cancelled long before they are due; the loop need not read them before that.
 *
 * <p><b>When the loop reads it.</b> Producers keep {@link #earliest()}, the earliest deadline among
 * arrivals queued since the loop last drained (lowered by a CAS only by an arrival earlier than
 * it, so a producer of ever-later deadlines writes it once per drain); the loop treats it as a
 * timer deadline of its own: it sleeps no later than that (and publishes it, so a producer wakes it
 * only for an arrival due before it, as before), and {@linkplain #drain drains} once it has passed.
 * Every {@value #DRAIN_EVERY}th message asks the loop to drain ({@link #asksForDrain}) through the
 * task queue, which bounds what piles up here: arrivals cancelled in transit, and removals, which
 * name no deadline. The request wakes a sleeping loop only every {@value #WAKE_EVERY}th message
 * ({@link #wakesForDrain}), and the loop drains after the step's tasks ({@link #requestDrain},
 * {@link #takeDrainRequest}): the drain is housekeeping, and neither the producer (a wake-up is a
 * system call) nor the tasks queued behind the request should wait for it.
 *
 * <p><b>Order.</b> One FIFO for both kinds: a timer's removal follows its arrival. Draining resets
 * {@link #earliest()} before it reads how far the producers got, so an arrival is either drained
 * by it or left with {@code earliest} at most its deadline (both with volatile accesses).
 *
 * <p><b>Thread:</b> the {@code offer} methods, {@link #earliest()}, {@link #close()},
 * {@link #isClosed()} any thread; the rest the loop thread only.
 */
final class TimerInbox extends TimerInboxPad1 {
    /** A message every this many asks the loop to drain (the task queue's chunk: a drain per chunk). */
    static final int DRAIN_EVERY = TaskQueue.CHUNK;
    /** A drain request every this many messages wakes a sleeping loop: at most this many wait while it sleeps. */
    static final int WAKE_EVERY = 8 * DRAIN_EVERY;
    private static final VarHandle EARLIEST;

    static {
        try {
            EARLIEST = MethodHandles.lookup().findVarHandle(TimerInboxHot.class, "earliest", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TaskQueue messages = new TaskQueue();
    /** A drain was asked for ({@link #requestDrain}); loop thread only. */
    private boolean drainRequested;

    /**
     * Queues the arrival of {@code t}, a timer in transit; returns the message's index (see
     * {@link #asksForDrain}), or -1 if the inbox is sealed. Any thread.
     */
    long offerArrival(ScheduledTimer t) {
        long index = messages.claim();
        if (index >= 0) {
            messages.store(index, t);
            lower(t.deadlineNanos);
        }
        return index;
    }

    /**
     * Queues the removal of {@code t}, a cancelled timer in the heap; returns the message's index,
     * or -1 if the inbox is sealed. Any thread.
     */
    long offerRemoval(ScheduledTimer t) {
        long index = messages.claim();
        if (index >= 0) {
            messages.store(index, t);
        }
        return index;
    }

    /** Whether the message at {@code index} is one that asks the loop to drain. */
    static boolean asksForDrain(long index) {
        return (index & (DRAIN_EVERY - 1)) == DRAIN_EVERY - 1;
    }

    /** Whether the message at {@code index} asks the loop to drain and wakes it if it sleeps. */
    static boolean wakesForDrain(long index) {
        return (index & (WAKE_EVERY - 1)) == WAKE_EVERY - 1;
    }

    /** Marks that a drain was asked for; the loop drains after the step's tasks. Loop thread. */
    void requestDrain() {
        drainRequested = true;
    }

    /** Whether a drain was asked for since the last call (and clears it). Loop thread. */
    boolean takeDrainRequest() {
        boolean asked = drainRequested;
        drainRequested = false;
        return asked;
    }

    /**
     * The earliest deadline among the arrivals queued since the last drain ({@link System#nanoTime()}
     * scale), {@code Long.MAX_VALUE} if none; a deadline that has passed when the last drain stopped
     * at a message in transit. Any thread (a volatile read).
     */
    long earliest() {
        return (long) EARLIEST.getVolatile(this);
    }

    /** Lowers {@link #earliest()} to {@code deadline} if that is earlier. */
    private void lower(long deadline) {
        long e = (long) EARLIEST.getVolatile(this);
        while (deadline < e) {
            long witness = (long) EARLIEST.compareAndExchange(this, e, deadline);
            if (witness == e) {
                return;
            }
            e = witness;
        }
    }

    /**
     * Applies every message queued so far, in order, to the heap ({@link ScheduledTimer#apply()}):
     * arrivals join it unless cancelled meanwhile, removals leave it. Stops at a message another
     * thread has claimed but not yet stored, leaving {@link #earliest()} at {@code now} so that the
     * loop does not sleep and drains again. Then clears the slots it read (once per drain, not per
     * sleep as the task queue must), so no applied message stays reachable from here. Returns how
     * many messages it applied. Loop thread.
     */
    int drain(long now) {
        EARLIEST.setVolatile(this, Long.MAX_VALUE); // before reading the producers' index: see the class comment
        long end = messages.acceptedCount();
        int applied = 0;
        while (!messages.consumedUpTo(end)) {
            Runnable r = messages.poll();
            if (r == null) {
                lower(now); // in transit: come back at once
                break;
            }
            ((ScheduledTimer) r).apply();
            applied++;
        }
        messages.releaseConsumed();
        return applied;
    }

    /** Seals the inbox: every later offer returns -1. Any thread. */
    void close() {
        messages.close();
    }

    /** Whether the inbox is sealed. Any thread. */
    boolean isClosed() {
        return messages.isClosed();
    }

    /**
     * After {@link #close()}: applies every message accepted before the seal, waiting out any still
     * in transit (each is one store away in its producer), so no accepted timer is lost. Loop thread.
     */
    void drainSealed() {
        long end = messages.acceptedCount();
        while (!messages.consumedUpTo(end)) {
            Runnable r = messages.poll();
            if (r == null) {
                Thread.onSpinWait();
                continue;
            }
            ((ScheduledTimer) r).apply();
        }
        messages.releaseConsumed();
        EARLIEST.setVolatile(this, Long.MAX_VALUE);
    }

    /** Messages queued and not yet applied (in transit ones included). Loop thread. */
    long waiting() {
        return messages.waiting();
    }
}

/** 64 bytes before the earliest deadline. */
abstract class TimerInboxPad0 {
    int gap; // fills the 4 bytes after the object header
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** The one field producers read on every arrival and the loop on every step. */
abstract class TimerInboxHot extends TimerInboxPad0 {
    @SuppressWarnings("unused") // TimerInbox.EARLIEST
    volatile long earliest = Long.MAX_VALUE;
}

/** 64 bytes after it. */
abstract class TimerInboxPad1 extends TimerInboxHot {
    long p10, p11, p12, p13, p14, p15, p16, p17;
}
