package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.LoopClosedException;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.TimerHandle;
import dev.roundhouse.loop.Transport;
import dev.roundhouse.loop.spi.LoopContext;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** One outgoing connect of a readiness backend, with its timeout. Loop thread only. */
public final class ReadinessConnector implements IoReadyListener, LoopResource {
    private final LoopContext ctx;
    private final SocketIo io;
    private final SocketAddress remote;
    private final Protocol protocol;
    private final SocketOptions options;
    private final LoopResources resources;
    private final CompletableFuture<Transport> result;
    private TimerHandle timeout;
    private boolean done;

    private ReadinessConnector(LoopContext ctx, SocketIo io, SocketAddress remote, Protocol protocol,
                               SocketOptions options, LoopResources resources, CompletableFuture<Transport> result) {
        this.ctx = ctx;
        this.io = io;
        this.remote = remote;
        this.protocol = protocol;
        this.options = options;
        this.resources = resources;
        this.result = result;
    }

    /** Starts connecting {@code io} (a fresh, unconnected socket) to {@code remote}. */
    public static void connect(LoopContext ctx, SocketIo io, SocketAddress remote, Protocol protocol,
                               SocketOptions options, LoopResources resources, CompletableFuture<Transport> result) {
        ReadinessConnector c = new ReadinessConnector(ctx, io, remote, protocol, options, resources, result);
        try {
            io.configure(options);
            if (io.connect(remote)) {
                c.established();
                return;
            }
        } catch (IOException e) {
            c.failed(asConnectError(e, remote));
            return;
        }
        resources.add(c);
        io.bind(c);
        io.setInterest(Interest.WRITE);
        c.timeout = ctx.loop().callLater(() -> c.failed(new SocketTimeoutException("connect to " + remote
                + " timed out after " + TimeUnit.NANOSECONDS.toMillis(options.connectTimeoutNanos()) + " ms")),
                options.connectTimeoutNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void onReady(Interest ready) {
        if (done) {
            return;
        }
        try {
            if (!io.finishConnect()) {
                return;
            }
        } catch (IOException e) {
            failed(asConnectError(e, remote));
            return;
        }
        io.setInterest(Interest.NONE);
        established();
    }

    private void established() {
        done = true;
        resources.remove(this);
        if (timeout != null) {
            timeout.cancel();
        }
        ReadinessTransport t = new ReadinessTransport(ctx, io, protocol, options, resources);
        t.start();
        result.complete(t);
    }

    private void failed(Throwable cause) {
        if (done) {
            return;
        }
        done = true;
        resources.remove(this);
        if (timeout != null) {
            timeout.cancel();
        }
        io.close(false);
        result.completeExceptionally(cause);
    }

    @Override
    public void closeForShutdown(LoopClosedException cause) {
        failed(cause);
    }

    private static IOException asConnectError(IOException e, SocketAddress remote) {
        if (e instanceof ConnectException) {
            return e;
        }
        String m = String.valueOf(e.getMessage());
        if (m.contains("refused")) {
            ConnectException ce = new ConnectException("connection refused: " + remote);
            ce.initCause(e);
            return ce;
        }
        return e;
    }
}
