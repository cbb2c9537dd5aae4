package dev.roundhouse.loop.epoll;

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
import dev.roundhouse.loop.internal.ReadinessConnector;
import dev.roundhouse.loop.internal.ReadinessServer;
import dev.roundhouse.loop.spi.LoopContext;
import dev.roundhouse.loop.spi.Poller;
import dev.roundhouse.loop.unix.ChannelFds;
import dev.roundhouse.loop.unix.FdIndex;
import dev.roundhouse.loop.unix.LoopThreadExecutor;
import dev.roundhouse.loop.unix.UnixSockets;
import io.netty.channel.IoHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One loop's epoll instance: a Netty {@link EpollIoHandler} driven by our loop thread through
 * {@code IoHandler.run(IoHandlerContext)}, with our own handles on it. Loop thread only, but for
 * {@link #wakeup()}.
 *
 * <p>Each {@link #poll} is one batch: {@code epoll_wait} then dispatch of its events, numbered so
 * that handles can drop entries that predate a change made during the batch (see
 * {@link EpollHandle}). Handles are also indexed by fd number: a new handle on a number still held
 * by a handle whose descriptor was closed evicts the stale one first, so a reused fd never reaches
 * the old handler (and Netty never sees two live registrations for one fd).
 */
final class EpollPoller implements Poller {
    /** Direct staging for writes of heap data: as large as the loop's read buffer (64 KiB by default). */
    private static final int MIN_STAGING_BYTES = 16 * 1024;

    private final LoopContext ctx;
    private final IoHandler ioHandler;
    private final EpollWaitContext wait;
    private final LoopResources resources = new LoopResources();
    private final Map<SelectableChannel, EpollRegistration> registrations = new IdentityHashMap<>();
    private final ByteBuffer staging;
    private final FdIndex<EpollHandle> byFd = new FdIndex<>();
    private long batch;
    private volatile boolean closed;

    /** Made on the loop thread (BackendProvider.newPoller), which becomes Netty's executor thread. */
    EpollPoller(LoopContext ctx) {
        this.ctx = ctx;
        this.wait = new EpollWaitContext(ctx);
        this.staging = ByteBuffer.allocateDirect(Math.max(MIN_STAGING_BYTES, ctx.options().readBufferBytes()));
        this.ioHandler = EpollIoHandler.newFactory().newHandler(new LoopThreadExecutor(ctx.loop(), Thread.currentThread()));
        this.ioHandler.initialize();
    }

    LoopContext context() {
        return ctx;
    }

    IoHandler ioHandler() {
        return ioHandler;
    }

    /** The number of the batch being dispatched (or last dispatched). */
    long batch() {
        return batch;
    }

    /** The direct buffer for copying heap data to and from syscalls; valid until the next use. */
    ByteBuffer staging() {
        return staging.clear();
    }

    @Override
    public int poll(long timeoutNanos) {
        batch++;
        wait.prepare(timeoutNanos);
        return ioHandler.run(wait);
    }

    @Override
    public void wakeup() {
        if (!closed) {
            ioHandler.wakeup(); // writes the eventfd only if the loop is (about to be) in epoll_wait
        }
    }

    // ------------------------------------------------------------------ fd index

    /** Records {@code h} as the holder of its fd number, evicting a stale holder. */
    void claim(EpollHandle h) {
        EpollHandle old = byFd.claim(h.fdValue(), h);
        if (old != null) {
            old.evict(); // its descriptor was closed (the kernel hands out open numbers once)
        }
    }

    /** Forgets {@code h} as the holder of its fd number. */
    void release(EpollHandle h) {
        byFd.release(h.fdValue(), h);
    }

    void forget(EpollRegistration r) {
        release(r.handle());
        registrations.remove(r.channelUnchecked(), r);
    }

    // ------------------------------------------------------------------ Poller

    @Override
    public Registration register(SelectableChannel channel, Interest interest, Trigger trigger,
                                 ReadinessHandler handler) {
        EpollRegistration old = registrations.get(channel);
        if (old != null && !old.isCancelled()) {
            throw new IllegalArgumentException("channel is already registered on this loop: " + channel);
        }
        int fd = ChannelFds.of(channel);
        EpollRegistration r = new EpollRegistration(this, channel, fd, interest, trigger, handler);
        claim(r.handle());
        registrations.put(channel, r);
        try {
            r.start();
        } catch (RuntimeException e) {
            r.cancel(); // epoll_ctl refused (e.g. ENOSPC from max_user_watches): leave nothing behind
            throw e;
        }
        return r;
    }

    @Override
    public void listen(SocketAddress local, ProtocolFactory factory, SocketOptions options,
                       CompletableFuture<Server> result) {
        Socket socket = null;
        try {
            InetSocketAddress address = UnixSockets.inet(local);
            socket = LinuxSocket.newSocketStream(UnixSockets.isIpv6(address));
            UnixSockets.bindAndListen(socket, address, options);
            EpollListenerIo io = new EpollListenerIo(this, socket);
            socket = null;
            result.complete(new ReadinessServer(ctx, io, factory, options, resources));
        } catch (IOException | RuntimeException e) {
            UnixSockets.closeQuietly(socket);
            result.completeExceptionally(e);
        }
    }

    @Override
    public void connect(SocketAddress remote, Protocol protocol, SocketOptions options,
                        CompletableFuture<Transport> result) {
        EpollSocketIo io;
        try {
            io = new EpollSocketIo(this, LinuxSocket.newSocketStream(UnixSockets.isIpv6(UnixSockets.inet(remote))));
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        ReadinessConnector.connect(ctx, io, remote, protocol, options, resources, result);
    }

    @Override
    public void close() {
        closed = true;
        resources.closeAll(ctx.loop().toString(), ctx::reportException);
        for (EpollRegistration r : new ArrayList<>(registrations.values())) {
            r.cancel();
        }
        try {
            ioHandler.prepareToDestroy();
        } finally {
            ioHandler.destroy(); // closes the epoll, event and timer descriptors
        }
    }
}
