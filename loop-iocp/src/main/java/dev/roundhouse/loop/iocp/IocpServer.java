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
import java.nio.channels.CompletionHandler;

/**
 * A listening socket of the completion backend: one accept outstanding at a time; each accepted
 * connection becomes an {@link IocpTransport}. While backing off after EMFILE no accept is posted
 * (re-posting at once would fail at once and spin); the shared {@link StreamServer} times it.
 *
 * <p><b>Connections already waiting are taken together.</b> When an accept completion is dispatched,
 * the next accept is started at once; where the JDK finishes it inside the call (Linux and macOS,
 * when a connection is queued: {@link InlineExecutor}) that connection is set up in the same pass,
 * and so on, up to {@link #MAX_ACCEPTS_PER_PASS} (the readiness servers' limit per event). Their
 * first reads then complete in the same later pass, so their answers leave together, as a readiness
 * server's do. Taking one connection per pass spaced the answers out one pass apart. Only an accept
 * that has to wait (or the last of the pass) completes through the queue.
 */
final class IocpServer extends StreamServer {
    /** Connections one dispatched accept takes in a row, so a storm cannot starve established ones. */
    static final int MAX_ACCEPTS_PER_PASS = MAX_ACCEPTS_AT_ONCE;

    private final CompletionQueue completions;
    private final AsynchronousServerSocketChannel ch;
    private final Completion<AsynchronousSocketChannel> acceptDone;
    private final InlineAccept inlineAccept = new InlineAccept();

    IocpServer(LoopContext ctx, CompletionQueue completions, AsynchronousServerSocketChannel ch,
               ProtocolFactory factory, SocketOptions options, LoopResources resources) throws IOException {
        super(ctx, ch.getLocalAddress(), factory, options, resources);
        this.completions = completions;
        this.ch = ch;
        this.acceptDone = new Completion<>(completions, factory, this::onAccepted, true);
        postAccept();
    }

    private void postAccept() {
        startAccept(acceptDone);
    }

    /** Starts an accept with this handler unless closed or backing off; returns whether it started. */
    private boolean startAccept(CompletionHandler<AsynchronousSocketChannel, Void> handler) {
        if (!isListening() || isBackingOff()) {
            return false;
        }
        acceptDone.starting(); // the accept's outcome reaches acceptDone, or InlineAccept takes it
        try {
            ch.accept(null, handler);
            return true;
        } catch (RuntimeException e) { // e.g. ShutdownChannelGroupException while the loop closes
            acceptDone.notStarted();
            ctx.reportException("accept on " + localAddress(), e);
            return false;
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
        AsynchronousSocketChannel current = accepted;
        for (int taken = 1; current != null; taken++) {
            if (!isListening()) {
                Channels.closeQuietly(current); // a protocol closed the server while it was set up
                return;
            }
            AsynchronousSocketChannel next = null;
            if (taken < MAX_ACCEPTS_PER_PASS) {
                next = acceptInline(); // keeps the next accept in flight while this one is set up
            } else {
                postAccept();
            }
            accepted(current); // reports its own failures (options, factory, callbacks); never throws
            current = next;
        }
    }

    /**
     * Starts the next accept and returns the connection if the JDK finished it inside the call;
     * otherwise null, and the accept completes through the queue (as does a failure finished inside
     * the call, so that {@link #onAccepted} handles every failure). Loop thread, during a dispatch.
     */
    private AsynchronousSocketChannel acceptInline() {
        InlineAccept a = inlineAccept;
        a.inCall = true;
        try {
            if (!startAccept(a)) {
                return null;
            }
        } finally {
            a.inCall = false;
        }
        AsynchronousSocketChannel c = a.value;
        Throwable e = a.error;
        a.value = null;
        a.error = null;
        if (e != null) {
            acceptDone.failed(e, null);
        }
        return c; // null also when the accept has to wait
    }

    /**
     * The handler of the accepts {@link #acceptInline} starts: keeps an outcome the JDK delivers on
     * the loop thread inside that call; any other (the accept had to wait: the JDK's I/O thread, or
     * the loop thread in the port) goes to the queue like every completion.
     */
    private final class InlineAccept implements CompletionHandler<AsynchronousSocketChannel, Void> {
        /** Loop thread only; {@code value} or {@code error} is set when the JDK finished inside the call. */
        boolean inCall;
        AsynchronousSocketChannel value;
        Throwable error;

        @Override
        public void completed(AsynchronousSocketChannel result, Void attachment) {
            if (!keep(result, null)) {
                acceptDone.completed(result, null);
            }
        }

        @Override
        public void failed(Throwable exc, Void attachment) {
            if (!keep(null, exc)) {
                acceptDone.failed(exc, null);
            }
        }

        private boolean keep(AsynchronousSocketChannel result, Throwable exc) {
            if (!ctx.loop().inLoop() || !inCall) {
                return false;
            }
            acceptDone.taken();
            value = result;
            error = exc;
            return true;
        }
    }

    private void accepted(AsynchronousSocketChannel accepted) {
        try {
            Channels.setConnectionOptions(accepted, options);
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
