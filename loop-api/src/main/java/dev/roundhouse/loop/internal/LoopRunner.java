package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.spi.Poller;
import java.util.concurrent.TimeUnit;

/**
 * What a {@link LoopEngine}'s thread does once its poller is open: the iteration, written once
 * ({@link #run()}; {@code docs/loop.md} gives it as steps), and the last drain at termination
 * ({@link #finish()}). The engine owns the queues and the published state and shares them with this
 * class; what only the iteration uses (the timer spin, whether the last step stopped at a task in
 * transit) lives here.
 *
 * <p><b>Thread:</b> the loop thread only.
 */
final class LoopRunner {
    /** Spin-wait hints between two looks at the task queue while spinning (a few hundred ns here). */
    private static final int SPIN_PAUSES = 16;
    /** Poll timeout cap while shutting down, so the quiet period is re-checked. */
    private static final long SHUTDOWN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final LoopEngine engine;
    private final Poller poller;
    private final TaskQueue tasks;
    private final TimerQueue timers;
    private final TimerInbox inbox;
    private final CallbackTracker callbacks;
    private final BatchWait batchWait;
    private final SpinBeforeSleep spin;
    private final PublishedSleep sleep;
    private final GracefulShutdown shutdown;
    /**
     * The timer spin: {@link LoopOptions#timerSpinNanos()}, or if that is -1 the poller's
     * {@link Poller#spinBelowNanos()}, read once.
     */
    private final long timerSpinNanos;
    /** Whether the {@link StallWatchdog} watches this loop: it dozes in its blocking polls. */
    private final boolean watched;
    /** Whether the last {@link #runTasks()} stopped at a task in transit. */
    private boolean stoppedInTransit;
    /**
     * The deadline the last {@link #pollTimeout()} counted its timeout to ({@code Long.MAX_VALUE}:
     * none): what {@link #publishSleep} publishes. Not read again there: an arrival that lowered
     * the inbox's earliest deadline in between must be seen as earlier than the sleep, not folded
     * into a deadline published with the longer timeout.
     */
    private long pollDeadline = Long.MAX_VALUE;

    /** The engine's parts the iteration works on; {@code poller} just opened. Loop thread. */
    LoopRunner(LoopEngine engine, Poller poller, TaskQueue tasks, TimerQueue timers, TimerInbox inbox,
               CallbackTracker callbacks, BatchWait batchWait, SpinBeforeSleep spin, PublishedSleep sleep,
               GracefulShutdown shutdown) {
        this.engine = engine;
        this.poller = poller;
        this.tasks = tasks;
        this.timers = timers;
        this.inbox = inbox;
        this.callbacks = callbacks;
        this.batchWait = batchWait;
        this.spin = spin;
        this.sleep = sleep;
        this.shutdown = shutdown;
        LoopOptions options = engine.options();
        this.timerSpinNanos = options.timerSpinNanos() >= 0
                ? options.timerSpinNanos() : Math.max(0, poller.spinBelowNanos());
        this.watched = options.stallThresholdNanos() > 0;
    }

    /**
     * The iteration: (1) expired timers in deadline order (the timer inbox first if an arrival in
     * it may be due), up to one scheduled after a task not yet run, (2) the tasks queued before this
     * step began, then the inbox if a task asked for a drain ({@link TimerInbox}), (3) shutdown
     * check, (4) poll for I/O until the next deadline (not at all when tasks are pending; after a
     * step that ran tasks, only once the queue stayed empty for the spin time,
     * {@link SpinBeforeSleep}; without blocking, and without publishing that the loop sleeps, when
     * the deadline is within the timer spin, {@link LoopOptions#timerSpinNanos()}) and dispatch.
     * After a step that ran only a short batch of tasks while more were already queued, the next
     * step starts a few microseconds after it ended at the earliest; the non-blocking poll runs
     * within that time ({@link BatchWait}).
     * Returns when shutdown completes.
     *
     * <p>Each iteration is a call of {@link #step()}, not the body of this loop: the JIT compiles
     * a method after some thousands of calls, but a loop's body inside a method that never returns
     * only by on-stack replacement after tens of thousands of iterations, and a loop that wakes a
     * few thousand times a second ran its steps interpreted for all of a JMH fork (no compilation
     * of this method in {@code -XX:+PrintCompilation}), each of its {@code VarHandle} accesses a
     * call through the method-handle machinery. JMH {@code wakeupLatency}, Temurin 25, 6
     * alternated forks (2026-12-05): epoll p50 6.45 &micro;s against 7.63 with the loop's body
     * inline, io_uring 8.54 against 9.52; Netty epoll 7.51 (its loop body is two calls).
     */
    void run() {
        while (step()) {
            // one iteration per call
        }
    }

    /** One iteration of {@link #run()}; returns false when shutdown has completed. */
    private boolean step() {
        boolean ranTimers = runTimers();
        int tasksRun = runTasks();
        boolean ranTasks = tasksRun > 0;
        if (inbox.takeDrainRequest()) { // housekeeping, after the tasks (TimerInbox)
            inbox.drain(System.nanoTime());
        }
        if (shutdown.requested() && shutdown.due(ranTimers | ranTasks)) {
            return false;
        }
        // one look at the producers' index after a step that ran tasks, or stopped at a task in
        // transit, serves both decisions below
        long waiting = ranTasks || stoppedInTransit ? tasks.waiting() : 0;
        long timeout;
        boolean sleepAfterTasks = false; // a sleep the adaptive spin learns from
        if (waiting != 0) {
            timeout = 0;
            // other threads' tasks arriving one by one: let them batch up before the next step
            // (the wait starts now; the non-blocking poll below runs inside it). A step that
            // stopped at a slot still in transit waits too, even if it ran nothing: going
            // straight back would read the slot line the producer is writing (BatchWait)
            batchWait.planAfterStep(tasksRun, waiting);
        } else {
            timeout = pollTimeout();
            if (timeout != 0 && ranTasks && spin.nanos() > 0) {
                timeout = spin.spin(tasks, SPIN_PAUSES, timeout) ? 0 : pollTimeout();
            }
            // 0 with no task waiting: the timer fell due while this step ran; the poll before the
            // next step runs it is a spinning one too, told the timer is due now. As poll(0) it
            // was iocp's look at its port (a wake byte's round trip, 12-40 us) in ~15% of the
            // 100 us timers of a chain on a loop with a listener, each then that late (2026-12-06)
            if (timeout < timerSpinNanos && (timeout > 0 || timeout == 0 && !tasks.hasTasks())) {
                return spinTowardTimer(timeout);
            }
            sleepAfterTasks = timeout != 0 && ranTasks && spin.isAdaptive();
        }
        boolean published = timeout != 0;
        long sleepStart = 0;
        long selfQueuedBefore = 0;
        if (sleepAfterTasks) {
            sleepStart = System.nanoTime();
            selfQueuedBefore = batchWait.selfQueuedInStep();
        }
        poll(published ? publishSleep(timeout) : 0, published);
        if (sleepAfterTasks) {
            // nothing waited when the loop blocked: what waits now minus what the poll's own
            // handlers queued is what other threads queued, the only tasks a spin can catch
            long fromOthers = tasks.waiting() - (batchWait.selfQueuedInStep() - selfQueuedBefore);
            spin.slept(System.nanoTime() - sleepStart, fromOthers > 0);
        }
        batchWait.awaitPlanned(); // what is left of a wait planned after the tasks
        return true;
    }

    /**
     * Publishes that the loop sleeps, before a poll with {@code timeoutNanos} (not 0; -1: no
     * limit), and returns the timeout to poll with: 0 if a task came meanwhile (it saw the loop
     * awake and sent no wakeup), at most {@link #SHUTDOWN_POLL_NANOS} while shutting down.
     */
    private long publishSleep(long timeoutNanos) {
        tasks.releaseConsumed(); // the last task run stays unreachable while the loop sleeps
        long deadline = pollDeadline;
        sleep.publish(deadline);
        if (tasks.hasTasks() || inbox.earliest() < deadline) {
            return 0; // a task, or an arrival due before the deadline, came before the publish
        }
        if (shutdown.requested() && (timeoutNanos < 0 || timeoutNanos > SHUTDOWN_POLL_NANOS)) {
            // a shutdown that began after the step's check found the loop awake and sent no
            // wakeup: re-check it after publishing the sleep, as for tasks, or block forever
            return SHUTDOWN_POLL_NANOS;
        }
        return timeoutNanos;
    }

    /** Polls for I/O and dispatches it; ends the sleep if {@code published}. */
    private void poll(long timeoutNanos, boolean published) {
        callbacks.clear(); // idle while waiting: pollers enterCallback per event
        if (watched && timeoutNanos != 0) {
            callbacks.doze(); // the watchdog may park; the first callback or the return wakes it
        }
        try {
            poller.poll(timeoutNanos);
        } catch (Throwable t) {
            engine.reportException("poll of backend " + engine.backendName(), t);
        } finally {
            if (published) { // a busy loop never published its sleep: no store (a fence) to undo it
                sleep.end();
            }
            callbacks.wake(); // nothing if no doze is on (not watched, or a callback ended it)
        }
    }

    /**
     * The poll of a step whose next timer is due within the timer spin
     * ({@link LoopOptions#timerSpinNanos()}, by default the poller's
     * {@link Poller#spinBelowNanos()}): a non-blocking poll, a spin-wait hint if it found nothing,
     * and on to the next step. The loop does not publish that it sleeps (it does not):
     * a producer's {@code execute} meanwhile costs no wakeup. {@code dueInNanos}: how far the timer
     * is, for a poller whose poll may take longer ({@link Poller#pollSpinning(long)}); 0 when it
     * fell due during the step (no hint then).
     */
    private boolean spinTowardTimer(long dueInNanos) {
        callbacks.clear(); // idle while polling: pollers enterCallback per event
        int dispatched = 0;
        try {
            dispatched = poller.pollSpinning(dueInNanos);
        } catch (Throwable t) {
            engine.reportException("poll of backend " + engine.backendName(), t);
        }
        if (dispatched == 0 && dueInNanos > 0) { // due now: the next step runs it at once
            // one hint, not SPIN_PAUSES: each pause delays the timer (16 made a 100 us timer
            // ~0.3 us later on nio and iocp, 2026-12-06), and a step reads the producers' index
            // only once, where a spin before sleep looks at it back to back
            Thread.onSpinWait();
        }
        return true;
    }

    private long pollTimeout() {
        if (tasks.hasTasks()) {
            return 0;
        }
        long timeout = -1;
        long next = nextDeadline();
        pollDeadline = next;
        if (next != Long.MAX_VALUE) {
            // Read the clock again: the timers and tasks just run may have taken a while, and a
            // stale clock makes the poll overshoot the deadline (measured: timer firing 0.3x Netty).
            timeout = Math.max(0, next - System.nanoTime());
        }
        if (shutdown.requested()) {
            timeout = timeout < 0 ? SHUTDOWN_POLL_NANOS : Math.min(timeout, SHUTDOWN_POLL_NANOS);
        }
        return timeout;
    }

    /**
     * The earliest deadline the loop knows of: its heap's first, or the inbox's earliest arrival
     * (not yet read); {@code Long.MAX_VALUE} if neither has one.
     */
    private long nextDeadline() {
        ScheduledTimer next = timers.peek();
        long arrival = inbox.earliest();
        return next == null ? arrival : Math.min(next.deadlineNanos, arrival);
    }

    /**
     * Runs the timers that are due, in deadline order; first drains the inbox if an arrival in it
     * may be due ({@link TimerInbox#earliest()} has passed). Stops at a due timer scheduled after a
     * task the loop has not taken yet ({@link ScheduledTimer#ticket}): that task runs first. Returns
     * whether a timer ran.
     */
    private boolean runTimers() {
        ScheduledTimer t = timers.peek();
        long arrival = inbox.earliest();
        if (t == null && arrival == Long.MAX_VALUE) {
            return false; // no clock read when no timer is pending
        }
        long now = System.nanoTime();
        if (arrival != Long.MAX_VALUE && arrival - now <= 0) {
            inbox.drain(now);
            t = timers.peek();
        }
        boolean ran = false;
        for (; t != null && t.deadlineNanos - now <= 0; t = timers.peek()) {
            if (!tasks.consumedUpTo(t.ticket)) {
                // a task accepted before this timer was scheduled has not run yet: the tasks first,
                // and the timers due after this one wait with it (deadline order). The tasks
                // pending keep the poll from blocking, so the next step fires it
                break;
            }
            timers.poll();
            if (t.start()) {
                ran = true;
                runCallback(t.task, "timer");
            }
        }
        return ran;
    }

    /**
     * Runs the tasks queued before this step; returns how many ran. Stops early, setting
     * {@link #stoppedInTransit}, at a slot another thread has claimed but not yet stored.
     */
    private int runTasks() {
        batchWait.stepStarted(); // the loop's own tasks queued from now on are not another thread's
        stoppedInTransit = false;
        long end = tasks.acceptedCount(); // tasks queued from now on wait for the next step
        int ran = 0;
        while (!tasks.consumedUpTo(end)) {
            Runnable r = tasks.poll();
            if (r == null) {
                stoppedInTransit = true; // the loop's own offers store before they return
                break;
            }
            ran++;
            runCallback(r, "task");
        }
        return ran;
    }

    /**
     * Runs every task left in the sealed queue. Unlike {@link #runTasks()} it does not stop at a
     * slot still in transit (a producer claimed it before the seal but has not stored its task
     * yet): stopping there would lose that task and every one after it, although their
     * {@code execute} returned normally ("run or rejected, never lost").
     */
    private void runSealedTasks() {
        long end = tasks.acceptedCount(); // sealed: no task can be accepted after these
        while (!tasks.consumedUpTo(end)) {
            Runnable r = tasks.poll();
            if (r == null) {
                Thread.onSpinWait(); // the task is one store away in the producer
                continue;
            }
            runCallback(r, "task");
        }
    }

    private void runCallback(Runnable r, String kind) {
        callbacks.enter(r);
        try {
            r.run();
        } catch (Throwable t) {
            engine.reportException(kind + " " + Names.of(r), t);
        }
    }

    /**
     * The last drain, when the iteration has ended: seals the task queue and the timer inbox, runs
     * every task accepted before the seal, cancels the timers left (those in the inbox too),
     * closes the poller (its transports' callbacks may queue tasks, which run after it) and lets
     * go of the tasks run.
     */
    void finish() {
        tasks.close();
        inbox.close();
        runSealedTasks(); // tasks accepted before the seal run; later ones were rejected
        inbox.drainSealed(); // timers accepted before the seal join the heap, to be cancelled with it
        for (ScheduledTimer t : timers.drain()) {
            t.markCancelled();
        }
        try {
            poller.close();
        } catch (Throwable t) {
            engine.reportException("close of backend " + engine.backendName(), t);
        }
        runTasks();
        tasks.releaseConsumed();
    }
}
