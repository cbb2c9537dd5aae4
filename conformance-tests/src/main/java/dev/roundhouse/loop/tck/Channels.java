package dev.roundhouse.loop.tck;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.OptionalInt;

/**
 * Plain JDK channels used as readiness handles by the conformance cases: pipes and connected
 * TCP pairs on loopback, and small I/O helpers.
 *
 * <p><b>Thread:</b> any thread; each method works on the channels it is given.
 */
public final class Channels {
    private Channels() {
    }

    /** A pipe whose source (the end that gets registered) is non-blocking; the sink blocks. */
    public static Pipe pipe() throws IOException {
        Pipe p = Pipe.open();
        p.source().configureBlocking(false);
        return p;
    }

    /** A connected loopback TCP pair: {@code local} is non-blocking (to register), {@code peer} blocks. */
    public record SocketPair(SocketChannel local, SocketChannel peer) implements AutoCloseable {
        /** Opens a pair through a short-lived listener on 127.0.0.1. */
        public static SocketPair open() throws IOException {
            try (ServerSocketChannel listener = ServerSocketChannel.open()) {
                listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
                SocketChannel local = SocketChannel.open(listener.getLocalAddress());
                SocketChannel peer = listener.accept();
                local.configureBlocking(false);
                return new SocketPair(local, peer);
            }
        }

        /** Makes the peer reset the connection on close ({@code SO_LINGER} 0) and closes it. */
        public void resetFromPeer() throws IOException {
            peer.setOption(StandardSocketOptions.SO_LINGER, 0);
            peer.close();
        }

        @Override
        public void close() throws IOException {
            try (peer) {
                local.close();
            }
        }
    }

    /** Closes both ends of a pipe. */
    public static AutoCloseable closer(Pipe pipe) {
        return () -> {
            try (Pipe.SinkChannel sink = pipe.sink()) {
                pipe.source().close();
            }
        };
    }

    /** Writes {@code bytes} bytes of value {@code 'x'} to a blocking channel. */
    public static void writeBytes(WritableByteChannel channel, int bytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(bytes);
        while (b.hasRemaining()) {
            b.put((byte) 'x');
        }
        b.flip();
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    /**
     * Reads a non-blocking channel until it would block; returns the bytes read, or -1 if it hit
     * end-of-stream.
     */
    public static long drain(ReadableByteChannel channel) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8192);
        long total = 0;
        for (;;) {
            b.clear();
            int n = channel.read(b);
            if (n < 0) {
                return -1;
            }
            if (n == 0) {
                return total;
            }
            total += n;
        }
    }

    /**
     * Fills a non-blocking socket's send path (its send buffer and the peer's receive buffer)
     * until a write would block; returns the bytes written.
     */
    public static long fill(SocketChannel nonBlocking) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64 * 1024);
        long total = 0;
        for (;;) {
            b.clear();
            int n = nonBlocking.write(b);
            if (n == 0) {
                return total;
            }
            total += n;
        }
    }

    /** One channel operation that may fail with an {@link IOException}. */
    @FunctionalInterface
    public interface IoCall {
        /** Performs the operation and returns its count. */
        int run() throws IOException;
    }

    /**
     * The channel's file descriptor number where the JDK exposes it ({@code sun.nio.ch.SelChImpl},
     * needs {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}); empty elsewhere.
     */
    public static OptionalInt fdOf(SelectableChannel channel) {
        try {
            Class<?> selCh = Class.forName("sun.nio.ch.SelChImpl");
            if (!selCh.isInstance(channel)) {
                return OptionalInt.empty();
            }
            return OptionalInt.of((Integer) selCh.getMethod("getFDVal").invoke(channel));
        } catch (ReflectiveOperationException | RuntimeException notExposed) {
            return OptionalInt.empty();
        }
    }
}
