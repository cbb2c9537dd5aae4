package dev.roundhouse.loop.iocp;

import java.io.IOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The loop thread as the group's own handler thread: on Linux the loop thread runs the JDK's event
 * handler loop of the group itself (its {@code epoll_wait}, its reads), so a completion that had to
 * wait reaches the protocol without a thread hand-off.
 *
 * <p><b>Why.</b> In the hand-off design the JDK's I/O thread waits in {@code epoll_wait}, finishes
 * the operation and unparks the loop thread: two blocking waits and two context switches per echo
 * round trip on the server's one core, where a readiness loop has one. Measured (2026-12-05, JDK 17,
 * the echo matrix's 1-connection ping-pong, BENCHMARKS.md): 0.81 of Netty nio before, 0.96 with
 * this design (0.99 blocking waits per round trip instead of 1.99); over 4 processes &times; 3
 * measurements alternated, medians of 12, 35.9 k round trips/s against 27.8 k for the hand-off
 * design and 41.6 k for Netty nio.
 *
 * <p><b>How.</b> The group is made {@code withCachedThreadPool(executor, 1)}: the JDK hands the
 * {@link InlineExecutor} one "handler task" (its event loop, bound to the group), which is kept here
 * and run by {@link #await} on the loop thread. A completion handler the JDK calls there (directly:
 * the loop thread is then one of the group's pooled threads) posts to the {@link CompletionQueue} as
 * always and then throws {@link Escape}: the JDK's task ends with it, hands a replacement task to the
 * executor (kept here for the next wait) and the exception returns to {@code await}, which returns
 * to the poll, which dispatches. Safe because the JDK calls a handler directly only as the last
 * action of handling an event ({@code UnixAsynchronousSocketChannelImpl.finish}: when a read and a
 * write complete together, the write's handler goes through the executor first, where this class
 * does not escape, and the read's handler last), and replaces its task only when the task ends with
 * an exception ({@code AsynchronousChannelGroupImpl.threadExit}); both checked in JDK 17 and 25.
 *
 * <p><b>The JDK's own I/O thread.</b> A group that is not a fixed pool also gets one internal I/O
 * thread that runs the same event loop. It is captured at start: the first operation it finishes
 * (the wake channel's first read, while the loop thread is not in the port) hands its handler to the
 * executor on that thread, which then never returns to the JDK until the group shuts down. From then
 * on the loop thread is the only one that waits on the port; the captured thread serves as the
 * loop's alarm clock ({@link PortAlarm}).
 *
 * <p><b>Wake-ups and timeouts.</b> The JDK waits without a timeout and offers no public way to wake
 * it, so the loop has a {@link WakeChannel}: a loopback TCP connection with a read always pending
 * in the group, to which any thread writes one byte ({@link #wakeup}, coalesced). A wait with a
 * deadline arms the alarm, which writes that byte when the deadline passes. A poll that must not
 * block (tasks are waiting) runs the port only every {@link LookSchedule#CHECK_INTERVAL_NANOS} and
 * then wakes it first, so it returns at once; and only while an operation waits in the port
 * ({@link CompletionQueue#outstanding}): with none, nothing can come out of it, so a busy loop
 * without I/O (no server, no connection) pays no wake byte at all.
 *
 * <p><b>Busy loops hand the wait over.</b> Each look is a wake byte's round trip (its write, the
 * JDK's read of it, which also sends a TCP ACK, and the re-armed read): looking every
 * {@link LookSchedule#CHECK_INTERVAL_NANOS} took about a quarter of the CPU of a loop kept busy by
 * another thread's tasks. So after {@link LookSchedule#LOOKS_BEFORE_RELEASE} looks in one stretch
 * that tasks keep busy the loop releases the captured I/O thread to wait in the port and post what
 * it finishes, parks in the {@link CompletionQueue} when out of work, and takes the port back when
 * tasks no longer keep it busy ({@link HandOver}). So the loop waits in the port itself while only
 * its own I/O keeps it busy (1-connection ping-pong, where this design is ahead) and lets the JDK's
 * thread wait while other threads' tasks keep it busy (where the hand-off was ahead). Completions
 * alone never release it.
 *
 * <p><b>Costs.</b> Waking the loop from another thread while it waits in the port writes a byte
 * over loopback TCP instead of unparking a thread: a cross-thread wake-up measured p50 17 &micro;s
 * against 8 in the hand-off design (JMH {@code wakeupLatency}, 2026-12-05; Netty nio 26). A loop
 * with nothing waiting in the port does not wait in it ({@link #awaitIdle}): it parks, and a
 * wake-up is an unpark; nor does one whose port holds only servers' accepts (an idle server): it
 * hands the wait to the JDK's thread ({@link HandOver#releaseForAccepts}) and parks, and takes the
 * port back once a connection's operation waits there. Each loop holds the wake channel's two
 * sockets.
 * The loop opens by waiting once for its own wake byte, which proves the mechanism on the JDK it
 * runs on; if that fails it falls back to the hand-off design (reported).
 *
 * <p>Linux only (where it is tested) and only with the JDK's default of one internal I/O thread per
 * group; elsewhere, when the wake channel cannot be opened (no loopback), or with
 * {@code -Droundhouse.iocp.completions=handoff}, the loop uses the hand-off design.
 *
 * <p><b>Thread:</b> {@link #wakeup} any thread; the rest on the loop thread, but the capture, the
 * alarm and the released thread's return to the JDK, which run on the JDK's I/O thread (see
 * {@link HandOver} for why a wake-up during a switch is never lost).
 */
final class DirectPort {
    /** {@code handoff} keeps the JDK's I/O thread and the hand-off on Linux too (for comparison). */
    static final String COMPLETIONS_PROPERTY = "roundhouse.iocp.completions";
    /**
     * A first completion this soon after the wait began was already waiting (the JDK had it queued
     * or {@code epoll_wait} returned without blocking), so more probably are: the wait goes on and
     * takes them all before it returns. A wait that blocked returns at its first completion.
     * Measured (2026-12-05, JDK 17, 3 alternated runs): returning at every first completion read
     * 40.4&ndash;49.0 k round trips/s on 64-connection ping-pong, against 78.7&ndash;89.9 k with this
     * rule (the hand-off design 74.4&ndash;97.3 k); always going on until the wake byte cost
     * 1-connection ping-pong a third (21.9&ndash;26.1 k against 37.8&ndash;38.9 k), because each wait then
     * writes and reads a wake byte. Wasted batches back off ({@link BatchBackoff}).
     * {@code -Droundhouse.iocp.batchWithinNanos=N} sets it (for comparisons; 0: never batch).
     */
    static final long BATCH_WITHIN_NANOS = Long.getLong("roundhouse.iocp.batchWithinNanos", 5_000);
    /** The longest a completion posted through the executor inside the port may wait unseen. */
    static final long STRAY_POST_NANOS = 10_000_000;
    private static final long CAPTURE_WAIT_MS = 10_000;
    /** Unwinds the JDK's handler loop back to {@link #await}; preallocated, no stack trace. */
    static final class Escape extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private Escape() {
            super("returns the loop thread from the JDK's handler loop to the poll", null, false, false);
        }
    }

    private static final Escape ESCAPE = new Escape();

    private final Thread loopThread;
    private final InlineExecutor executor;
    /** The loop's queue: it counts the operations waiting in the port ({@link CompletionQueue#outstanding}). */
    private final CompletionQueue completions;
    /** The JDK's handler task of the group, between waits; loop thread only. */
    private Runnable handlerTask;
    /** The next task the loop thread hands the executor is the handler task (construction, escape). */
    private boolean expectHandlerTask = true;
    private boolean inPort;
    private final LookSchedule schedule = new LookSchedule();
    /** When the current wait began; loop thread only. */
    private long enteredNanos;
    /** The current wait found its first completion at once and runs on until the wake byte. */
    private boolean batching;
    private long batchWithinNanos = BATCH_WITHIN_NANOS;
    private final BatchBackoff batchBackoff = new BatchBackoff();
    private long portPosts;
    private long idleParks;
    private long portWaits;
    /** The wake read just completed on the I/O thread; that thread only (set and read by it). */
    private boolean wakeReadOnIoThread;
    /** Written by the loop thread, read by wakers ({@link IocpPoller#wakeup}). */
    private volatile boolean failed;

    private final CountDownLatch captured = new CountDownLatch(1);
    private final PortAlarm alarm;
    private final HandOver handOver;
    /** Set on the loop thread before its first read is armed, so before any thread reads it. */
    private WakeChannel wake;

    private AsynchronousChannelGroup group;

    private DirectPort(Thread loopThread, InlineExecutor executor, CompletionQueue completions) {
        this.loopThread = loopThread;
        this.executor = executor;
        this.completions = completions;
        this.alarm = new PortAlarm(this, executor);
        this.handOver = new HandOver(this, loopThread, completions, alarm, CAPTURE_WAIT_MS);
    }

    /** Whether loops here use this design: Linux, one JDK I/O thread per group, not switched off. */
    static boolean wanted() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")
                && Integer.getInteger(IocpProvider.JDK_IO_THREADS_PROPERTY, 1) == 1
                && !"handoff".equals(System.getProperty(COMPLETIONS_PROPERTY));
    }

    /**
     * Makes the loop's group with the loop thread as its handler thread. Loop thread.
     *
     * @throws IOException if the group or the wake channel cannot be made, or the JDK's I/O thread
     *     was not captured; nothing is left open then
     */
    static DirectPort open(InlineExecutor executor, CompletionQueue completions) throws IOException {
        DirectPort port = new DirectPort(Thread.currentThread(), executor, completions);
        executor.attach(port);
        port.group = AsynchronousChannelGroup.withCachedThreadPool(executor, 1);
        try {
            if (port.handlerTask == null) {
                throw new IOException("the JDK did not hand the group's handler task to its executor");
            }
            port.openWakeChannel();
            completions.attach(port);
            return port;
        } catch (IOException | RuntimeException e) {
            try {
                port.shutdown();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The group this port drives; every channel of the loop is opened in it. */
    AsynchronousChannelGroup group() {
        return group;
    }

    private void openWakeChannel() throws IOException {
        wake = WakeChannel.open(group, this::afterWakeRead, CAPTURE_WAIT_MS);
        // The first wake byte is read by the JDK's I/O thread (the loop thread is not in the port):
        // its handler runs on that thread, which the executor then keeps (the capture).
        wake.arm();
        writeWakeByte(); // not wakeup(): nothing waits in the port, so that would only unpark
        try {
            if (!captured.await(CAPTURE_WAIT_MS, TimeUnit.MILLISECONDS)) {
                throw new IOException("the JDK's I/O thread of the iocp group did not show within "
                        + CAPTURE_WAIT_MS + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the iocp loop", e);
        }
        wake.arm();
        // One wait on the loop thread, ended by a wake byte: proves that this JDK calls the handler
        // on the loop thread and hands its task back after the escape (else: the hand-off design).
        writeWakeByte();
        runPort(); // not await(): with nothing waiting in the port that would park instead
        if (handlerTask == null) {
            throw new IOException("this JDK did not hand the group's handler task back after a wait: "
                    + "the loop thread cannot wait on the port here");
        }
    }

    /**
     * The executor hands over a task on the loop thread: keeps it if it is the group's handler task.
     * Returns whether it was kept.
     */
    boolean takeHandlerTask(Runnable task) {
        if (!expectHandlerTask) {
            return false;
        }
        expectHandlerTask = false;
        handlerTask = task;
        return true;
    }

    /**
     * A completion was posted on the loop thread. Outside the port's wait this does nothing and
     * returns false. Inside it ends the wait: at once ({@link Escape}) if the wait blocked before it,
     * otherwise after the completions already waiting (see {@link #BATCH_WITHIN_NANOS}), by writing
     * the wake byte, unless recent such waits were wasted ({@link BatchBackoff}); it returns
     * true if it does not throw.
     */
    boolean onLoopThreadPost() {
        if (!inPort) {
            return false; // also at shutdown, which runs the JDK's task outside any wait
        }
        portPosts++;
        if (batching) {
            return true; // the wake byte written at the first completion ends this wait
        }
        if (System.nanoTime() - enteredNanos < batchWithinNanos) {
            if (batchBackoff.batchesNow()) {
                batching = true;
                writeWakeByte();
                return true;
            }
            // recent batched waits took only their first completion: this one ends here
        }
        escape();
        return true;
    }

    /**
     * Ends the JDK's task if the JDK called the handler directly (the last thing it does for an
     * event). A handler it called through the executor is a write that finished together with a
     * read, whose handler the JDK calls right after and which ends the wait; only if that read found
     * nothing after all (epoll said readable, {@code read} said EAGAIN: not seen with one reader)
     * would the JDK wait on, so the alarm is set {@link #STRAY_POST_NANOS} ahead as a bound.
     */
    private void escape() {
        if (executor.ownerDepth() == 0) {
            expectHandlerTask = true;
            throw ESCAPE;
        }
        alarm.at(System.nanoTime() + STRAY_POST_NANOS);
    }

    /** Waits parked in the queue with nothing in the port ({@link #awaitIdle}). Loop thread only. */
    long idleParks() {
        return idleParks;
    }

    /** Waits the loop thread made in the port (the opening one included). Loop thread only. */
    long portWaits() {
        return portWaits;
    }

    /** Whether the loop is parked idle now ({@link #awaitIdle}). Any thread; for tests. */
    boolean parkedIdle() {
        return !handOver.released() && completions.consumerMayPark();
    }

    /** Wake bytes written so far (by wake-ups, looks, the alarm, captures). Any thread. */
    long wakeBytes() {
        return wake.bytesWritten();
    }

    /** When this port looks while the loop does not wait in it, and the looks' counts. Loop thread only. */
    LookSchedule lookSchedule() {
        return schedule;
    }

    /** Completions posted inside the port (the operations that had to wait). Loop thread only. */
    long portPosts() {
        return portPosts;
    }

    /** Waits that went on after their first completion ({@link #BATCH_WITHIN_NANOS}). Loop thread only. */
    long batchedWaits() {
        return batchBackoff.batches();
    }

    /** Batched waits that took only their first completion ({@link BatchBackoff}). Loop thread only. */
    long wastedBatches() {
        return batchBackoff.wasted();
    }

    /**
     * First completions that came at once but ended their wait at once, after wasted batches
     * ({@link BatchBackoff}). Loop thread only.
     */
    long skippedBatches() {
        return batchBackoff.skipped();
    }

    /**
     * For tests: 0 makes every wait return at its first completion, {@code Long.MAX_VALUE} makes every
     * wait count as one whose first completion came at once (batched, unless wasted batches before
     * it skip it: {@link BatchBackoff}). Loop thread only.
     */
    void batchWithinNanos(long nanos) {
        batchWithinNanos = nanos;
    }

    /**
     * Runs the port: waits (at most {@code timeoutNanos}, -1 no limit) for the JDK to finish an
     * operation or for a wake-up, and returns at the first completion posted, or, if that one came
     * at once, after every completion already waiting ({@link #onLoopThreadPost}). With nothing
     * in the port it parks instead ({@link #awaitIdle}); with only accepts there, and no completion
     * found by this poll, it hands the wait to the JDK's thread ({@link HandOver#releaseForAccepts})
     * and parks. With
     * {@code timeoutNanos} 0, or when {@code busy} (the poll found completions, which are being
     * dispatched anyway), it looks at the port only when {@link LookSchedule#due} says so, waking it
     * first so it does not block, or hands it to the JDK's thread instead
     * ({@link LookSchedule#releaseInstead}). Returns whether it
     * ran the port (or, released, waited or took the port back). Loop thread only.
     */
    boolean await(long timeoutNanos, boolean busy) throws IOException {
        if (handOver.released()) {
            return handOver.await(timeoutNanos, busy);
        }
        if (!busy && onlyAcceptsWait()) {
            // not on a poll that found completions: one of them may be a read whose next post
            // will wait in the port again (a read posted at the end of a pass can finish at once)
            handOver.releaseForAccepts();
            return handOver.await(timeoutNanos, false);
        }
        if (!busy && timeoutNanos != 0 && completions.outstanding() == 0) {
            awaitIdle(timeoutNanos);
            return true;
        }
        long now = System.nanoTime();
        if (busy || timeoutNanos == 0) {
            if (!schedule.due(now, completions.outstanding())) {
                return false;
            }
            if (schedule.releaseInstead(timeoutNanos == 0)) {
                handOver.release();
                return false;
            }
            return look();
        }
        if (timeoutNanos > 0) {
            alarm.at(now + timeoutNanos);
        }
        schedule.stretchEnded();
        return runPort();
    }

    /**
     * The wait of a loop with nothing in the port ({@link CompletionQueue#outstanding} 0: every
     * operation started has been delivered, and only the loop thread starts them): nothing can
     * come out of the port, so the loop parks in its queue as in the hand-off design, and a
     * wake-up is an unpark instead of a wake byte's round trip over loopback TCP; a deadline is a
     * timed park instead of the alarm thread. Measured (2026-12-06, JDK 17, an ad hoc program:
     * another thread's task to such a loop idle for 20 &micro;s, medians of 10,000, two runs):
     * 18.6&ndash;21.2 &micro;s from {@code execute} to the task running through the port, 9.7&ndash;10.7
     * parked ({@code nio}: 13.6). Wakers read {@link CompletionQueue#portIdle} to know that no
     * byte is needed.
     */
    private void awaitIdle(long timeoutNanos) {
        schedule.stretchEnded();
        idleParks++;
        completions.await(timeoutNanos);
    }

    /**
     * A look at the port while the loop spins toward a near timer ({@link IocpPoller#pollSpinning}),
     * due in {@code dueInNanos} (0: due now, it fell due during the engine's step): as a busy poll's
     * look ({@link LookSchedule#due}), but not when the timer is too near for one
     * ({@link LookSchedule#putOff}), and never counting toward releasing the port (no task waits).
     * Released, it does nothing: the JDK's I/O thread posts each completion as it comes, and the
     * spinning loop takes it at its next poll. Returns whether it ran the port. Loop thread only.
     */
    boolean lookWhileSpinning(long dueInNanos) throws IOException {
        long now = System.nanoTime();
        if (handOver.released() || !schedule.due(now, completions.outstanding())
                || schedule.putOff(now, dueInNanos)) {
            return false;
        }
        return look();
    }

    /**
     * Whether the operations waiting in the port are all servers' accepts (at least one): the loop
     * then hands the wait to the JDK's thread ({@link HandOver#releaseForAccepts}), so that a
     * wake-up is an unpark, not a wake byte. Measured (2026-12-07, Temurin 25, JMH
     * {@code wakeupLatency} with a listener, 2 forks): 45.9 &micro;s mean, p50 25.0, while the
     * loop waited in the port, against Netty nio's 39.6; see loop-iocp's README for after.
     */
    private boolean onlyAcceptsWait() {
        return completions.outstanding() > 0 && completions.outstandingBesidesAccepts() == 0;
    }

    /** A look at the port: wakes it first, so the wait in it returns at once with what is there. */
    private boolean look() throws IOException {
        long start = System.nanoTime();
        writeWakeByte();
        try {
            return runPort();
        } finally {
            schedule.lookTook(System.nanoTime() - start);
        }
    }

    /** Runs the JDK's handler task until a completion is posted or the wake byte is read. */
    private boolean runPort() throws IOException {
        portWaits++;
        Runnable task = handlerTask;
        handlerTask = null;
        inPort = true;
        batching = false;
        long postsBefore = portPosts;
        enteredNanos = System.nanoTime();
        try {
            task.run();
            // the JDK's loop ended on its own: only an epoll failure (printed by the JDK) does that
            failed = true;
            throw new IOException("the JDK's event loop of the iocp group ended: this loop does no more I/O");
        } catch (Escape e) {
            // a completion was posted: back to the poll
        } finally {
            inPort = false;
            completions.dropWakeupRequest(); // served by the wake byte, or by this return anyway
            schedule.portReturned(System.nanoTime());
            if (batching) {
                batchBackoff.onBatchTook(portPosts - postsBefore);
            }
        }
        try {
            wake.arm();
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
        return true;
    }

    /** The hand-over of the port's wait to the JDK's thread ({@link HandOver}). Any thread. */
    HandOver handOver() {
        return handOver;
    }

    /**
     * Whether the port failed (reported once by {@link #await}); the loop then no longer waits here
     * but parks for bounded times, so that its tasks and timers still run. Any thread.
     */
    boolean failed() {
        return failed;
    }

    /**
     * Makes the current or next {@link #await} return promptly. Any thread. The request is set on
     * the queue first and the mode read after it: a loop that parks in the queue is unparked, and a
     * loop that waits in the port (or is taking it back, and reads the request after the mode)
     * gets a wake byte.
     */
    void wakeup() {
        completions.wakeup(); // the request and unpark: a loop that parks idle sees it (Dekker in the queue)
        if (!handOver.released() && !completions.portIdle()) {
            writeWakeByte(); // the loop waits in the port, or will: portIdle was written before it slept
        }
    }

    /** Marks the port failed ({@link #failed}). Loop thread. */
    void markFailed() {
        failed = true;
    }

    /** The port was taken back from the released thread: re-arms the wake read it completed. Loop thread. */
    void tookBack() throws IOException {
        schedule.portReturned(System.nanoTime());
        wake.arm();
    }

    /** Re-arms the wake read until one is pending ({@link WakeChannel#arm}). Loop thread. */
    void armWake() throws IOException {
        wake.arm();
    }

    /** Writes the wake byte unless one is on its way ({@link WakeChannel#write}). Any thread. */
    void writeWakeByte() {
        wake.write();
    }

    /**
     * The wake read completed or failed, on whichever thread: notes the JDK's I/O thread for
     * {@link #onForeignTask} (which that thread runs right after), and on the loop thread ends the
     * wait in the port.
     */
    private void afterWakeRead() {
        if (Thread.currentThread() != loopThread) {
            wakeReadOnIoThread = true; // read by this thread in onForeignTask, right after
        } else if (inPort) {
            escape();
        }
    }

    /**
     * The executor ran a task on a thread other than the loop thread. The first such thread is the
     * JDK's I/O thread: it is kept here as the alarm until the group shuts down. Any other one (not
     * expected) only wakes the loop, whose completion it may have posted.
     */
    void onForeignTask(Thread thread) {
        boolean wakeRead = wakeReadOnIoThread;
        wakeReadOnIoThread = false;
        if (!alarm.captured()) {
            alarm.capture(thread);
            captured.countDown();
            alarm.serve();
        } else if (alarm.isThread(thread) && handOver.released()) {
            // released: the task was the completion of an operation (posted; the post unparked the
            // loop if it parks) or the wake read
            if (wakeRead) {
                handOver.onWakeReadWhileReleased();
            }
        } else {
            wakeup();
        }
    }

    /** The executor shut down: the alarm hands its thread back to the JDK. Any thread. */
    void onShutdown() {
        alarm.nudge();
    }

    /**
     * Shuts the group down and runs the JDK's handler task once more, so that it sees the shutdown
     * and ends (the group releases its port only when every handler task has ended). Loop thread.
     */
    void shutdown() throws IOException {
        try {
            if (wake != null) {
                wake.close();
            }
        } finally {
            group.shutdownNow();
            Runnable task = handlerTask;
            handlerTask = null;
            if (task != null) {
                task.run(); // returns at the shutdown wake-up the JDK has written for each task
            }
        }
    }
}
