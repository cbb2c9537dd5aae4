package dev.roundhouse.websocket;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.Transport;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * An in-memory transport: writes pile up in a buffer the test drains by hand, so that water marks
 * and pending-byte limits can be driven exactly. Runs on a real loop's thread (callers use
 * {@code loop.submit}); it follows the {@link Transport} contract for water marks and close.
 */
final class FakeTransport implements Transport {
    final EventLoop loop;
    final Protocol protocol;
    final ByteArrayOutputStream written = new ByteArrayOutputStream();
    long buffered;
    long high = 64 * 1024;
    long low = 16 * 1024;
    boolean paused;
    boolean closing;
    boolean lost;
    boolean aborted;

    FakeTransport(EventLoop loop, Protocol protocol) {
        this.loop = loop;
        this.protocol = protocol;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public boolean write(ByteBuffer data) {
        if (closing) {
            throw new IllegalStateException("closing");
        }
        if (lost) {
            return false;
        }
        byte[] b = new byte[data.remaining()];
        data.get(b);
        written.write(b, 0, b.length);
        buffered += b.length;
        if (!paused && buffered > high) {
            paused = true;
            protocol.pauseWriting();
        }
        return true;
    }

    /** Pretends the OS took everything. */
    void drain() {
        buffered = 0;
        if (paused) {
            paused = false;
            protocol.resumeWriting();
        }
        if (closing && !lost) {
            lose(null);
        }
    }

    byte[] takeWritten() {
        byte[] b = written.toByteArray();
        written.reset();
        return b;
    }

    void lose(Throwable cause) {
        if (!lost) {
            lost = true;
            protocol.connectionLost(cause);
        }
    }

    @Override
    public void close() {
        closing = true;
        if (buffered == 0) {
            lose(null);
        }
    }

    @Override
    public void abort() {
        aborted = true;
        closing = true;
        lose(null);
    }

    @Override
    public void shutdownOutput() {
        closing = true;
    }

    @Override
    public void pauseReading() {
    }

    @Override
    public void resumeReading() {
    }

    @Override
    public boolean isReading() {
        return !lost;
    }

    @Override
    public boolean isClosing() {
        return closing;
    }

    @Override
    public void setWriteBufferLimits(long highBytes, long lowBytes) {
        high = highBytes;
        low = lowBytes;
    }

    @Override
    public long writeBufferSize() {
        return buffered;
    }

    @Override
    public long writeBufferHighBytes() {
        return high;
    }

    @Override
    public long writeBufferLowBytes() {
        return low;
    }

    @Override
    public SocketAddress localAddress() {
        return new InetSocketAddress("127.0.0.1", 1);
    }

    @Override
    public SocketAddress remoteAddress() {
        return new InetSocketAddress("127.0.0.1", 2);
    }
}
