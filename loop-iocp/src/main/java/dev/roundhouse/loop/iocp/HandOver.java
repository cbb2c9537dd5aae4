package dev.roundhouse.loop.iocp;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link DirectPort}'s hand-over of the wait in the port to the JDK's captured I/O thread while
 * other threads' tasks keep the loop busy, and the taking back of it.
 *
 * <p><b>Why.</b> A busy loop that waits in the port itself must look at it every
 * {@link LookSchedule#CHECK_INTERVAL_NANOS}, each look a wake byte's round trip: about a quarter of
 * the CPU of a loop kept busy by another thread's tasks. {@linkplain #release Released}, the
 * captured thread returns to the JDK's handler loop, which waits in the port and posts the
 * completions it finishes from that thread, and the loop behaves as the hand-off design: no looks,
 * and when it runs out of work it parks in the {@link CompletionQueue}, unparked by those posts and
 * by wake-ups. A park that found nothing for {@link #IDLE_BEFORE_RECAPTURE_NANOS}, or a poll with no
 * task waiting after {@link #SHORT_STRETCHES_BEFORE_RECAPTURE} short stretches in a row, takes the
 * port back ({@link #recapture}): with a capture requested the loop arms the wake read and writes a
 * byte; the I/O thread, completing that read, is kept again ({@link #onWakeReadWhileReleased}). The
 * measurements behind these rules, and the rules they replaced, are in loop-iocp's README ("Busy
 * loops hand the wait to the JDK's thread").
 *
 * <p><b>Only accepts in the port.</b> A loop whose port holds nothing but servers' accepts (an idle
 * server) hands the wait over too ({@link #releaseForAccepts}): waiting in the port itself, another
 * thread's wake-up is a wake byte's round trip over loopback TCP, released it is an unpark, and a
 * connection arriving costs one hop. While only accepts (or nothing) wait there, a released loop
 * parks for as long as it is told and never takes the port back; once a connection's read, write or
 * a connect waits there, a loop released for accepts takes it back at its next poll with no task
 * waiting, and one released while busy by the rules above. A poll that found completions never
 * releases it for accepts: a read among them, posted again, may wait in the port at once.
 *
 * <p><b>Thread:</b> the loop thread, but {@link #released}, {@link #releasedParks} (any thread) and
 * {@link #onWakeReadWhileReleased} (the released I/O thread). A waker sets the queue's wake-up
 * request before it reads whether the thread is released; the loop reads the request (the engine
 * looks at its tasks) after it sees the thread captured again, so a wake-up during the switch is
 * never lost.
 */
final class HandOver {
    /** How long a released loop parks with nothing to do before it takes the port back ({@link #recapture}). */
    static final long IDLE_BEFORE_RECAPTURE_NANOS = 1_000_000;
    /**
     * A released loop whose last this many stretches between polls with no task waiting (each a
     * park, or a poll that found only completions) were each shorter than
     * {@link LookSchedule#CHECK_INTERVAL_NANOS} (no look would have been due) is not kept busy by
     * tasks: it takes the port back. Without it, a loop released in a busy moment stayed released
     * under light traffic that never left it idle for {@link #IDLE_BEFORE_RECAPTURE_NANOS}
     * (1-connection ping-pong, Temurin 25, 2026-12-05: 23.4 k round trips/s in such runs against
     * 36–42 k). Counting only parks (ea807ff) missed a loop that trails its traffic: pinned to one
     * CPU with the JDK's thread, each message's completion was posted while the loop was still
     * finishing the last echo, so it never parked and stayed released (23.3 k in a Temurin 25
     * matrix run of 13:55 UTC).
     */
    static final int SHORT_STRETCHES_BEFORE_RECAPTURE = 8;

    private final DirectPort port;
    private final Thread loopThread;
    private final CompletionQueue completions;
    private final PortAlarm alarm;
    private final long captureWaitNanos;
    /**
     * The JDK's I/O thread waits in the port for the loop ({@link #release}) and posts the
     * completions it finishes; the loop parks in the {@link CompletionQueue} meanwhile. Set by the
     * loop thread, cleared by the I/O thread when it is captured again.
     */
    private volatile boolean released;
    /** The loop waits for the released I/O thread to come back ({@link #recapture}). */
    private volatile boolean captureRequested;
    /** Released because only accepts waited in the port ({@link #releaseForAccepts}); loop thread only. */
    private boolean forAccepts;
    /**
     * When the last poll with no task waiting ended, and how many stretches between such polls in
     * a row were short.
     */
    private long lastStretchEndNanos;
    private int shortStretches;
    private long shortStretchNanos = LookSchedule.CHECK_INTERVAL_NANOS;
    private long idleBeforeRecaptureNanos = IDLE_BEFORE_RECAPTURE_NANOS;
    private long releases;
    private long acceptReleases;
    private long recaptures;
    /** Parks of the released loop (written by the loop thread, read by tests on any thread). */
    private volatile long releasedParks;

    HandOver(DirectPort port, Thread loopThread, CompletionQueue completions, PortAlarm alarm, long captureWaitMs) {
        this.port = port;
        this.loopThread = loopThread;
        this.completions = completions;
        this.alarm = alarm;
        this.captureWaitNanos = TimeUnit.MILLISECONDS.toNanos(captureWaitMs);
    }

    /**
     * Whether the JDK's I/O thread waits in the port for the loop now ({@link #release}). Any
     * thread (a volatile read; only the loop thread's answer is stable).
     */
    boolean released() {
        return released;
    }

    /**
     * Hands the wait in the port to the JDK's captured I/O thread, which then finishes the
     * operations that have to wait and posts them (the hand-off design), while the loop stays busy
     * without looking at the port. Loop thread.
     */
    void release() {
        forAccepts = false;
        shortStretches = 0;
        lastStretchEndNanos = System.nanoTime();
        releases++;
        released = true;
        alarm.nudge(); // its serve() returns to the JDK's handler loop
    }

    /**
     * Hands the wait in the port to the JDK's captured I/O thread because only servers' accepts wait
     * there: the loop then parks in its queue, so that another thread's wake-up is an unpark instead
     * of a wake byte, and takes the port back at its first poll with no task waiting once an
     * operation other than an accept waits there ({@link #await}). Loop thread.
     */
    void releaseForAccepts() {
        release();
        forAccepts = true;
        acceptReleases++;
    }

    /**
     * The wait while released: as in the hand-off design, the loop parks in the queue, which that
     * thread's posts and every wake-up unpark. A park that found nothing for
     * {@link #IDLE_BEFORE_RECAPTURE_NANOS}, or a poll with no task waiting after
     * {@link #SHORT_STRETCHES_BEFORE_RECAPTURE} short stretches, takes the port back and returns, so
     * that the next poll waits in the port itself. While nothing but accepts waits in the port
     * ({@link CompletionQueue#outstandingBesidesAccepts} 0) it parks for {@code timeoutNanos} and
     * never takes the port back; released for accepts, it takes it back at the first poll with no
     * task waiting once something else waits there. {@code timeoutNanos} and {@code busy} as for
     * {@link DirectPort#await}. Returns whether it waited or took the port back. Loop thread.
     *
     * @throws IOException if the port could not be taken back (the port has failed then)
     */
    boolean await(long timeoutNanos, boolean busy) throws IOException {
        if (timeoutNanos == 0) {
            return false; // tasks wait: the completions that thread posts are taken at the next step
        }
        long start = System.nanoTime();
        if (completions.outstandingBesidesAccepts() == 0) {
            if (!busy) {
                // only accepts, or nothing, wait in the port: the JDK's thread keeps it, whatever
                // released it, and the loop parks for as long as it was told
                shortStretches = 0;
                releasedParks++;
                completions.await(timeoutNanos);
                lastStretchEndNanos = System.nanoTime();
                return true;
            }
            if (forAccepts) {
                lastStretchEndNanos = start;
                return false; // completions to dispatch first (a read among them may wait again)
            }
            // released while busy, and completions found: the rules below count the stretch
        } else if (forAccepts) {
            recapture(); // a connection's operation waits in the port: the loop waits there itself
            return !busy; // a busy poll's completions are dispatched by the next: this pass ends with them
        }
        // no task waits: a stretch ends here, whether the loop parks or finds completions queued
        // (however many: an echo's write that completed inside the call is among them, so a loop
        // that trails 1-connection ping-pong finds two; counting only polls with one kept it released)
        shortStretches = start - lastStretchEndNanos < shortStretchNanos ? shortStretches + 1 : 0;
        if (shortStretches >= SHORT_STRETCHES_BEFORE_RECAPTURE) {
            recapture(); // light traffic: the loop waits in the port itself again
            return true;
        }
        if (busy) {
            lastStretchEndNanos = start;
            return false; // completions to dispatch first
        }
        long idle = idleBeforeRecaptureNanos;
        long park = timeoutNanos < 0 ? idle : Math.min(timeoutNanos, idle);
        releasedParks++; // the only writer: a plain increment of a volatile, published before the park
        completions.await(park);
        long end = System.nanoTime();
        lastStretchEndNanos = end;
        if (!completions.isEmpty() || end - start < park || (timeoutNanos > 0 && timeoutNanos <= idle)) {
            return true; // a completion, a wake-up, or the loop's own deadline
        }
        recapture();
        return true; // the engine looks at its tasks again before the next poll waits in the port
    }

    /**
     * Takes the port back from the released I/O thread: with a capture requested, a wake byte the
     * I/O thread reads keeps it again ({@link #onWakeReadWhileReleased}). Waits (bounded) until it is
     * kept; the port then re-arms the wake read, which that thread completed. Loop thread.
     */
    private void recapture() throws IOException {
        captureRequested = true;
        try {
            takeBack();
        } catch (IOException | RuntimeException e) {
            port.markFailed();
            throw e;
        } finally {
            captureRequested = false;
        }
        forAccepts = false;
        recaptures++;
        port.tookBack();
    }

    /** Arms the wake read, writes a byte for it and waits (bounded) until the I/O thread is kept. */
    private void takeBack() throws IOException {
        port.armWake(); // the read that thread completes; a stray byte may have completed the last one
        port.writeWakeByte();
        long deadline = System.nanoTime() + captureWaitNanos;
        while (released) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException("the JDK's I/O thread of the iocp group did not come back from the port "
                        + "within " + TimeUnit.NANOSECONDS.toMillis(captureWaitNanos) + " ms");
            }
            LockSupport.parkNanos(this, left);
        }
    }

    /**
     * The released I/O thread completed the wake read. With a capture requested it is kept again
     * (serves as the alarm until released once more); otherwise the byte was written before the
     * release and is only a wake-up. The released I/O thread.
     */
    void onWakeReadWhileReleased() {
        if (captureRequested) {
            released = false; // the loop reads the queue and its wake-up requests after this
            LockSupport.unpark(loopThread);
            alarm.serve();
        } else {
            completions.wakeup();
        }
    }

    /** For tests: how long a released loop parks idle before it takes the port back. Loop thread only. */
    void idleBeforeRecaptureNanos(long nanos) {
        idleBeforeRecaptureNanos = nanos;
    }

    /**
     * For tests: a stretch between two parks shorter than this counts towards
     * {@link #SHORT_STRETCHES_BEFORE_RECAPTURE} ({@link LookSchedule#CHECK_INTERVAL_NANOS} by default;
     * a test's cold JVM takes longer per round trip; 0: no stretch is short). Loop thread only.
     */
    void shortStretchNanos(long nanos) {
        shortStretchNanos = nanos;
    }

    /** Times the loop handed the port's wait to the I/O thread. Loop thread only. */
    long releases() {
        return releases;
    }

    /** Of {@link #releases}, those because only accepts waited in the port ({@link #releaseForAccepts}). Loop thread only. */
    long acceptReleases() {
        return acceptReleases;
    }

    /** Whether the loop is released because only accepts waited in the port. Loop thread only. */
    boolean releasedForAccepts() {
        return released && forAccepts;
    }

    /** Times the loop took the port back. Loop thread only. */
    long recaptures() {
        return recaptures;
    }

    /**
     * Times the released loop parked in its queue, counted as each park begins. Any thread: tests
     * wait on it to know that the loop ran out of work before they send it more.
     */
    long releasedParks() {
        return releasedParks;
    }
}
