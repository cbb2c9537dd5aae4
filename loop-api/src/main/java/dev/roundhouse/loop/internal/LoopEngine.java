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
 * The iteration is written once, in {@link LoopRunner#run()}; {@code docs/loop.md} gives it as steps.
 */
public final class LoopEngine implements EventLoop, LoopContext {
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private final BackendProvider provider;
    private final LoopOptions options;
    private final Set<Capability> capabilities;
    private final Thread thread;
    private final TaskQueue tasks = new TaskQueue();
    private final TimerQueue timers = new TimerQueue();
    /** Timer arrivals and removals from other threads, applied when the loop needs them. */
    private final TimerInbox inbox = new TimerInbox();
    /** The inbox's request to drain, sent through the task queue once per {@link TimerInbox#DRAIN_EVERY} messages. */
    private final Runnable drainInbox = inbox::requestDrain;
    private final CallbackTracker callbacks = new CallbackTracker();
    private final BatchWait batchWait = new BatchWait();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final String name;
    private final SpinBeforeSleep spin;
    /** Set on the loop thread before {@link #start} returns (its future orders it for the caller). */
    private Poller poller;
    /** The iteration; set with {@link #poller}. Loop thread. */
    private LoopRunner runner;
    private ByteBuffer readBuffer;
    private final BufferPool writeChunks = BufferPool.writeChunks();
    private final BufferPool readBuffers;
    private final PublishedSleep sleep = new PublishedSleep();
    private final GracefulShutdown shutdown = new GracefulShutdown();

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
            runner = new LoopRunner(this, poller, tasks, timers, inbox, callbacks, batchWait, spin, sleep, shutdown);
        } catch (Throwable t) {
            tasks.close();
            inbox.close();
            started.completeExceptionally(t);
            terminated.complete(null);
            return;
        }
        if (options.stallThresholdNanos() > 0) {
            StallWatchdog.watch(this);
        }
        started.complete(null);
        try {
            runner.run();
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

    private void terminate() {
        try {
            runner.finish();
        } finally {
            StallWatchdog.unwatch(this);
            callbacks.clear();
            terminated.complete(null);
        }
    }

    // ---------------------------------------------------------------- tasks and timers

    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (!tasks.offer(task)) {
            throw new LoopClosedException("loop " + name + " is closed; task " + Names.of(task) + " rejected");
        }
        if (thread == Thread.currentThread()) {
            batchWait.selfQueued(); // awake by definition; and not a producer the loop chases
            return;
        }
        if (sleep.claimWakeup(Long.MIN_VALUE)) { // due now: wakes a sleeping loop
            wakeupPoller();
        }
    }

    @Override
    public boolean mayBlock() {
        return sleep.mayBlock();
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

    /** The inbox of timer messages from other threads, for tests. */
    TimerInbox timerInbox() {
        return inbox;
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
        execute(new SubmittedTask<>(task, f));
        return f;
    }

    @Override
    public TimerHandle schedule(Runnable task, long delay, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        long deadline = deadlineAfter(delay, unit);
        if (inLoop()) {
            return addTimer(task, deadline);
        }
        ScheduledTimer t = ScheduledTimer.inTransit(this, task, deadline, tasks.acceptedCount());
        long index = inbox.offerArrival(t);
        if (index < 0) {
            throw new LoopClosedException("loop " + name + " is closed; timer " + Names.of(task) + " rejected");
        }
        afterTimerMessage(index, deadline); // wakes the loop only if it would sleep past the deadline
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
        if (inbox.isClosed()) {
            throw new LoopClosedException("loop " + name + " is closed; timer " + Names.of(task) + " rejected");
        }
        ScheduledTimer t = new ScheduledTimer(this, task, deadline, tasks.acceptedCount());
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
     * Removes a cancelled timer from the heap: now on the loop thread, else by a message in the
     * inbox (the timer cannot start any more, so there is no hurry to wake the loop for it).
     */
    void removeTimer(ScheduledTimer t) {
        if (inLoop()) {
            timers.remove(t);
            return;
        }
        long index = inbox.offerRemoval(t);
        if (index >= 0) { // sealed: the heap is drained at termination
            afterTimerMessage(index, Long.MAX_VALUE);
        }
    }

    /**
     * After a timer message from another thread: every {@link TimerInbox#DRAIN_EVERY}th asks the
     * loop to drain the inbox (waking it if it sleeps only every {@link TimerInbox#WAKE_EVERY}th:
     * that bounds the inbox); any other wakes a sleeping loop only if it would sleep past
     * {@code runBy}.
     */
    private void afterTimerMessage(long index, long runBy) {
        if (TimerInbox.asksForDrain(index)) {
            if (!tasks.offer(drainInbox)) {
                return; // closed meanwhile: the inbox is drained at termination
            }
            if (TimerInbox.wakesForDrain(index)) {
                runBy = Long.MIN_VALUE;
            }
        }
        if (runBy != Long.MAX_VALUE && sleep.claimWakeup(runBy)) {
            wakeupPoller();
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
        if (shutdown.begin(quietPeriod, timeout) && !inLoop() && sleep.claimAnyWakeup()) {
            wakeupPoller();
        }
        return terminated;
    }

    @Override
    public CompletableFuture<Void> terminationFuture() {
        return terminated;
    }

    @Override
    public boolean isShuttingDown() {
        return shutdown.requested();
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

    /** Whether the loop dozes in a poll that may block ({@link CallbackTracker#doze}). Any thread. */
    boolean dozing() {
        return callbacks.dozing();
    }

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
