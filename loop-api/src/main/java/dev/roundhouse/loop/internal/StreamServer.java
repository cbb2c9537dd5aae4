package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.EventLoop;
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
 * What every backend's listener shares: the {@link Server} methods, closing, the connection count,
 * making protocols, and the back-off when descriptors run out. A backend supplies how accepting is
 * paused, resumed and the listening socket closed.
 *
 * <p>EMFILE/ENFILE: the pending connection stays in the kernel's backlog, so accepting again at
 * once fails again at once and spins (libuv, Node and Bun did). Accepting pauses for
 * {@link SocketOptions#acceptBackoffNanos()} and then retries; the warning is logged once per
 * episode of exhaustion (Netty pauses 1 s, asyncio removes the reader for 1 s).
 *
 * <p>Loop thread only, except where {@link Server} says otherwise.
 */
public abstract class StreamServer implements Server, LoopResource {
    private static final System.Logger LOG = System.getLogger("dev.roundhouse.loop");

    /**
     * The most connections a server sets up in one go (per readiness event, per dispatched accept
     * completion), so that a connection storm cannot starve the connections already established.
     */
    protected static final int MAX_ACCEPTS_AT_ONCE = 64;

    protected final LoopContext ctx;
    protected final ProtocolFactory factory;
    protected final SocketOptions options;
    protected final LoopResources resources;
    private final SocketAddress local;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile boolean listening = true;
    private boolean backingOff;
    private boolean exhausted;
    private int connections;

    protected StreamServer(LoopContext ctx, SocketAddress local, ProtocolFactory factory, SocketOptions options,
                           LoopResources resources) {
        this.ctx = ctx;
        this.local = local;
        this.factory = factory;
        this.options = options;
        this.resources = resources;
        resources.add(this);
    }

    /** Stops asking the OS for connections (the back-off began). */
    protected abstract void pauseAccepting();

    /** Asks the OS for connections again (the back-off ended). */
    protected abstract void resumeAccepting();

    /** Closes the listening socket. Never throws. */
    protected abstract void closeListener();

    /** Makes the protocol for an accepted connection; on failure reports it and returns {@code null}. */
    protected final Protocol newProtocol() {
        try {
            Protocol p = factory.newProtocol();
            if (p == null) {
                throw new NullPointerException("ProtocolFactory " + Names.of(factory) + " returned null");
            }
            return p;
        } catch (Throwable t) {
            ctx.reportException("newProtocol of " + Names.of(factory), t);
            return null;
        }
    }

    /** Counts the connection until it is lost and delivers {@code connectionMade}. */
    protected final void serve(StreamTransport transport) {
        exhausted = false;
        connections++;
        transport.onLost(() -> connections--);
        transport.start();
    }

    /** Starts the back-off after descriptor exhaustion ({@link #isDescriptorExhaustion}). */
    protected final void backOff(IOException e) {
        backingOff = true;
        pauseAccepting();
        // Armed before logging: without descriptors the log itself can fail (java.util.logging's
        // first record opens tzdb.dat; seen in the TCK's exhaustion child), and resuming matters.
        ctx.loop().callLater(() -> {
            backingOff = false;
            if (listening) {
                resumeAccepting();
            }
        }, options.acceptBackoffNanos(), TimeUnit.NANOSECONDS);
        if (!exhausted) {
            exhausted = true;
            try {
                LOG.log(System.Logger.Level.WARNING, "out of file descriptors accepting on " + local
                        + " (" + e.getMessage() + "); pausing accept for "
                        + TimeUnit.NANOSECONDS.toMillis(options.acceptBackoffNanos()) + " ms at a time");
            } catch (Throwable logFailed) {
                // the back-off is what matters, not the line
            }
        }
    }

    /**
     * A synchronous accept failed: backs off after descriptor exhaustion ({@link #backOff}), else
     * reports the failure to the loop's exception handler. Loop thread only.
     */
    protected final void acceptFailed(IOException e) {
        if (isDescriptorExhaustion(e)) {
            backOff(e);
        } else {
            ctx.reportException("accept on " + local, e);
        }
    }

    /**
     * EMFILE ("Too many open files"), ENFILE ("... in system"), or Windows' WSAEMFILE ("Too many
     * open sockets.", its FormatMessage text).
     */
    public static boolean isDescriptorExhaustion(IOException e) {
        String m = e.getMessage();
        return m != null && (m.contains("Too many open files") || m.contains("Too many open sockets")
                || m.contains("EMFILE") || m.contains("ENFILE"));
    }

    /** Whether accepting is paused after descriptor exhaustion. Loop thread only. */
    public final boolean isBackingOff() {
        return backingOff;
    }

    private void closeNow() {
        if (listening) {
            listening = false;
            closeListener();
            resources.remove(this);
        }
        closed.complete(null);
    }

    @Override
    public final void closeForShutdown(LoopClosedException cause) {
        closeNow();
    }

    @Override
    public final EventLoop loop() {
        return ctx.loop();
    }

    @Override
    public final SocketAddress localAddress() {
        return local;
    }

    @Override
    public final CompletableFuture<Void> close() {
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
    public final boolean isListening() {
        return listening;
    }

    @Override
    public final int connectionCount() {
        ctx.checkInLoop("Server.connectionCount");
        return connections;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + local + "]";
    }
}
