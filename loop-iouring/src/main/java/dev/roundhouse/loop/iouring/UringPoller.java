package dev.roundhouse.loop.iouring;

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
import dev.roundhouse.loop.unix.LoopThreadExecutor;
import dev.roundhouse.loop.unix.UnixSockets;
import io.netty.channel.IoHandler;
import io.netty.channel.uring.IoUringIoHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SelectableChannel;
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

    private final LoopContext ctx;
    private final IoHandler ioHandler;
    private final UringWaitContext wait;
    private final LoopResources resources = new LoopResources();
    private final Set<UringFd> fds = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
    private final AddressCache addresses = new AddressCache();
    private final Closer closer = new Closer(this);
    private final IovSlots iovSlots = new IovSlots();
    private final UringReadiness readiness;
    private volatile boolean closed;

    /** Made on the loop thread (BackendProvider.newPoller), which becomes Netty's executor thread. */
    UringPoller(LoopContext ctx) {
        this.ctx = ctx;
        this.wait = new UringWaitContext(ctx);
        this.ioHandler = IoUringIoHandler.newFactory().newHandler(new LoopThreadExecutor(ctx.loop(), Thread.currentThread()));
        this.ioHandler.initialize();
        this.readiness = new UringReadiness(this);
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

    /** The loop's iovec arrays. Loop thread. */
    IovSlots iovSlots() {
        return iovSlots;
    }

    /** Closes descriptors through the ring. Loop thread. */
    Closer closer() {
        return closer;
    }

    /** The addresses of the direct buffers this loop writes from. Loop thread. */
    AddressCache addresses() {
        return addresses;
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
        int n = ioHandler.run(wait);
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
            ioHandler.wakeup(); // writes the ring's eventfd, whose read is always in flight
        }
    }

    @Override
    public Registration register(SelectableChannel channel, Interest interest, Trigger trigger,
                                 ReadinessHandler handler) {
        return readiness.register(channel, interest, trigger, handler);
    }

    @Override
    public void listen(SocketAddress local, ProtocolFactory factory, SocketOptions options,
                       CompletableFuture<Server> result) {
        UringSocket socket = null;
        try {
            InetSocketAddress address = UnixSockets.inet(local);
            socket = UringSocket.newStream(UnixSockets.isIpv6(address));
            UnixSockets.bindAndListen(socket, address, options);
            UringServer server = new UringServer(this, socket, factory, options);
            socket = null;
            server.start();
            result.complete(server);
        } catch (IOException | RuntimeException e) {
            UnixSockets.closeQuietly(socket);
            result.completeExceptionally(e);
        }
    }

    @Override
    public void connect(SocketAddress remote, Protocol protocol, SocketOptions options,
                        CompletableFuture<Transport> result) {
        UringSocket socket;
        try {
            socket = UringSocket.newStream(UnixSockets.isIpv6(UnixSockets.inet(remote)));
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        new UringConnector(this, socket, remote, protocol, options, result).start();
    }

    @Override
    public void close() {
        closed = true;
        deferred.clear();
        addresses.clear();
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
}
