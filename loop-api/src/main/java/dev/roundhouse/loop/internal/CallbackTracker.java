package dev.roundhouse.loop.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The loop's running callback and a sequence bumped per callback, for the {@link StallWatchdog}.
 *
 * <p>The loop writes both on every callback, so they live on cache lines of their own (64 bytes of
 * padding each side, by class layering: the JVM lays a subclass's fields after its superclass's).
 * Kept in {@link LoopEngine}, they shared a line with the fields every foreign {@code execute}
 * reads (the sleeping flag, the thread, the task queue), which then moved between the cores once
 * per task.
 *
 * <p><b>Dozing.</b> Before a poll that may block, a watched loop marks itself dozing
 * ({@link #doze}); its first callback after that, or the poll's return, whichever comes first,
 * ends the doze ({@link #wake}: a volatile store, then {@link StallWatchdog#loopWoke}). The watchdog
 * parks only while every watched loop dozes, so a callback a poller dispatches inside its poll
 * (before the poll returns) unparks it before the callback runs. A callback that finds no doze pays
 * one plain read of a field the loop thread alone writes.
 *
 * <p><b>Thread:</b> {@link #enter}, {@link #clear}, {@link #doze} and {@link #wake} on the loop
 * thread only; {@link #sequence} and {@link #current} any thread (opaque reads: the watchdog
 * samples, it needs no ordering); {@link #dozing} any thread (volatile).
 */
final class CallbackTracker extends CallbackTrackerPadAfter {
    private static final VarHandle CURRENT;
    private static final VarHandle SEQ;
    private static final VarHandle DOZING;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CURRENT = l.findVarHandle(CallbackTrackerFields.class, "current", Object.class);
            SEQ = l.findVarHandle(CallbackTrackerFields.class, "seq", long.class);
            DOZING = l.findVarHandle(CallbackTrackerFields.class, "dozing", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Marks {@code callback} as running, ending a doze first ({@link #wake}). Loop thread. */
    void enter(Object callback) {
        wake();
        CURRENT.setOpaque(this, callback);
        SEQ.setOpaque(this, (long) SEQ.getOpaque(this) + 1);
    }

    /** Marks the loop idle (waiting for I/O, or terminated). Loop thread. */
    void clear() {
        CURRENT.setOpaque(this, null);
    }

    /** The loop may block in its poll now: until {@link #wake}, the watchdog may park. Loop thread. */
    void doze() {
        dozingHere = true;
        DOZING.setVolatile(this, 1);
    }

    /**
     * Ends a doze, if one is on: the store, then the watchdog told (Dekker with its park). Loop
     * thread; by {@link #enter} and when the poll returns.
     */
    void wake() {
        if (dozingHere) {
            dozingHere = false;
            DOZING.setVolatile(this, 0);
            StallWatchdog.loopWoke();
        }
    }

    /** Whether the loop dozes ({@link #doze}): it cannot be inside a callback. Any thread. */
    boolean dozing() {
        return (int) DOZING.getVolatile(this) == 1;
    }

    long sequence() {
        return (long) SEQ.getOpaque(this);
    }

    Object current() {
        return CURRENT.getOpaque(this);
    }
}

/** 64 bytes before the fields. */
abstract class CallbackTrackerPad {
    int gap; // fills the 4 bytes after the object header, where the JVM would put a subclass's reference
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** The fields. */
abstract class CallbackTrackerFields extends CallbackTrackerPad {
    @SuppressWarnings("unused") // CallbackTracker.CURRENT: the running callback, null when idle
    Object current;
    @SuppressWarnings("unused") // CallbackTracker.SEQ
    long seq;
    @SuppressWarnings("unused") // CallbackTracker.DOZING: 1 from doze to wake
    int dozing;
    /** Whether a doze is on; the loop thread's own copy of {@code dozing}, read per callback. */
    boolean dozingHere;
}

/** 64 bytes after the fields. */
abstract class CallbackTrackerPadAfter extends CallbackTrackerFields {
    long p10, p11, p12, p13, p14, p15, p16, p17;
}
