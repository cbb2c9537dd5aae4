package dev.roundhouse.loop.iocp;

import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The alarm of a {@link DirectPort}: the JDK's captured I/O thread, parked, writes the wake byte
 * when the loop's deadline passes, since the JDK's wait in its port takes no timeout. It serves
 * between the port's captures of that thread: {@link #serve} returns it to the JDK when the port
 * hands the wait over ({@link HandOver#released}) or the group shuts down.
 *
 * <p><b>Thread:</b> {@link #serve} on the captured thread, {@link #capture} on it before the
 * first; {@link #at} the loop thread; {@link #nudge}, {@link #isThread}, {@link #captured} any
 * thread.
 */
final class PortAlarm {
    private static final long NO_ALARM = Long.MIN_VALUE;
    private static final VarHandle DEADLINE;

    static {
        try {
            DEADLINE = MethodHandles.lookup().findVarHandle(PortAlarm.class, "deadline", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final DirectPort port;
    private final InlineExecutor executor;
    /** The captured thread, set once at the first capture. */
    private volatile Thread thread;
    @SuppressWarnings("unused") // DEADLINE: when the alarm writes the wake byte; NO_ALARM when disarmed
    private volatile long deadline = NO_ALARM;

    PortAlarm(DirectPort port, InlineExecutor executor) {
        this.port = port;
        this.executor = executor;
    }

    /** Whether {@code t} is the captured thread (false before the first capture). Any thread. */
    boolean isThread(Thread t) {
        return t == thread;
    }

    /** Whether a thread has been captured yet. Any thread. */
    boolean captured() {
        return thread != null;
    }

    /** Takes {@code t} as the alarm's thread (the first capture; it then calls {@link #serve}). */
    void capture(Thread t) {
        thread = t;
    }

    /**
     * The captured thread's life until the port releases it or the group shuts down: parks, and
     * writes the wake byte at the armed deadline. Each iteration is a call of {@link #step()}, for
     * the reason given at the engine's loop ({@code LoopRunner.run}): this method does not
     * return while the thread serves, so a body inline here ran interpreted until on-stack
     * replacement, after tens of thousands of alarms ({@code -XX:+PrintCompilation}, a chain of
     * 20,000 timers of 100 &micro;s: no compilation of the inline body; {@code step} C2-compiled
     * within 0.7 s). The captured thread only.
     */
    void serve() {
        while (step()) {
            // one iteration per call
        }
    }

    /** One iteration of {@link #serve()}; returns false when the thread goes back to the JDK. */
    private boolean step() {
        if (executor.isShutdown()) {
            Thread.interrupted(); // hand the thread back to the JDK as it came
            return false;
        }
        if (port.handOver().released()) {
            return false; // back to the JDK: it waits in the port for the busy loop
        }
        long due = (long) DEADLINE.getVolatile(this);
        if (due == NO_ALARM) {
            LockSupport.park(this);
            return true;
        }
        long leftNanos = due - System.nanoTime();
        if (leftNanos > 0) {
            LockSupport.parkNanos(this, leftNanos);
        } else if (DEADLINE.compareAndSet(this, due, NO_ALARM)) {
            try {
                port.writeWakeByte();
            } catch (UncheckedIOException e) {
                return false; // the wake channel is gone: the loop is closing
            }
        }
        return true;
    }

    /**
     * Has the wake byte written at {@code deadlineNanos} at the latest; a later deadline than the
     * armed one waits for it (whose wake-up then only ends a wait early). Loop thread only.
     */
    void at(long deadlineNanos) {
        long armed = (long) DEADLINE.getVolatile(this);
        if (armed == NO_ALARM || deadlineNanos - armed < 0) {
            DEADLINE.setVolatile(this, deadlineNanos);
            LockSupport.unpark(thread);
        }
    }

    /** Unparks the captured thread (if any), which then re-reads the port's state. Any thread. */
    void nudge() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
