package dev.roundhouse.loop;

import java.net.SocketAddress;
import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One event loop: one thread that runs tasks, timers and I/O callbacks, one after another.
 * Open one with {@link Loops#open()}.
 *
 * <p><b>Threads.</b> Each method says whether it is <i>any thread</i> (thread-safe) or
 * <i>loop thread only</i>. A loop-thread-only method called elsewhere throws
 * {@link LoopAffinityException} naming both threads; nothing is marshalled silently. Crossing
 * threads is {@link #execute(Runnable)} (Twisted's {@code callFromThread}, asyncio's
 * {@code call_soon_threadsafe}).
 *
 * <p><b>Iteration.</b> The loop repeats: (1) run expired timers in deadline order; (2) run the
 * tasks queued so far (not those they queue); (3) poll for I/O until the next timer deadline, or
 * not at all when tasks are pending, and dispatch the events. See {@code docs/loop.md}.
 *
 * <p><b>Tasks before timers.</b> A timer never fires before a task whose {@link #execute} (or
 * {@link #submit}) returned before the timer was scheduled ({@link #schedule}, {@link #callLater},
 * {@link #callAt}), whichever threads made the two calls, as long as the first happened-before the
 * second: {@code execute(a); schedule(b, 1, MILLISECONDS)} runs {@code a} first even when the loop
 * comes to both after the millisecond has passed. Step (1) stops at such a timer, and the timers
 * due after it wait with it.
 *
 * <p><b>Lifecycle.</b> running → shutting down ({@link #shutdownGracefully}) → terminated.
 * Tasks accepted before shutdown completes run; tasks offered after it are rejected with
 * {@link LoopClosedException}, atomically: a racing {@code execute} is either run or rejected,
 * never lost. At termination timers that have not fired are cancelled, connections are aborted
 * ({@code connectionLost} with a {@link LoopClosedException}), servers and registrations are closed,
 * and the thread exits.
 */
public interface EventLoop extends Executor, AutoCloseable {

    /** The backend's name, e.g. {@code "nio"}. Any thread. */
    String backendName();

    /** The backend's capabilities. Any thread. */
    Set<Capability> capabilities();

    /** Whether the backend has {@code capability}. Any thread. */
    default boolean hasCapability(Capability capability) {
        return capabilities().contains(capability);
    }

    /** Whether the caller is this loop's thread. Any thread. */
    boolean inLoop();

    /**
     * Throws {@link LoopAffinityException} naming {@code method}, the loop thread and the caller
     * unless called on this loop's thread: libraries built on the loop (the WebSocket layer, say)
     * enforce the same rule with the same message. Any thread.
     *
     * @param method the loop-thread-only method being guarded, e.g. {@code "WebSocket.sendText"}
     */
    default void checkInLoop(String method) {
        if (!inLoop()) {
            throw new LoopAffinityException(method, toString(), Thread.currentThread().getName());
        }
    }

    /**
     * Runs {@code task} on the loop thread, after the tasks queued before it by the same thread
     * (FIFO per producer). Wakes the loop if it is blocked in poll; wakeups are coalesced.
     * An exception from the task goes to the {@link ExceptionHandler}. Any thread.
     *
     * @throws LoopClosedException if the loop has shut down
     * @throws NullPointerException if {@code task} is null
     */
    @Override
    void execute(Runnable task);

    /**
     * Runs {@code task} on the loop thread and completes the returned future with its result or
     * exception. Any thread.
     *
     * @throws LoopClosedException if the loop has shut down
     */
    <T> CompletableFuture<T> submit(Callable<T> task);

    /**
     * Runs {@code task} on the loop thread after {@code delay}. Timers fire in deadline order,
     * FIFO on equal deadlines, and after the tasks queued before the call (see <i>Tasks before
     * timers</i> above). Any thread; the handle can be cancelled from any thread.
     *
     * @throws LoopClosedException if the loop has shut down
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    TimerHandle schedule(Runnable task, long delay, TimeUnit unit);

    /**
     * Like {@link #schedule} but without a queue hop. Loop thread only.
     *
     * @throws LoopAffinityException off the loop thread
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    TimerHandle callLater(Runnable task, long delay, TimeUnit unit);

    /**
     * Runs {@code task} at {@code deadlineNanos} on the {@link #time()} clock (at once if it has
     * passed). Loop thread only.
     *
     * @throws LoopAffinityException off the loop thread
     */
    TimerHandle callAt(Runnable task, long deadlineNanos);

    /** The loop's monotonic clock in nanoseconds ({@link System#nanoTime()}). Any thread. */
    long time();

    /**
     * Listens for TCP connections on {@code local}, making one protocol per connection with
     * {@code factory}. IPv4 and IPv6 addresses work; port 0 picks a free port
     * ({@link Server#localAddress()} tells which). Any thread.
     *
     * @return completes with the server once bound, or exceptionally with the bind error (e.g.
     *     {@link java.net.BindException}) or {@link LoopClosedException}
     * @throws MissingCapabilityException if the backend lacks {@link Capability#TCP}, or
     *     {@code reusePort} is asked of a backend without {@link Capability#REUSE_PORT}
     */
    CompletableFuture<Server> listen(SocketAddress local, ProtocolFactory factory, SocketOptions options);

    /** {@link #listen(SocketAddress, ProtocolFactory, SocketOptions)} with {@link SocketOptions#DEFAULTS}. */
    default CompletableFuture<Server> listen(SocketAddress local, ProtocolFactory factory) {
        return listen(local, factory, SocketOptions.DEFAULTS);
    }

    /**
     * Connects to {@code remote}; on success calls {@code protocol.connectionMade} on the loop
     * thread and then completes the future with the transport. Any thread.
     *
     * @return completes exceptionally with {@link java.net.ConnectException} when refused,
     *     {@link java.net.SocketTimeoutException} after {@link SocketOptions#connectTimeoutNanos()},
     *     or {@link LoopClosedException}; the protocol then receives no callback at all
     * @throws MissingCapabilityException if the backend lacks {@link Capability#TCP}
     */
    CompletableFuture<Transport> connect(SocketAddress remote, Protocol protocol, SocketOptions options);

    /** {@link #connect(SocketAddress, Protocol, SocketOptions)} with {@link SocketOptions#DEFAULTS}. */
    default CompletableFuture<Transport> connect(SocketAddress remote, Protocol protocol) {
        return connect(remote, protocol, SocketOptions.DEFAULTS);
    }

    /**
     * Registers a non-blocking channel for readiness (see {@link Trigger} for the semantics of
     * each mode). Loop thread only.
     *
     * @throws MissingCapabilityException if the backend lacks {@link Capability#READINESS} (iocp, a
     *     completion backend; open the loop with
     *     {@code LoopOptions.builder().require(Capability.READINESS)} to get the best backend that has it)
     * @throws IllegalArgumentException if the channel is in blocking mode, closed, or already
     *     registered on this loop
     * @throws LoopAffinityException off the loop thread
     */
    Registration register(SelectableChannel channel, Interest interest, Trigger trigger, ReadinessHandler handler);

    /**
     * Starts a graceful shutdown: the loop keeps running tasks and I/O until no task has run for
     * {@code quietPeriod}, or {@code timeout} has passed, then terminates (see the class comment).
     * Idempotent (a later call cannot lengthen the first one's timeout). Any thread.
     *
     * @return {@link #terminationFuture()}
     * @throws IllegalArgumentException if a duration is negative or quietPeriod exceeds timeout
     */
    CompletableFuture<Void> shutdownGracefully(Duration quietPeriod, Duration timeout);

    /** Completes once the loop thread has exited and every resource is released. Any thread. */
    CompletableFuture<Void> terminationFuture();

    /** Whether shutdown has begun. Any thread. */
    boolean isShuttingDown();

    /** Whether the loop has terminated. Any thread. */
    boolean isTerminated();

    /**
     * Shuts down with no quiet period and, off the loop thread, waits for termination (at most
     * 30 s; then {@link IllegalStateException}). On the loop thread it starts the shutdown and
     * returns; the loop terminates after the current callback. Idempotent; any thread.
     */
    @Override
    void close();
}
