package dev.roundhouse.loop.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread shared by every loop that detects stalls: a loop whose callback sequence
 * number has not moved while it is inside a callback for longer than its threshold. The loop pays
 * two opaque stores per callback; all timing happens here, so a callback that never returns is
 * reported too (asyncio only reports after the callback returns).
 *
 * <p>The thread starts with the first watched loop and exits when none is left, so closing every
 * loop leaves no thread behind. Resolution: {@link #TICK_NANOS}.
 *
 * <p><b>Idle.</b> While every watched loop dozes in a poll that may block
 * ({@link CallbackTracker#doze}) and has run no callback since the last tick (a quiet tick), none
 * is inside a callback, so the thread parks instead of ticking; the first loop to wake unparks it
 * ({@link #loopWoke}, on the loop thread at its first callback or when its poll returns, whichever
 * comes first: a poller dispatches inside its poll). Measured before this (2026-12-08, an idle echo
 * server of the benchmarks, JDK 25): the ticks took 0.8 % of a core, 16 ticks of CPU time in
 * 20 s against 4&ndash;6 for Netty's idle servers, and woke the server's core 100 times a second.
 * The protocol: the thread publishes that it parks ({@code parked}, volatile) and then reads
 * each loop's doze; a loop ends its doze (volatile) and then reads {@code parked} (Dekker: one of
 * the two sees the other), and unparks the thread if it parked. A loop that wakes costs one
 * volatile read when the thread is ticking, and at most one unpark per park.
 *
 * <p><b>Why a quiet tick.</b> A loop kept a third busy by its I/O dozes at most ticks and wakes
 * within microseconds after each. Parking on the doze alone then cost such a loop an unpark and
 * the watchdog's run on its CPU right as the loop woke for a message, twice or more per tick:
 * measured (2026-12-08, the echo matrix's {@code rate64} at 25,000 messages/s on one pinned core,
 * {@code PROFILER=sched benchmarks/profile-server.sh roundhouse-epoll rate64 8}, JDK 17) 2,310
 * watchdog runs in 7 s, 75.6 ms of the core; with the quiet tick 700&ndash;805, the 10 ms tick. A
 * loop whose callback sequence moved since the last tick is not idle; the watchdog ticks on beside
 * it, as it did before it parked at all, and a loop's wake-up finds it ticking (one volatile read).
 * The tick still costs such a loop: each run (~110 &micro;s, most of it network receive processing
 * that arrives meanwhile) delays the loop's wake-up, whose scheduling delay p99 read
 * 14&ndash;33 &micro;s with the watchdog and 6&ndash;9 without (the client's p99, milliseconds
 * from other tasks on the core, did not tell them apart; BENCHMARKS.md).
 *
 * <p><b>Thread:</b> {@link #watch}, {@link #unwatch} any thread; {@link #loopWoke} a watched
 * loop's thread; the rest on the watchdog thread.
 */
final class StallWatchdog {
    /** 10 ms: fine enough for the 100 ms default threshold, cheap enough to be always on. */
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final Object LOCK = new Object();
    private static final List<Watched> WATCHED = new ArrayList<>();
    private static final VarHandle PARKED;

    static {
        try {
            PARKED = MethodHandles.lookup().findStaticVarHandle(StallWatchdog.class, "parked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The watchdog thread, while there is one; written under {@link #LOCK}. */
    private static volatile Thread thread;
    /** PARKED: 1 while the thread parks (or is about to) because every watched loop sleeps. */
    @SuppressWarnings("unused")
    private static volatile int parked;
    /** Ticks and parks so far; written by the watchdog thread only (for tests). */
    private static volatile long ticks;
    private static volatile long parks;

    private StallWatchdog() {
    }

    /** Per-loop state kept by the watchdog thread. */
    static final class Watched {
        final LoopEngine loop;
        long lastSeq = -1;
        long sinceNanos;
        boolean reported;
        /** The loop ran no callback between the last two looks ({@link #check}). */
        boolean quiet;

        Watched(LoopEngine loop) {
            this.loop = loop;
        }
    }

    static void watch(LoopEngine loop) {
        synchronized (LOCK) {
            WATCHED.add(new Watched(loop));
            if (thread == null) {
                thread = new Thread(StallWatchdog::run, "roundhouse-watchdog");
                thread.setDaemon(true);
                thread.start();
            } else {
                LockSupport.unpark(thread); // a parked thread looks at the new loop
            }
        }
    }

    static void unwatch(LoopEngine loop) {
        synchronized (LOCK) {
            WATCHED.removeIf(w -> w.loop == loop);
            if (thread != null) {
                LockSupport.unpark(thread); // exits promptly when none is left
            }
        }
    }

    /**
     * A watched loop's doze ended (its first callback, or its poll returned): unparks the thread
     * if it parked for lack of a waking loop. Loop thread, after it ended the doze (volatile).
     */
    static void loopWoke() {
        if ((int) PARKED.getVolatile() == 1 && PARKED.compareAndSet(1, 0)) {
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /** Ticks so far (each a look at every watched loop). Any thread; for tests. */
    static long ticks() {
        return ticks;
    }

    /** Whether the thread parks now, or is about to, for lack of a waking loop. Any thread; for tests. */
    static boolean parkedNow() {
        return (int) PARKED.getVolatile() == 1;
    }

    /** Parks so far (every watched loop was asleep). Any thread; for tests. */
    static long parks() {
        return parks;
    }

    private static void run() {
        List<Watched> snapshot = new ArrayList<>();
        for (;;) {
            synchronized (LOCK) {
                if (WATCHED.isEmpty()) {
                    thread = null;
                    return;
                }
                snapshot.clear();
                snapshot.addAll(WATCHED);
            }
            long now = System.nanoTime();
            for (Watched w : snapshot) {
                check(w, now);
            }
            ticks++;
            if (Thread.interrupted()) {
                synchronized (LOCK) {
                    thread = null;
                }
                return;
            }
            if (mayPark(snapshot)) {
                PARKED.setVolatile(1);
                if (mayPark(snapshot)) { // read after publishing: a loop waking now sees it
                    parks++;
                    LockSupport.park(StallWatchdog.class);
                }
                PARKED.setVolatile(0);
            } else {
                LockSupport.parkNanos(StallWatchdog.class, TICK_NANOS);
            }
        }
    }

    /**
     * Whether the thread may park: every loop in {@code loops} dozes in its poll (none can be in a
     * callback) and was quiet at the last look (ran no callback between the last two). Watchdog
     * thread (and tests), after {@link #check} of each.
     */
    static boolean mayPark(List<Watched> loops) {
        for (Watched w : loops) {
            if (!w.quiet || !w.loop.dozing()) {
                return false;
            }
        }
        return true;
    }

    /** One look at a loop: times the callback it is in and reports a stall. Watchdog thread (and tests). */
    static void check(Watched w, long now) {
        long seq = w.loop.callbackSequence();
        Object current = w.loop.currentCallback();
        w.quiet = seq == w.lastSeq;
        if (seq != w.lastSeq || current == null) {
            w.lastSeq = seq;
            w.sinceNanos = now;
            w.reported = false;
            return;
        }
        long blocked = now - w.sinceNanos;
        if (!w.reported && blocked >= w.loop.stallThresholdNanos()) {
            w.reported = true;
            w.loop.reportStall(current, blocked);
        }
    }
}
