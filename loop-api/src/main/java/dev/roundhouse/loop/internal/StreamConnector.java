package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.LoopClosedException;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.TimerHandle;
import dev.roundhouse.loop.Transport;
import dev.roundhouse.loop.spi.LoopContext;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What every backend's outgoing connect shares: the timeout, tracking for loop termination, and
 * completing the future exactly once — with the started transport, or with the error (refusals as
 * {@link ConnectException}, time-outs as {@link SocketTimeoutException}) and no protocol callback.
 * Loop thread only.
 */
public abstract class StreamConnector implements LoopResource {
    protected final LoopContext ctx;
    protected final SocketAddress remote;
    protected final Protocol protocol;
    protected final SocketOptions options;
    protected final LoopResources resources;
    private final CompletableFuture<Transport> result;
    private TimerHandle timeout;
    private boolean done;

    protected StreamConnector(LoopContext ctx, SocketAddress remote, Protocol protocol, SocketOptions options,
                              LoopResources resources, CompletableFuture<Transport> result) {
        this.ctx = ctx;
        this.remote = remote;
        this.protocol = protocol;
        this.options = options;
        this.resources = resources;
        this.result = result;
    }

    /** Closes the socket of a connect that failed. Never throws. */
    protected abstract void closeSocket();

    /** The connect is pending: track it and start the timeout. */
    protected final void pending() {
        resources.add(this);
        timeout = ctx.loop().callLater(() -> failed(new SocketTimeoutException("connect to " + remote
                + " timed out after " + TimeUnit.NANOSECONDS.toMillis(options.connectTimeoutNanos()) + " ms")),
                options.connectTimeoutNanos(), TimeUnit.NANOSECONDS);
    }

    /** Whether the outcome is decided; later completions are ignored. */
    protected final boolean isDone() {
        return done;
    }

    /** Connected: starts {@code transport} ({@code connectionMade}) and completes the future with it. */
    protected final void established(StreamTransport transport) {
        if (finish()) {
            transport.start();
            result.complete(transport);
        }
    }

    /** Failed: closes the socket and completes the future exceptionally. */
    protected final void failed(Throwable cause) {
        if (finish()) {
            closeSocket();
            result.completeExceptionally(asConnectError(cause, remote));
        }
    }

    private boolean finish() {
        if (done) {
            return false;
        }
        done = true;
        resources.remove(this);
        if (timeout != null) {
            timeout.cancel();
        }
        return true;
    }

    @Override
    public final void closeForShutdown(LoopClosedException cause) {
        failed(cause);
    }

    /** Refusals as {@link ConnectException} (Linux "Connection refused", Windows "... refused ..."). */
    static Throwable asConnectError(Throwable e, SocketAddress remote) {
        if (e instanceof ConnectException || !String.valueOf(e.getMessage()).contains("refused")) {
            return e;
        }
        ConnectException ce = new ConnectException("connection refused: " + remote);
        ce.initCause(e);
        return ce;
    }
}
