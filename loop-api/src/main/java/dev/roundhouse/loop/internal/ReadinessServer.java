package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.ProtocolFactory;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.spi.LoopContext;
import java.io.IOException;

/**
 * A listening socket of a readiness backend: accepts when READ-ready and makes a
 * {@link ReadinessTransport} per connection. While backing off after EMFILE the listener is
 * removed from the OS set, so a level-triggered poller cannot spin on it.
 */
public final class ReadinessServer extends StreamServer implements IoReadyListener {
    private final ListenerIo listener;

    public ReadinessServer(LoopContext ctx, ListenerIo listener, ProtocolFactory factory, SocketOptions options,
                           LoopResources resources) {
        super(ctx, listener.localAddress(), factory, options, resources);
        this.listener = listener;
        listener.bind(this);
        listener.setInterest(Interest.READ);
    }

    @Override
    public void onReady(Interest ready) {
        for (int i = 0; i < MAX_ACCEPTS_AT_ONCE && isListening() && !isBackingOff(); i++) {
            SocketIo io;
            try {
                io = listener.accept();
            } catch (IOException e) {
                acceptFailed(e);
                return;
            }
            if (io == null) {
                return;
            }
            accepted(io);
        }
    }

    private void accepted(SocketIo io) {
        try {
            if (!listener.acceptedSocketsInheritOptions()) {
                io.configure(options);
            }
        } catch (IOException | RuntimeException e) {
            ctx.reportException("socket options on a connection accepted on " + localAddress(), e);
            io.close(true);
            return;
        }
        Protocol protocol = newProtocol();
        if (protocol == null) {
            io.close(true);
            return;
        }
        serve(new ReadinessTransport(ctx, io, protocol, options, resources));
    }

    @Override
    protected void pauseAccepting() {
        listener.setInterest(Interest.NONE);
    }

    @Override
    protected void resumeAccepting() {
        listener.setInterest(Interest.READ);
    }

    @Override
    protected void closeListener() {
        listener.close();
    }
}
