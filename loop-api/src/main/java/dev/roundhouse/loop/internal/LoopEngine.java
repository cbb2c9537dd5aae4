package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.LoopAffinityException;
import dev.roundhouse.loop.LoopClosedException;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.MissingCapabilityException;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.ProtocolFactory;
import dev.roundhouse.loop.ReadinessHandler;
import dev.roundhouse.loop.Registration;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.TimerHandle;
import dev.roundhouse.loop.Transport;
import dev.roundhouse.loop.Trigger;
import dev.roundhouse.loop.spi.BackendProvider;
import dev.roundhouse.loop.spi.LoopContext;
import dev.roundhouse.loop.spi.Poller;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one loop driver shared by every backend. A backend supplies a {@link Poller}; this class
 * owns the thread, the task queue, timers, affinity, wakeups, stall detection and the lifecycle.
 * The iteration is written once, in {@link #runLoop()}; {@code docs/loop.md} gives it as steps.
 */
public final class LoopEngine implements EventLoop, LoopContext {
    private static final VarHandle SLEEPING;
    private static final VarHandle SLEEP_DEADLINE;
    private static final VarHandle LAZY_WHILE_ASLEEP;
    /**
     * Lazily queued messages (timer arrivals and removals that need not wake the loop) a sleeping
     * loop may accumulate before one of them wakes it anyway: bounds the queue a foreign thread can
     * grow while the loop sleeps, e.g. scheduling and cancelling far-off timers in a tight loop.
     */
    static final int LAZY_WAKE_LIMIT = 1024;
    /** Spin-wait hints between two looks at the task queue while spinning (a few hundred ns here). */
    private static final int SPIN_PAUSES = 16;
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();
    /** Poll timeout cap while shutting down, so the quiet period is re-checked. */
    private static final long SHUTDOWN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SLEEPING = l.findVarHandle(LoopEngine.class, "sleeping", int.class);
            SLEEP_DEADLINE = l.findVarHandle(LoopEngine.class, "sleepDeadline", long.class);
            LAZY_WHILE_ASLEEP = l.findVarHandle(LoopEngine.class, "lazyWhileAsleep", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final BackendProvider provider;
    private final LoopOptions options;
    private final Set<Capability> capabilities;
    private final Thread thread;
    private final TaskQueue tasks = new TaskQueue();
    private final TimerQueue timers = new TimerQueue();
    private final CallbackTracker callbacks = new CallbackTracker();
    private final BatchWait batchWait = new BatchWait();
    /** Whether the last {@link #runTasks()} stopped at a task in transit. Loop thread. */
    private boolean stoppedInTransit;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final String name;
    private final SpinBeforeSleep spin;
    private Poller poller;
    /**
     * The timer spin: {@link LoopOptions#timerSpinNanos()}, or if that is -1 the poller's
     * {@link Poller#spinBelowNanos()}, read once. Loop thread.
     */
    private long timerSpinNanos;
    private ByteBuffer readBuffer;
    private final BufferPool writeChunks = BufferPool.writeChunks();
    private final BufferPool readBuffers;

    @SuppressWarnings("unused") // SLEEPING: 1 while the loop may block in poll
    private volatile int sleeping;
    /**
     * SLEEP_DEADLINE: the earliest timer deadline when the loop published SLEEPING (it wakes by
     * then at the latest), {@code Long.MAX_VALUE} without timers. Written (opaque) before the
     * volatile store of SLEEPING and read after its volatile load, so a reader that sees
     * SLEEPING = 1 sees this sleep's deadline or a later one.
     */
    @SuppressWarnings("unused")
    private long sleepDeadline = Long.MAX_VALUE;
    @SuppressWarnings("unused") // LAZY_WHILE_ASLEEP: lazy messages queued since the loop last slept
    private volatile int lazyWhileAsleep;

    private volatile boolean shuttingDown;
    private volatile long quietNanos;
    private volatile long shutdownDeadline;
    private volatile long lastActivityNanos;

    private LoopEngine(BackendProvider provider, LoopOptions options) {
        this.provider = provider;
        this.options = options;
        this.capabilities = Set.copyOf(provider.capabilities());
        this.name = options.threadName() + "-" + THREAD_IDS.incrementAndGet();
        this.spin = options.spinBeforeSleepAdaptive()
                ? SpinBeforeSleep.adaptive(options.spinBeforeSleepNanos())
                : SpinBeforeSleep.fixed(options.spinBeforeSleepNanos());
        this.readBuffers = BufferPool.readBuffers(options.readBufferBytes());
        this.thread = new Thread(this::threadMain, name);
    }

    /**
     * Starts a loop on {@code provider} and waits until its poller is ready.
     *
     * @throws IllegalStateException if the poller could not be made (with the cause)
     */
    public static LoopEngine start(BackendProvider provider, LoopOptions options) {
        LoopEngine loop = new LoopEngine(provider, options);
        loop.thread.start();
        try {
            loop.started.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            loop.close();
            throw new IllegalStateException("interrupted while starting " + loop.name, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("loop " + loop.name + " did not start within 30 s", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("backend " + provider.name() + " could not open a loop: "
                    + e.getCause().getMessage(), e.getCause());
        }
        return loop;
    }

    // ---------------------------------------------------------------- loop thread

    private void threadMain() {
        applyTimerSlack(); // first: threads the poller starts (iocp's) inherit it
        try {
            readBuffer = ByteBuffer.allocateDirect(options.readBufferBytes());
            poller = provider.newPoller(this);
            timerSpinNanos = options.timerSpinNanos() >= 0
                    ? options.timerSpinNanos() : Math.max(0, poller.spinBelowNanos());
        } catch (Throwable t) {
            tasks.close();
            started.completeExceptionally(t);
            terminated.complete(null);
            return;
        }
        if (options.stallThresholdNanos() > 0) {
            StallWatchdog.watch(this);
        }
        started.complete(null);
        try {
            runLoop();
        } finally {
            terminate();
        }
    }

    /** Sets the loop thread's timer slack ({@link LoopOptions#timerSlackNanos()}); reports a failure. */
    private void applyTimerSlack() {
        long slack = options.timerSlackNanos();
        if (slack > 0 && TimerSlack.supported()) {
            try {
                TimerSlack.set(slack);
            } catch (IOException | RuntimeException e) {
                reportException("timer slack of loop " + name + " (LoopOptions.timerSlack: it runs with the slack it "
                        + "inherited)", e);
            }
        }
    }

    /**
     * The iteration: (1) expired timers in deadline order, (2) the tasks queued before this step
     * began, (3) shutdown check, (4) poll for I/O until the next deadline (not at all when tasks are
     * pending; after a step that ran tasks, only once the queue stayed empty for the spin time,
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
    private void runLoop() {
        while (step()) {
            // one iteration per call
        }
    }

    /** One iteration of {@link #runLoop()}; returns false when shutdown has completed. */
    private boolean step() {
        boolean ranTimers = runTimers();
        int tasksRun = runTasks();
        boolean ranTasks = tasksRun > 0;
        if (shuttingDown && shutdownDue(ranTimers | ranTasks)) {
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
            if (timeout > 0 && timeout < timerSpinNanos) {
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
        if (published) {
            tasks.releaseConsumed(); // the last task run stays unreachable while the loop sleeps
            ScheduledTimer next = timers.peek();
            SLEEP_DEADLINE.setOpaque(this, next == null ? Long.MAX_VALUE : next.deadlineNanos);
            SLEEPING.setVolatile(this, 1);
            if (tasks.hasTasks()) {
                timeout = 0;
            } else if (shuttingDown && (timeout < 0 || timeout > SHUTDOWN_POLL_NANOS)) {
                // a shutdown that began after the check above found SLEEPING still 0 and sent
                // no wakeup: re-check it after publishing SLEEPING, as for tasks, or block forever
                timeout = SHUTDOWN_POLL_NANOS;
            }
        }
        callbacks.clear(); // idle while waiting: pollers enterCallback per event
        try {
            poller.poll(timeout);
        } catch (Throwable t) {
            reportException("poll of backend " + provider.name(), t);
        } finally {
            if (published) { // a busy loop never published SLEEPING: no store (a fence) to undo it
                SLEEPING.setVolatile(this, 0);
                if ((int) LAZY_WHILE_ASLEEP.getOpaque(this) != 0) {
                    LAZY_WHILE_ASLEEP.setOpaque(this, 0);
                }
            }
        }
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
     * The poll of a step whose next timer is due within the timer spin
     * ({@link LoopOptions#timerSpinNanos()}, by default the poller's
     * {@link Poller#spinBelowNanos()}): a non-blocking poll, a spin-wait hint if it found nothing,
     * and on to the next step. The loop does not publish that it sleeps (it does not):
     * a producer's {@code execute} meanwhile costs no wakeup. {@code dueInNanos}: how far the timer
     * is, for a poller whose poll may take longer ({@link Poller#pollSpinning(long)}).
     */
    private boolean spinTowardTimer(long dueInNanos) {
        callbacks.clear(); // idle while polling: pollers enterCallback per event
        int dispatched = 0;
        try {
            dispatched = poller.pollSpinning(dueInNanos);
        } catch (Throwable t) {
            reportException("poll of backend " + provider.name(), t);
        }
        if (dispatched == 0) {
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
        ScheduledTimer next = timers.peek();
        if (next != null) {
            // Read the clock again: the timers and tasks just run may have taken a while, and a
            // stale clock makes the poll overshoot the deadline (measured: timer firing 0.3x Netty).
            timeout = Math.max(0, next.deadlineNanos - System.nanoTime());
        }
        if (shuttingDown) {
            timeout = timeout < 0 ? SHUTDOWN_POLL_NANOS : Math.min(timeout, SHUTDOWN_POLL_NANOS);
        }
        return timeout;
    }

    private boolean runTimers() {
        ScheduledTimer t = timers.peek();
        if (t == null) {
            return false; // no clock read when no timer is pending
        }
        boolean ran = false;
        for (long now = System.nanoTime(); t != null && t.deadlineNanos - now <= 0; t = timers.peek()) {
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
        enterCallback(r);
        try {
            r.run();
        } catch (Throwable t) {
            reportException(kind + " " + Names.of(r), t);
        }
    }

    private boolean shutdownDue(boolean worked) {
        long now = System.nanoTime();
        if (worked) {
            lastActivityNanos = now;
        }
        return now - lastActivityNanos >= quietNanos || now - shutdownDeadline >= 0;
    }

    private void terminate() {
        tasks.close();
        runSealedTasks(); // tasks accepted before the seal run; later ones were rejected
        for (ScheduledTimer t : timers.drain()) {
            t.markCancelled();
        }
        try {
            poller.close();
        } catch (Throwable t) {
            reportException("close of backend " + provider.name(), t);
        }
        runTasks();
        tasks.releaseConsumed();
        StallWatchdog.unwatch(this);
        callbacks.clear();
        terminated.complete(null);
    }

    // ---------------------------------------------------------------- tasks and timers

    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        executeBy(task, Long.MIN_VALUE); // due now: wakes a sleeping loop
    }

    /**
     * Queues {@code task} to run on the loop by {@code runBy} (a {@link System#nanoTime()}
     * deadline; {@code Long.MIN_VALUE}: now, as {@link #execute}; {@code Long.MAX_VALUE}: whenever
     * the loop next wakes). A sleeping loop is woken only if its sleep would last past
     * {@code runBy}, or once {@link #LAZY_WAKE_LIMIT} lazy tasks have piled up meanwhile; a loop
     * that is awake, or about to sleep, sees the task before it blocks.
     *
     * @throws LoopClosedException if the loop is closed
     */
    void executeBy(Runnable task, long runBy) {
        if (!tasks.offer(task)) {
            throw new LoopClosedException("loop " + name + " is closed; task " + Names.of(task) + " rejected");
        }
        if (thread == Thread.currentThread()) {
            batchWait.selfQueued(); // awake by definition; and not a producer the loop chases
            return;
        }
        if ((int) SLEEPING.getVolatile(this) == 1
                && (runBy < (long) SLEEP_DEADLINE.getOpaque(this)
                    || (int) LAZY_WHILE_ASLEEP.getAndAdd(this, 1) >= LAZY_WAKE_LIMIT)
                && SLEEPING.compareAndSet(this, 1, 0)) {
            wakeupPoller();
        }
    }

    @Override
    public boolean mayBlock() {
        return (int) SLEEPING.getVolatile(this) == 1;
    }

    /** How many times the loop spun before sleeping ({@link SpinBeforeSleep}). Loop thread. */
    long spinsBeforeSleep() {
        return spin.spins();
    }

    /** The loop's current spin before sleeping, in ns ({@link SpinBeforeSleep}). Loop thread. */
    long spinBeforeSleepNanos() {
        return spin.nanos();
    }

    /** How many times the loop waited for a batch ({@link BatchWait}). Loop thread. */
    long batchWaits() {
        return batchWait.waits();
    }

    TimerQueue timerQueue() {
        return timers;
    }

    /** The task queue, for tests that hold a slot in transit. */
    TaskQueue taskQueue() {
        return tasks;
    }

    private void wakeupPoller() {
        try {
            poller.wakeup();
        } catch (RuntimeException e) {
            throw new IllegalStateException("wakeup of loop " + name + " failed: the task is queued but "
                    + "the loop may not run it until its next I/O event or timer", e);
        }
    }

    @Override
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        CompletableFuture<T> f = new CompletableFuture<>();
        execute(new Submitted<>(task, f));
        return f;
    }

    /** A {@link #submit}ted callable; stall reports and exception contexts name the callable. */
    private static final class Submitted<T> implements Runnable, Names.Wrapper {
        private final Callable<T> task;
        private final CompletableFuture<T> result;

        Submitted(Callable<T> task, CompletableFuture<T> result) {
            this.task = task;
            this.result = result;
        }

        @Override
        public void run() {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }

        @Override
        public Object wrapped() {
            return task;
        }
    }

    @Override
    public TimerHandle schedule(Runnable task, long delay, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        long deadline = deadlineAfter(delay, unit);
        if (inLoop()) {
            return addTimer(task, deadline);
        }
        ScheduledTimer t = ScheduledTimer.inTransit(this, task, deadline);
        executeBy(t, deadline); // wakes the loop only if it would sleep past the deadline
        return t;
    }

    @Override
    public TimerHandle callLater(Runnable task, long delay, TimeUnit unit) {
        checkInLoop("EventLoop.callLater");
        Objects.requireNonNull(task, "task");
        return addTimer(task, deadlineAfter(delay, unit));
    }

    @Override
    public TimerHandle callAt(Runnable task, long deadlineNanos) {
        checkInLoop("EventLoop.callAt");
        Objects.requireNonNull(task, "task");
        return addTimer(task, deadlineNanos);
    }

    private ScheduledTimer addTimer(Runnable task, long deadline) {
        if (tasks.isClosed()) {
            throw new LoopClosedException("loop " + name + " is closed; timer " + Names.of(task) + " rejected");
        }
        ScheduledTimer t = new ScheduledTimer(this, task, deadline);
        timers.add(t);
        return t;
    }

    private static long deadlineAfter(long delay, TimeUnit unit) {
        if (delay < 0) {
            throw new IllegalArgumentException("delay must not be negative, got " + delay + " " + unit);
        }
        long nanos = unit.toNanos(delay);
        long now = System.nanoTime();
        return nanos > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos;
    }

    /**
     * Removes a cancelled timer from the heap: now on the loop thread, else by a lazy message (the
     * timer cannot start any more, so there is no hurry to wake the loop for it).
     */
    void removeTimer(ScheduledTimer t) {
        if (inLoop()) {
            timers.remove(t);
            return;
        }
        try {
            executeBy(t, Long.MAX_VALUE);
        } catch (LoopClosedException ignored) {
            // the heap is drained at termination
        }
    }

    @Override
    public long time() {
        return System.nanoTime();
    }

    // ---------------------------------------------------------------- I/O entry points

    @Override
    public CompletableFuture<Server> listen(SocketAddress local, ProtocolFactory factory, SocketOptions opts) {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(opts, "options");
        requireCapability(Capability.TCP);
        if (opts.reusePort()) {
            requireCapability(Capability.REUSE_PORT);
        }
        CompletableFuture<Server> f = new CompletableFuture<>();
        runIo(f, () -> poller.listen(local, factory, opts, f));
        return f;
    }

    @Override
    public CompletableFuture<Transport> connect(SocketAddress remote, Protocol protocol, SocketOptions opts) {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(opts, "options");
        requireCapability(Capability.TCP);
        CompletableFuture<Transport> f = new CompletableFuture<>();
        runIo(f, () -> poller.connect(remote, protocol, opts, f));
        return f;
    }

    /** Runs an I/O request on the loop thread (this is the documented thread-safe entry point). */
    private void runIo(CompletableFuture<?> f, Runnable request) {
        Runnable guarded = () -> {
            try {
                request.run();
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        };
        if (inLoop()) {
            guarded.run();
            return;
        }
        try {
            execute(guarded);
        } catch (LoopClosedException e) {
            f.completeExceptionally(e);
        }
    }

    @Override
    public Registration register(SelectableChannel channel, Interest interest, Trigger trigger,
                                 ReadinessHandler handler) {
        checkInLoop("EventLoop.register");
        requireCapability(Capability.READINESS);
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(interest, "interest");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(handler, "handler");
        if (channel.isBlocking()) {
            throw new IllegalArgumentException("channel must be in non-blocking mode: " + channel);
        }
        if (!channel.isOpen()) {
            throw new IllegalArgumentException("channel is closed: " + channel);
        }
        if (tasks.isClosed()) {
            throw new LoopClosedException("loop " + name + " is closed; register rejected");
        }
        return poller.register(channel, interest, trigger, handler);
    }

    private void requireCapability(Capability c) {
        if (!capabilities.contains(c)) {
            throw new MissingCapabilityException(provider.name(), c);
        }
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public CompletableFuture<Void> shutdownGracefully(Duration quietPeriod, Duration timeout) {
        if (quietPeriod.isNegative() || timeout.isNegative() || quietPeriod.compareTo(timeout) > 0) {
            throw new IllegalArgumentException("need 0 <= quietPeriod <= timeout, got quietPeriod="
                    + quietPeriod + " timeout=" + timeout);
        }
        synchronized (this) {
            if (!shuttingDown) {
                long now = System.nanoTime();
                quietNanos = quietPeriod.toNanos();
                shutdownDeadline = now + timeout.toNanos();
                lastActivityNanos = now;
                shuttingDown = true; // volatile write publishes the three fields above
                if (!inLoop() && SLEEPING.compareAndSet(this, 1, 0)) {
                    wakeupPoller();
                }
            }
        }
        return terminated;
    }

    @Override
    public CompletableFuture<Void> terminationFuture() {
        return terminated;
    }

    @Override
    public boolean isShuttingDown() {
        return shuttingDown;
    }

    @Override
    public boolean isTerminated() {
        return terminated.isDone();
    }

    @Override
    public void close() {
        shutdownGracefully(Duration.ZERO, Duration.ZERO);
        if (inLoop()) {
            return;
        }
        try {
            terminated.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while closing loop " + name, e);
        } catch (Exception e) {
            throw new IllegalStateException("loop " + name + " did not terminate within 30 s", e);
        }
    }

    // ---------------------------------------------------------------- LoopContext

    @Override
    public EventLoop loop() {
        return this;
    }

    @Override
    public LoopOptions options() {
        return options;
    }

    @Override
    public void reportException(String context, Throwable error) {
        try {
            options.exceptionHandler().onException(this, context, error);
        } catch (Throwable t) {
            System.err.println("roundhouse: the exception handler of " + name + " failed on " + context);
            t.printStackTrace();
        }
    }

    @Override
    public void checkInLoop(String method) {
        if (Thread.currentThread() != thread) {
            throw new LoopAffinityException(method, name, Thread.currentThread().getName());
        }
    }

    @Override
    public void enterCallback(Object callback) {
        callbacks.enter(callback);
    }

    @Override
    public ByteBuffer readBuffer() {
        return readBuffer;
    }

    @Override
    public BufferPool writeChunks() {
        return writeChunks;
    }

    @Override
    public BufferPool readBuffers() {
        return readBuffers;
    }

    // ---------------------------------------------------------------- stall detection

    long callbackSequence() {
        return callbacks.sequence();
    }

    Object currentCallback() {
        return callbacks.current();
    }

    long stallThresholdNanos() {
        return options.stallThresholdNanos();
    }

    void reportStall(Object callback, long blockedNanos) {
        try {
            options.stallHandler().onStall(this, Names.of(callback), blockedNanos);
        } catch (Throwable t) {
            System.err.println("roundhouse: the stall handler of " + name + " failed");
            t.printStackTrace();
        }
    }

    // ---------------------------------------------------------------- misc

    @Override
    public String backendName() {
        return provider.name();
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** The loop thread's name. */
    public String threadName() {
        return name;
    }

    @Override
    public String toString() {
        return name + "[" + provider.name() + "]";
    }
}
