package dev.roundhouse.loop.iocp;

import dev.roundhouse.loop.LoopClosedException;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.TimerHandle;
import dev.roundhouse.loop.Transport;
import dev.roundhouse.loop.internal.LoopResource;
import dev.roundhouse.loop.internal.LoopResources;
import dev.roundhouse.loop.spi.LoopContext;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousSocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One outgoing connect of the completion backend, with its timeout: a loop timer that closes the
 * channel (the pending connect then completes with {@code AsynchronousCloseException}, ignored).
 * Loop thread only.
 */
final class IocpConnector implements LoopResource {
    private final LoopContext ctx;
    private final CompletionQueue completions;
    private final AsynchronousSocketChannel ch;
    private final SocketAddress remote;
    private final Protocol protocol;
    private final SocketOptions options;
    private final LoopResources resources;
    private final CompletableFuture<Transport> result;
    private TimerHandle timeout;
    private boolean done;

    IocpConnector(LoopContext ctx, CompletionQueue completions, AsynchronousSocketChannel ch, SocketAddress remote,
                  Protocol protocol, SocketOptions options, LoopResources resources,
                  CompletableFuture<Transport> result) {
        this.ctx = ctx;
        this.completions = completions;
        this.ch = ch;
        this.remote = remote;
        this.protocol = protocol;
        this.options = options;
        this.resources = resources;
        this.result = result;
    }

    /** Posts the connect and arms the timeout. */
    void start() {
        resources.add(this);
        timeout = ctx.loop().callLater(() -> failed(new SocketTimeoutException("connect to " + remote
                + " timed out after " + TimeUnit.NANOSECONDS.toMillis(options.connectTimeoutNanos()) + " ms")),
                options.connectTimeoutNanos(), TimeUnit.NANOSECONDS);
        try {
            ch.connect(remote, null, new Completion<Void>(completions, protocol, this::onConnected));
        } catch (RuntimeException e) { // e.g. UnresolvedAddressException, UnsupportedAddressTypeException
            failed(e);
        }
    }

    private void onConnected(Void ignored, Throwable error) {
        if (done) {
            return; // timed out or the loop closed: the channel is closed already
        }
        if (error != null) {
            failed(asConnectError(error));
            return;
        }
        done = true;
        resources.remove(this);
        timeout.cancel();
        IocpTransport t = new IocpTransport(ctx, completions, ch, protocol, options, resources);
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
        IocpPoller.closeQuietly(ch);
        result.completeExceptionally(cause);
    }

    @Override
    public void closeForShutdown(LoopClosedException cause) {
        failed(cause);
    }

    /** Refusals as {@link ConnectException} (Linux "Connection refused", Windows "... refused the network connection"). */
    private static Throwable asConnectError(Throwable e) {
        if (e instanceof ConnectException) {
            return e;
        }
        String m = String.valueOf(e.getMessage());
        if (m.contains("refused")) {
            ConnectException ce = new ConnectException("connection refused: " + m);
            ce.initCause(e);
            return ce;
        }
        return e;
    }
}
