package dev.roundhouse.loop.iocp;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopClosedException;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.ProtocolFactory;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.internal.LoopResource;
import dev.roundhouse.loop.internal.LoopResources;
import dev.roundhouse.loop.internal.Names;
import dev.roundhouse.loop.spi.LoopContext;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A listening socket of the completion backend: one accept outstanding at a time; each accepted
 * connection becomes an {@link IocpTransport}.
 *
 * <p>EMFILE/ENFILE: re-posting the accept at once would fail again at once and spin (libuv, Node
 * and Bun did). We post the next accept only after {@link SocketOptions#acceptBackoffNanos()}
 * (a loop timer), and log once per episode of exhaustion, not once per retry.
 */
final class IocpServer implements Server, LoopResource {
    private static final System.Logger LOG = System.getLogger("dev.roundhouse.loop");

    private final LoopContext ctx;
    private final CompletionQueue completions;
    private final AsynchronousServerSocketChannel ch;
    private final ProtocolFactory factory;
    private final SocketOptions options;
    private final LoopResources resources;
    private final SocketAddress local;
    private final Completion<AsynchronousSocketChannel> acceptDone;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile boolean listening = true;
    private boolean backingOff;
    private boolean exhausted;
    private int connections;

    IocpServer(LoopContext ctx, CompletionQueue completions, AsynchronousServerSocketChannel ch,
               ProtocolFactory factory, SocketOptions options, LoopResources resources) throws IOException {
        this.ctx = ctx;
        this.completions = completions;
        this.ch = ch;
        this.factory = factory;
        this.options = options;
        this.resources = resources;
        this.local = ch.getLocalAddress();
        this.acceptDone = new Completion<>(completions, factory, this::onAccepted);
        resources.add(this);
        postAccept();
    }

    private void postAccept() {
        if (!listening || backingOff) {
            return;
        }
        try {
            ch.accept(null, acceptDone);
        } catch (RuntimeException e) { // e.g. ShutdownChannelGroupException while the loop closes
            ctx.reportException("accept on " + local, e);
        }
    }

    private void onAccepted(AsynchronousSocketChannel accepted, Throwable error) {
        if (!listening) {
            IocpPoller.closeQuietly(accepted); // completed as the server closed (or AsynchronousCloseException)
            return;
        }
        if (error != null) {
            if (error instanceof IOException && isDescriptorExhaustion((IOException) error)) {
                backOff((IOException) error);
            } else if (error instanceof ClosedChannelException) {
                return;
            } else {
                ctx.reportException("accept on " + local, error);
                postAccept();
            }
            return;
        }
        exhausted = false;
        postAccept(); // keep the next accept in flight while this connection is set up
        serve(accepted);
    }

    private void serve(AsynchronousSocketChannel accepted) {
        Protocol protocol;
        try {
            IocpTransport.configure(accepted, options);
            protocol = factory.newProtocol();
            if (protocol == null) {
                throw new NullPointerException("ProtocolFactory " + Names.of(factory) + " returned null");
            }
        } catch (Throwable t) {
            ctx.reportException("newProtocol of " + Names.of(factory), t);
            IocpPoller.closeQuietly(accepted);
            return;
        }
        IocpTransport transport = new IocpTransport(ctx, completions, accepted, protocol, options, resources);
        connections++;
        transport.onLost(() -> connections--);
        transport.start();
    }

    private void backOff(IOException e) {
        backingOff = true;
        // the retry is armed before logging: a log handler may itself need a descriptor and fail
        ctx.loop().callLater(() -> {
            backingOff = false;
            postAccept();
        }, options.acceptBackoffNanos(), TimeUnit.NANOSECONDS);
        if (!exhausted) {
            exhausted = true;
            try {
                LOG.log(System.Logger.Level.WARNING, "out of file descriptors accepting on " + local
                        + " (" + e.getMessage() + "); pausing accept for "
                        + TimeUnit.NANOSECONDS.toMillis(options.acceptBackoffNanos()) + " ms at a time");
            } catch (Throwable logFailed) {
                // java.util.logging's first record opens tzdb.dat and throws java.lang.Error under
                // EMFILE (seen in the TCK's exhaustion child): the backoff matters, not the line
            }
        }
    }

    /**
     * EMFILE ("Too many open files"), ENFILE ("Too many open files in system"), or Windows' WSAEMFILE
     * ("Too many open sockets.", its FormatMessage text).
     */
    static boolean isDescriptorExhaustion(IOException e) {
        String m = e.getMessage();
        return m != null && (m.contains("Too many open files") || m.contains("Too many open sockets")
                || m.contains("EMFILE") || m.contains("ENFILE"));
    }

    /** Whether accepting is paused after descriptor exhaustion. Loop thread only. */
    boolean isBackingOff() {
        return backingOff;
    }

    private void closeNow() {
        if (listening) {
            listening = false;
            IocpPoller.closeQuietly(ch); // the pending accept completes with AsynchronousCloseException
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
        return "IocpServer[" + local + "]";
    }
}
