package dev.roundhouse.loop.iouring;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.ProtocolFactory;
import dev.roundhouse.loop.ReadinessHandler;
import dev.roundhouse.loop.Registration;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.Transport;
import dev.roundhouse.loop.Trigger;
import dev.roundhouse.loop.internal.LoopResources;
import dev.roundhouse.loop.spi.LoopContext;
import dev.roundhouse.loop.spi.Poller;
import io.netty.channel.IoHandler;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.util.concurrent.ThreadAwareExecutor;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One loop's ring: a Netty {@link IoUringIoHandler} driven by our loop thread through
 * {@code IoHandler.run(IoHandlerContext)}, with our {@link UringFd}s registered on it. Entries queued
 * by callbacks and tasks go to the kernel with the next {@code run}, in the same
 * {@code io_uring_enter} as the wait. Loop thread only, but for {@link #wakeup()}.
 *
 * <p>Work that must not run inside the caller (a read held while reading was paused, delivered
 * on resume) is {@linkplain #defer deferred} to the end of the next poll, which then does not
 * block.
 */
final class UringPoller implements Poller {
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_V6ONLY = 26;

    private final LoopContext ctx;
    private final IoHandler ioHandler;
    private final UringWaitContext wait = new UringWaitContext();
    private final LoopResources resources = new LoopResources();
    private final Set<UringFd> fds = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
    private volatile boolean closed;

    /** Made on the loop thread (BackendProvider.newPoller), which becomes Netty's executor thread. */
    UringPoller(LoopContext ctx) {
        this.ctx = ctx;
        this.ioHandler = IoUringIoHandler.newFactory().newHandler(new LoopThreadExecutor(ctx.loop(), Thread.currentThread()));
        this.ioHandler.initialize();
    }

    LoopContext context() {
        return ctx;
    }

    IoHandler ioHandler() {
        return ioHandler;
    }

    LoopResources resources() {
        return resources;
    }

    void track(UringFd fd) {
        fds.add(fd);
    }

    void untrack(UringFd fd) {
        fds.remove(fd);
    }

    /** Runs {@code r} at the end of the next poll (which then does not block). Loop thread. */
    void defer(Runnable r) {
        deferred.add(r);
    }

    @Override
    public int poll(long timeoutNanos) {
        int pending = deferred.size();
        wait.prepare(pending > 0 ? 0 : timeoutNanos);
        int n;
        try {
            n = ioHandler.run(wait);
        } finally {
            wait.consumeWakeup();
        }
        for (int i = 0; i < pending; i++) { // not those deferred meanwhile: they wait for the next poll
            Runnable r = deferred.poll();
            try {
                r.run();
            } catch (Throwable t) {
                ctx.reportException("deferred io_uring work " + r, t);
            }
        }
        return n + pending;
    }

    @Override
    public void wakeup() {
        if (!closed) {
            wait.requestWakeup();
            ioHandler.wakeup(); // writes the ring's eventfd, whose read is always in flight
        }
    }

    @Override
    public Registration register(SelectableChannel channel, Interest interest, Trigger trigger,
                                 ReadinessHandler handler) {
        // the engine checks READINESS first; this is a backstop for a direct caller
        throw new UnsupportedOperationException("io_uring is a completion backend: it has no readiness registrations");
    }

    @Override
    public void listen(SocketAddress local, ProtocolFactory factory, SocketOptions options,
                       CompletableFuture<Server> result) {
        UringSocket socket = null;
        try {
            InetSocketAddress address = inet(local);
            boolean ipv6 = address.getAddress() instanceof Inet6Address;
            socket = UringSocket.newStream(ipv6);
            socket.setReuseAddress(options.reuseAddress());
            if (options.reusePort()) {
                socket.setReusePort(true);
            }
            if (ipv6) {
                socket.setIntOpt(IPPROTO_IPV6, IPV6_V6ONLY, options.ipv6Only() ? 1 : 0);
            }
            if (options.receiveBufferBytes() > 0) {
                socket.setReceiveBufferSize(options.receiveBufferBytes()); // before listen: inherited by accepted sockets
            }
            try {
                socket.bind(address);
            } catch (IOException e) {
                BindException b = new BindException(e.getMessage() + ": " + address);
                b.initCause(e);
                throw b;
            }
            socket.listen(options.backlog());
            UringServer server = new UringServer(this, socket, factory, options);
            socket = null;
            server.start();
            result.complete(server);
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            result.completeExceptionally(e);
        }
    }

    @Override
    public void connect(SocketAddress remote, Protocol protocol, SocketOptions options,
                        CompletableFuture<Transport> result) {
        UringSocket socket;
        try {
            InetSocketAddress address = inet(remote);
            socket = UringSocket.newStream(address.getAddress() instanceof Inet6Address);
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        new UringConnector(this, socket, remote, protocol, options, result).start();
    }

    private static InetSocketAddress inet(SocketAddress a) {
        if (!(a instanceof InetSocketAddress)) {
            throw new UnsupportedAddressTypeException();
        }
        InetSocketAddress inet = (InetSocketAddress) a;
        if (inet.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return inet;
    }

    @Override
    public void close() {
        closed = true;
        deferred.clear();
        resources.closeAll(ctx.loop().toString(), ctx::reportException); // cancels every operation in flight
        try {
            ioHandler.prepareToDestroy(); // waits for those cancellations: every descriptor is let go
        } finally {
            ioHandler.destroy(); // closes the ring and its eventfd
            for (UringFd fd : new ArrayList<>(fds)) {
                fd.closeAfterRing();
            }
        }
    }

    static void closeQuietly(UringSocket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // giving the descriptor back is all that is left
            }
        }
    }

    /** Netty's view of our loop: its one thread is ours, and work from elsewhere goes through our queue. */
    private static final class LoopThreadExecutor implements ThreadAwareExecutor {
        private final EventLoop loop;
        private final Thread thread;

        LoopThreadExecutor(EventLoop loop, Thread thread) {
            this.loop = loop;
            this.thread = thread;
        }

        @Override
        public boolean isExecutorThread(Thread t) {
            return t == thread;
        }

        @Override
        public void execute(Runnable task) {
            loop.execute(task);
        }
    }
}
