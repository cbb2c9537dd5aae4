package dev.roundhouse.loop.iocp;

import dev.roundhouse.loop.internal.Channels;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.Transport;
import dev.roundhouse.loop.internal.LoopResources;
import dev.roundhouse.loop.internal.StreamConnector;
import dev.roundhouse.loop.spi.LoopContext;
import java.net.SocketAddress;
import java.nio.channels.AsynchronousSocketChannel;
import java.util.concurrent.CompletableFuture;

/**
 * One outgoing connect of the completion backend, with its timeout: a loop timer that closes the
 * channel (the pending connect then completes with {@code AsynchronousCloseException}, ignored).
 * Loop thread only.
 */
final class IocpConnector extends StreamConnector {
    private final CompletionQueue completions;
    private final AsynchronousSocketChannel ch;

    IocpConnector(LoopContext ctx, CompletionQueue completions, AsynchronousSocketChannel ch, SocketAddress remote,
                  Protocol protocol, SocketOptions options, LoopResources resources,
                  CompletableFuture<Transport> result) {
        super(ctx, remote, protocol, options, resources, result);
        this.completions = completions;
        this.ch = ch;
    }

    /** Posts the connect and arms the timeout. */
    void start() {
        pending();
        Completion<Void> done = new Completion<>(completions, protocol, this::onConnected);
        done.starting();
        try {
            ch.connect(remote, null, done);
        } catch (RuntimeException e) { // e.g. UnresolvedAddressException, UnsupportedAddressTypeException
            done.notStarted();
            failed(e);
        }
    }

    private void onConnected(Void ignored, Throwable error) {
        if (isDone()) {
            return; // timed out or the loop closed: the channel is closed already
        }
        if (error != null) {
            failed(error);
            return;
        }
        established(new IocpTransport(ctx, completions, ch, protocol, options, resources));
    }

    @Override
    protected void closeSocket() {
        Channels.closeQuietly(ch);
    }
}
