package dev.roundhouse.loop.iocp;

import dev.roundhouse.loop.internal.Channels;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.ProtocolFactory;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.internal.LoopResources;
import dev.roundhouse.loop.internal.StreamServer;
import dev.roundhouse.loop.spi.LoopContext;
import java.io.IOException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;

/**
 * A listening socket of the completion backend: one accept outstanding at a time; each accepted
 * connection becomes an {@link IocpTransport}. While backing off after EMFILE no accept is posted
 * (re-posting at once would fail at once and spin); the shared {@link StreamServer} times it.
 */
final class IocpServer extends StreamServer {
    private final CompletionQueue completions;
    private final AsynchronousServerSocketChannel ch;
    private final Completion<AsynchronousSocketChannel> acceptDone;

    IocpServer(LoopContext ctx, CompletionQueue completions, AsynchronousServerSocketChannel ch,
               ProtocolFactory factory, SocketOptions options, LoopResources resources) throws IOException {
        super(ctx, ch.getLocalAddress(), factory, options, resources);
        this.completions = completions;
        this.ch = ch;
        this.acceptDone = new Completion<>(completions, factory, this::onAccepted);
        postAccept();
    }

    private void postAccept() {
        if (!isListening() || isBackingOff()) {
            return;
        }
        try {
            ch.accept(null, acceptDone);
        } catch (RuntimeException e) { // e.g. ShutdownChannelGroupException while the loop closes
            ctx.reportException("accept on " + localAddress(), e);
        }
    }

    private void onAccepted(AsynchronousSocketChannel accepted, Throwable error) {
        if (!isListening()) {
            Channels.closeQuietly(accepted); // completed as the server closed (or AsynchronousCloseException)
            return;
        }
        if (error != null) {
            if (error instanceof IOException && isDescriptorExhaustion((IOException) error)) {
                backOff((IOException) error);
            } else if (error instanceof ClosedChannelException) {
                return;
            } else {
                ctx.reportException("accept on " + localAddress(), error);
                postAccept();
            }
            return;
        }
        postAccept(); // keep the next accept in flight while this connection is set up
        accepted(accepted);
    }

    private void accepted(AsynchronousSocketChannel accepted) {
        try {
            IocpTransport.configure(accepted, options);
        } catch (IOException | RuntimeException e) {
            ctx.reportException("socket options on a connection accepted on " + localAddress(), e);
            Channels.closeQuietly(accepted);
            return;
        }
        Protocol protocol = newProtocol();
        if (protocol == null) {
            Channels.closeQuietly(accepted);
            return;
        }
        serve(new IocpTransport(ctx, completions, accepted, protocol, options, resources));
    }

    @Override
    protected void pauseAccepting() {
        // nothing is posted while backing off: the accept that failed was the only one
    }

    @Override
    protected void resumeAccepting() {
        postAccept();
    }

    @Override
    protected void closeListener() {
        Channels.closeQuietly(ch); // the pending accept completes with AsynchronousCloseException
    }
}
