package dev.roundhouse.loop.iocp;

import dev.roundhouse.loop.internal.Channels;
import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.MissingCapabilityException;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.ProtocolFactory;
import dev.roundhouse.loop.ReadinessHandler;
import dev.roundhouse.loop.Registration;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.Transport;
import dev.roundhouse.loop.Trigger;
import dev.roundhouse.loop.internal.LoopResources;
import dev.roundhouse.loop.internal.Names;
import dev.roundhouse.loop.spi.LoopContext;
import dev.roundhouse.loop.spi.Poller;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.SelectableChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One loop's completion port. The loop owns an {@link AsynchronousChannelGroup}; every socket of
 * the loop is opened in it. Each operation's handler posts its completion to the
 * {@link CompletionQueue}; {@link #poll} dispatches the completions on the loop thread, in
 * completion order: the loop thread plays the thread that dequeues the completion port, so every
 * protocol callback stays on it.
 *
 * <p><b>Who completes an operation.</b> The group runs on an {@link InlineExecutor}, so it is not a
 * fixed thread pool. On Linux and macOS the loop thread then attempts a read or write itself when it
 * starts it (accepts and connects are attempted at once with any pool), and if the operation
 * finishes at once its handler posts from the loop thread, inside the call: no thread hop and no
 * wakeup. An operation that must wait (no data yet, a full send buffer) is finished by whoever
 * waits on the JDK's port:
 * <ul>
 *   <li><b>Linux: the loop thread</b> ({@link DirectPort}). {@link #poll} runs the JDK's event loop of
 *       the group on the loop thread, which returns at a completion, a wake-up or the timeout; the
 *       JDK's own I/O thread is kept aside (it serves as the alarm for timeouts). While other
 *       threads' tasks keep the loop busy, that thread is released to wait in the port instead, as
 *       below, until the loop is idle or its traffic light again.</li>
 *   <li><b>Elsewhere (and on Linux with {@code -Droundhouse.iocp.completions=handoff}): the JDK's I/O
 *       thread</b>, which posts and unparks the loop thread, parked in {@link CompletionQueue#await}.
 *       On Windows the kernel completes every operation through the port, so every completion comes
 *       from that thread.</li>
 * </ul>
 *
 * <p><b>One pass.</b> {@link #poll} takes every queued completion at once and dispatches them in
 * completion order; what they deferred to the end of the pass ({@link CompletionQueue#afterPass}:
 * the connections' next reads) runs after the last of them.
 *
 * <p><b>Thread:</b> loop thread only, but for {@link #wakeup()}.
 */
final class IocpPoller implements Poller {
    /** How long closing the loop waits for the group's threads to exit. */
    private static final long GROUP_EXIT_WAIT_MS = 10_000;
    /** How long the loop parks at most once its direct port failed (it no longer wakes it). */
    private static final long FAILED_PORT_PARK_NANOS = 10_000_000;
    /**
     * {@link #spinBelowNanos()}: the engine spins toward a deadline closer than this instead of
     * asking for a timed wait, so a timer fires within microseconds of its deadline at the price
     * of up to this much spinning per timer (the trade of the nio backend and of Netty's nio).
     * Waiting, a timer fired ~90 &micro;s late on Linux (the alarm thread's park, then a wake byte)
     * and ~1 ms late where a park rounds up to a millisecond.
     */
    static final long SPIN_BELOW_NANOS = 500_000;

    private final LoopContext ctx;
    private final InlineExecutor executor;
    /** The loop thread's own wait in the JDK's event loop (Linux), or null: the hand-off design. */
    private final DirectPort port;
    private final AsynchronousChannelGroup group;
    private final CompletionQueue completions;
    private final LoopResources resources = new LoopResources();
    private final Consumer<Throwable> afterPassFailed;

    /** Called on the new loop's thread (the engine's contract), which owns the group's executor. */
    IocpPoller(LoopContext ctx) throws IOException {
        this.ctx = ctx;
        Thread loopThread = Thread.currentThread();
        this.completions = new CompletionQueue(loopThread);
        DirectPort direct = null;
        InlineExecutor ex = new InlineExecutor(loopThread);
        if (DirectPort.wanted()) {
            try {
                direct = DirectPort.open(ex, completions);
            } catch (IOException | UncheckedIOException e) {
                // e.g. no loopback for the wake channel: the hand-off design needs none
                ctx.reportException("the iocp loop's direct port (it uses the JDK's I/O thread instead)", e);
                ex = new InlineExecutor(loopThread); // the failed attempt shut the first one down
            }
        }
        this.executor = ex;
        this.port = direct;
        this.group = direct != null ? direct.group() : AsynchronousChannelGroup.withThreadPool(executor);
        this.afterPassFailed = t -> ctx.reportException(
                "an action deferred to the end of a pass over the completions (a read being posted)", t);
    }

    /** Completions the loop thread posted itself, inside the call that started the operation. Loop thread only. */
    long loopThreadPosts() {
        return completions.loopThreadPosts();
    }

    /** The loop's completion queue, for tests that post completions of their own. Loop thread only. */
    CompletionQueue completions() {
        return completions;
    }

    /** Completions posted inside the direct port's wait (0 in the hand-off design). Loop thread only. */
    long portPosts() {
        return port == null ? 0 : port.portPosts();
    }

    /** The direct port, or null in the hand-off design. For tests; loop thread only. */
    DirectPort port() {
        return port;
    }

    /** Whether the loop thread runs the group's event loop itself ({@link DirectPort}). Any thread. */
    boolean direct() {
        return port != null;
    }

    /**
     * The JDK I/O threads that have completed operations of this loop so far (in the direct design
     * the one captured at start, which completed the wake channel's first read). Any thread.
     */
    List<Thread> ioThreads() {
        return executor.foreignThreads();
    }

    @Override
    public int poll(long timeoutNanos) throws IOException {
        int n = dispatch(completions.takeAll());
        if (port != null && !port.failed()) {
            // in the port's wait the completions of operations that had to wait are posted
            return port.await(timeoutNanos, n > 0) ? n + dispatch(completions.takeAll()) : n;
        }
        if (n > 0 || timeoutNanos == 0) {
            return n;
        }
        // once the port failed, a wake-up that chose the port just before does not reach this park
        completions.await(port == null ? timeoutNanos : boundedNanos(timeoutNanos));
        return dispatch(completions.takeAll());
    }

    @Override
    public long spinBelowNanos() {
        return SPIN_BELOW_NANOS;
    }

    /**
     * Dispatches the completions queued so far; the direct design also looks at the port now and
     * then ({@link DirectPort#lookWhileSpinning}), a look that never counts toward releasing it,
     * and not when the timer is due too soon for one.
     */
    @Override
    public int pollSpinning(long dueInNanos) throws IOException {
        int n = dispatch(completions.takeAll());
        if (port != null && !port.failed() && port.lookWhileSpinning(dueInNanos)) {
            return n + dispatch(completions.takeAll());
        }
        return n;
    }

    private static long boundedNanos(long timeoutNanos) {
        return timeoutNanos < 0 ? FAILED_PORT_PARK_NANOS : Math.min(timeoutNanos, FAILED_PORT_PARK_NANOS);
    }

    private int dispatch(Completion<?> oldest) {
        int n = 0;
        for (Completion<?> c = oldest; c != null; ) {
            Completion<?> next = c.next; // read first: dispatch may post c again
            c.next = null;
            ctx.enterCallback(c.owner());
            try {
                c.dispatch();
            } catch (Throwable t) {
                ctx.reportException("completion of " + Names.of(c.owner()), t);
            }
            n++;
            c = next;
        }
        completions.runAfterPass(afterPassFailed); // the reads deferred by this pass (IocpTransport)
        return n;
    }

    @Override
    public void wakeup() {
        if (port != null && !port.failed()) {
            port.wakeup();
        } else {
            completions.wakeup(); // also once the port failed: the loop then parks in the queue
        }
    }

    /** Never called: the engine rejects {@code register} for backends without READINESS. */
    @Override
    public Registration register(SelectableChannel channel, Interest interest, Trigger trigger,
                                 ReadinessHandler handler) {
        throw new MissingCapabilityException("iocp", Capability.READINESS);
    }

    @Override
    public void listen(SocketAddress local, ProtocolFactory factory, SocketOptions options,
                       CompletableFuture<Server> result) {
        AsynchronousServerSocketChannel ch = null;
        try {
            if (options.ipv6Only()) {
                throw new UnsupportedOperationException("the iocp backend cannot set IPV6_V6ONLY "
                        + "(AsynchronousServerSocketChannel has no such option); listen without ipv6Only");
            }
            ch = AsynchronousServerSocketChannel.open(group);
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, options.reuseAddress());
            if (options.reusePort()) {
                ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            if (options.receiveBufferBytes() > 0) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, options.receiveBufferBytes());
            }
            ch.bind(local, options.backlog());
            result.complete(new IocpServer(ctx, completions, ch, factory, options, resources));
        } catch (IOException | RuntimeException e) {
            Channels.closeQuietly(ch);
            result.completeExceptionally(e);
        }
    }

    @Override
    public void connect(SocketAddress remote, Protocol protocol, SocketOptions options,
                        CompletableFuture<Transport> result) {
        AsynchronousSocketChannel ch = null;
        try {
            ch = AsynchronousSocketChannel.open(group);
            Channels.setConnectionOptions(ch, options);
        } catch (IOException | RuntimeException e) {
            Channels.closeQuietly(ch);
            result.completeExceptionally(e);
            return;
        }
        new IocpConnector(ctx, completions, ch, remote, protocol, options, resources, result).start();
    }

    /**
     * Aborts every connection ({@code connectionLost(LoopClosedException)}), closes servers and
     * pending connects, then shuts the group down and waits (bounded) for the JDK's I/O thread to
     * exit (see {@link InlineExecutor} for the one case it cannot wait for). Completions that arrive
     * meanwhile (operations ending with {@code AsynchronousCloseException}, most of them posted on
     * this thread inside {@code close}) are dropped: their owners are already lost.
     */
    @Override
    public void close() {
        resources.closeAll(ctx.loop().toString(), ctx::reportException);
        try {
            if (port != null) {
                port.shutdown(); // the loop thread's handler task must see the shutdown too
            } else {
                group.shutdownNow();
            }
            if (!group.awaitTermination(GROUP_EXIT_WAIT_MS, TimeUnit.MILLISECONDS)) {
                ctx.reportException("close of the iocp group", new IllegalStateException(
                        "the group's I/O thread did not exit within " + GROUP_EXIT_WAIT_MS + " ms"));
            }
        } catch (IOException e) {
            ctx.reportException("shutdown of the iocp group", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        completions.takeAll();
    }

}
