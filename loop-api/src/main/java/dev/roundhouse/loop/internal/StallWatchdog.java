package dev.roundhouse.loop.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One daemon thread shared by every loop that detects stalls: a loop whose callback sequence
 * number has not moved while it is inside a callback for longer than its threshold. The loop pays
 * two opaque stores per callback; all timing happens here, so a callback that never returns is
 * reported too (asyncio only reports after the callback returns).
 *
 * <p>The thread starts with the first watched loop and exits when none is left, so closing every
 * loop leaves no thread behind. Resolution: {@link #TICK_NANOS}.
 */
final class StallWatchdog {
    /** 10 ms: fine enough for the 100 ms default threshold, cheap enough to be always on. */
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final Object LOCK = new Object();
    private static final List<Watched> WATCHED = new ArrayList<>();
    private static Thread thread;

    private StallWatchdog() {
    }

    /** Per-loop state kept by the watchdog thread. */
    private static final class Watched {
        final LoopEngine loop;
        long lastSeq = -1;
        long sinceNanos;
        boolean reported;

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
            }
        }
    }

    static void unwatch(LoopEngine loop) {
        synchronized (LOCK) {
            WATCHED.removeIf(w -> w.loop == loop);
            LOCK.notifyAll();
        }
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
            synchronized (LOCK) {
                if (!WATCHED.isEmpty()) {
                    try {
                        TimeUnit.NANOSECONDS.timedWait(LOCK, TICK_NANOS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        thread = null;
                        return;
                    }
                }
            }
        }
    }

    private static void check(Watched w, long now) {
        long seq = w.loop.callbackSequence();
        Object current = w.loop.currentCallback();
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
