package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.LoopClosedException;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.ProtocolFactory;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.spi.LoopContext;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A listening socket of a readiness backend: accepts, makes a {@link ReadinessTransport} per
 * connection, and backs off when descriptors run out.
 *
 * <p>EMFILE/ENFILE: the pending connection stays in the kernel's backlog, so a level-triggered
 * listener would be reported again at once and spin (libuv, Node and Bun did). We remove the
 * listener from the OS set for {@link SocketOptions#acceptBackoffNanos()} and try again, logging
 * once per episode (Netty pauses 1 s, asyncio removes the reader for 1 s).
 */
public final class ReadinessServer implements Server, IoReadyListener, LoopResource {
    /** Accepts per readiness event, so a connection storm cannot starve established connections. */
    private static final int MAX_ACCEPTS_PER_EVENT = 64;
    private static final System.Logger LOG = System.getLogger("dev.roundhouse.loop");

    /** Opens a backend's connected socket for an accepted connection. */
    private final LoopContext ctx;
    private final ListenerIo listener;
    private final ProtocolFactory factory;
    private final SocketOptions options;
    private final LoopResources resources;
    private final SocketAddress local;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile boolean listening = true;
    private boolean backingOff;
    private int connections;

    public ReadinessServer(LoopContext ctx, ListenerIo listener, ProtocolFactory factory, SocketOptions options,
                           LoopResources resources) {
        this.ctx = ctx;
        this.listener = listener;
        this.factory = factory;
        this.options = options;
        this.resources = resources;
        this.local = listener.localAddress();
        resources.add(this);
        listener.bind(this);
        listener.setInterest(Interest.READ);
    }

    @Override
    public void onReady(Interest ready) {
        for (int i = 0; i < MAX_ACCEPTS_PER_EVENT && listening && !backingOff; i++) {
            SocketIo io;
            try {
                io = listener.accept();
            } catch (IOException e) {
                if (isDescriptorExhaustion(e)) {
                    backOff(e);
                } else {
                    ctx.reportException("accept on " + local, e);
                }
                return;
            }
            if (io == null) {
                return;
            }
            serve(io);
        }
    }

    private void serve(SocketIo io) {
        Protocol protocol;
        try {
            io.configure(options);
            protocol = factory.newProtocol();
            if (protocol == null) {
                throw new NullPointerException("ProtocolFactory " + Names.of(factory) + " returned null");
            }
        } catch (Throwable t) {
            ctx.reportException("newProtocol of " + Names.of(factory), t);
            io.close(true);
            return;
        }
        ReadinessTransport transport = new ReadinessTransport(ctx, io, protocol, options, resources);
        connections++;
        transport.onLost(() -> connections--);
        transport.start();
    }

    private void backOff(IOException e) {
        backingOff = true;
        listener.setInterest(Interest.NONE);
        // Resume is scheduled before logging: without descriptors the log itself can fail (the first
        // record opens tzdb.dat), and accepting must resume by itself anyway (conformance case).
        ctx.loop().callLater(() -> {
            backingOff = false;
            if (listening) {
                listener.setInterest(Interest.READ);
            }
        }, options.acceptBackoffNanos(), TimeUnit.NANOSECONDS);
        LOG.log(System.Logger.Level.WARNING, "out of file descriptors accepting on " + local
                + " (" + e.getMessage() + "); pausing accept for "
                + TimeUnit.NANOSECONDS.toMillis(options.acceptBackoffNanos()) + " ms");
    }

    /** EMFILE ("Too many open files") or ENFILE ("... in system"). */
    static boolean isDescriptorExhaustion(IOException e) {
        String m = e.getMessage();
        return m != null && (m.contains("Too many open files") || m.contains("EMFILE") || m.contains("ENFILE"));
    }

    /** Whether accepting is paused after descriptor exhaustion. Loop thread only. */
    public boolean isBackingOff() {
        return backingOff;
    }

    private void closeNow() {
        if (listening) {
            listening = false;
            listener.close();
            resources.remove(this);
        }
        closed.complete(null);
    }

    @Override
    public void closeForShutdown(LoopClosedException cause) {
        closeNow();
    }

    @Override
    public EventLoop loop() {
        return ctx.loop();
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public CompletableFuture<Void> close() {
        if (ctx.loop().inLoop()) {
            closeNow();
        } else if (!closed.isDone()) {
            try {
                ctx.loop().execute(this::closeNow);
            } catch (LoopClosedException e) {
                closed.complete(null); // the loop closed it at termination
            }
        }
        return closed;
    }

    @Override
    public boolean isListening() {
        return listening;
    }

    @Override
    public int connectionCount() {
        ctx.checkInLoop("Server.connectionCount");
        return connections;
    }

    @Override
    public String toString() {
        return "Server[" + local + "]";
    }
}
