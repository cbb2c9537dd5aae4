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
 * <p><b>Thread:</b> {@link #enter} and {@link #clear} on the loop thread only; {@link #sequence} and
 * {@link #current} any thread (opaque reads: the watchdog samples, it needs no ordering).
 */
final class CallbackTracker extends CallbackTrackerPadAfter {
    private static final VarHandle CURRENT;
    private static final VarHandle SEQ;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CURRENT = l.findVarHandle(CallbackTrackerFields.class, "current", Object.class);
            SEQ = l.findVarHandle(CallbackTrackerFields.class, "seq", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Marks {@code callback} as running. Loop thread. */
    void enter(Object callback) {
        CURRENT.setOpaque(this, callback);
        SEQ.setOpaque(this, (long) SEQ.getOpaque(this) + 1);
    }

    /** Marks the loop idle (waiting for I/O, or terminated). Loop thread. */
    void clear() {
        CURRENT.setOpaque(this, null);
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
}

/** 64 bytes after the fields. */
abstract class CallbackTrackerPadAfter extends CallbackTrackerFields {
    long p10, p11, p12, p13, p14, p15, p16, p17;
}
