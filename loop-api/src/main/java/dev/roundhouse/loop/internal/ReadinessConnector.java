package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.Transport;
import dev.roundhouse.loop.spi.LoopContext;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;

/** One outgoing connect of a readiness backend: WRITE readiness ends it. Loop thread only. */
public final class ReadinessConnector extends StreamConnector implements IoReadyListener {
    private final SocketIo io;

    private ReadinessConnector(LoopContext ctx, SocketIo io, SocketAddress remote, Protocol protocol,
                               SocketOptions options, LoopResources resources, CompletableFuture<Transport> result) {
        super(ctx, remote, protocol, options, resources, result);
        this.io = io;
    }

    /** Starts connecting {@code io} (a fresh, unconnected socket) to {@code remote}. */
    public static void connect(LoopContext ctx, SocketIo io, SocketAddress remote, Protocol protocol,
                               SocketOptions options, LoopResources resources, CompletableFuture<Transport> result) {
        ReadinessConnector c = new ReadinessConnector(ctx, io, remote, protocol, options, resources, result);
        try {
            io.configure(options);
            if (io.connect(remote)) {
                c.connected();
                return;
            }
        } catch (IOException | RuntimeException e) { // RuntimeException: e.g. UnresolvedAddressException
            c.failed(e);
            return;
        }
        c.pending();
        io.bind(c);
        io.setInterest(Interest.WRITE);
    }

    @Override
    public void onReady(Interest ready) {
        if (isDone()) {
            return;
        }
        try {
            if (!io.finishConnect()) {
                return;
            }
        } catch (IOException e) {
            failed(e);
            return;
        }
        io.setInterest(Interest.NONE);
        connected();
    }

    private void connected() {
        established(new ReadinessTransport(ctx, io, protocol, options, resources));
    }

    @Override
    protected void closeSocket() {
        io.close(false);
    }
}
