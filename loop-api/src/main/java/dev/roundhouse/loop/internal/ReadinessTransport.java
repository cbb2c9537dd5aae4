package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.spi.LoopContext;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A TCP transport of a readiness backend, over that backend's {@link SocketIo}. The socket is
 * level-triggered: READ while reading is wanted, WRITE while bytes are queued.
 *
 * <p><b>Interest changes during a readiness callback</b> are applied once, when the callback
 * returns: the last one wins, and none is applied if the socket was closed meanwhile. Only the next
 * wait reads the OS interest, so nothing is lost by the delay, and the system calls are saved: on
 * epoll, an end of stream the protocol answers with a close used to take the socket out of the set
 * ({@code EPOLL_CTL_DEL}) just before closing it, which takes it out anyway; a write queued while a
 * flush disarms WRITE used to disarm and re-arm it. Changes made outside a callback (a task, a
 * timer, another transport's callback) apply at once.
 */
public final class ReadinessTransport extends StreamTransport implements IoReadyListener {
    /**
     * Reads per readiness event before yielding to other connections; 16 reads of 64 KiB is 1 MiB,
     * enough to drain a loopback socket buffer without starving the others (Netty uses 16 too).
     */
    private static final int MAX_READS_PER_EVENT = 16;

    private final SocketIo io;
    /** Asked of the socket on first use (a {@code getsockname} on epoll): most connections never ask. */
    private SocketAddress local;
    private final SocketAddress remote;
    private boolean reading;
    private boolean writeArmed;
    /** Inside {@link #onReady}: interest changes wait for it to return. */
    private boolean dispatching;
    /** An interest change is waiting for {@link #onReady} to return. */
    private boolean interestChanged;

    public ReadinessTransport(LoopContext ctx, SocketIo io, Protocol protocol, SocketOptions options,
                              LoopResources resources) {
        super(ctx, protocol, options, resources);
        this.io = io;
        this.remote = io.remoteAddress(); // an accepted socket's comes with the accept; a connected one's is asked once
        io.bind(this);
    }

    @Override
    public void onReady(Interest ready) {
        dispatching = true;
        try {
            if (ready.isWritable() && writeArmed) {
                flushQueue();
            }
            if (ready.isReadable() && reading && !isLost()) {
                readSome();
            }
        } finally {
            dispatching = false;
            if (interestChanged) {
                interestChanged = false;
                updateInterest(); // nothing if the socket was closed meanwhile
            }
        }
    }

    private void readSome() {
        ByteBuffer buf = ctx.readBuffer();
        for (int i = 0; i < MAX_READS_PER_EVENT && reading && !isLost(); i++) {
            buf.clear();
            int n;
            try {
                n = io.read(buf);
            } catch (IOException e) {
                fail(e);
                return;
            }
            if (n > 0) {
                buf.flip();
                fireData(buf);
                if (n < buf.capacity()) {
                    return; // a short read: most likely drained; level triggering calls again if not
                }
            } else if (n < 0) {
                fireEof();
                return;
            } else {
                return;
            }
        }
    }

    private void flushQueue() {
        try {
            queue.writeTo(io);
        } catch (IOException e) {
            fail(e);
            return;
        }
        if (queue.isEmpty()) {
            writeArmed = false;
            updateInterest();
        }
        afterFlush();
    }

    @Override
    protected void writeNow(ByteBuffer data) throws IOException {
        io.write(data);
    }

    @Override
    protected void startFlush() {
        writeArmed = true;
        updateInterest();
    }

    @Override
    protected boolean flushPending() {
        return writeArmed;
    }

    @Override
    protected void setReading(boolean on) {
        if (reading != on) {
            reading = on;
            updateInterest();
        }
    }

    private void updateInterest() {
        if (dispatching) {
            interestChanged = true;
        } else if (!isLost()) {
            io.setInterest(Interest.of(reading, writeArmed)); // the socket skips an unchanged one
        }
    }

    @Override
    protected void shutdownOutputNow() throws IOException {
        io.shutdownOutput();
    }

    @Override
    protected void closeSocket(boolean reset) {
        reading = false;
        writeArmed = false;
        io.close(reset);
    }

    @Override
    public SocketAddress localAddress() {
        ctx.checkInLoop("Transport.localAddress");
        if (isLost()) {
            return null;
        }
        if (local == null) {
            local = io.localAddress(); // null if the kernel cannot say (the connection broke)
        }
        return local;
    }

    @Override
    public SocketAddress remoteAddress() {
        ctx.checkInLoop("Transport.remoteAddress");
        return isLost() ? null : remote;
    }
}
