package dev.roundhouse.loop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.SocketOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Channels#setConnectionOptions}: both ends of a connection, over the JDK's channels the nio
 * and iocp backends use, get {@code TCP_NODELAY} and {@code SO_KEEPALIVE} on or off and
 * {@code SO_SNDBUF} when sized, as asked.
 */
class ChannelsTest {
    private static final int SEND_BUFFER = 300_000;
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    @Timeout(30)
    void shouldGiveSocketChannelsTheOptionsAskedFor() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(LOOPBACK);
            for (boolean on : new boolean[] {true, false}) {
                try (SocketChannel connected = SocketChannel.open(server.getLocalAddress());
                     SocketChannel accepted = server.accept()) {
                    check(on, accepted, "accepted SocketChannel");
                    check(on, connected, "connected SocketChannel");
                }
            }
        }
    }

    @Test
    @Timeout(30)
    void shouldGiveAsynchronousSocketChannelsTheOptionsAskedFor() throws Exception {
        try (AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open()) {
            server.bind(LOOPBACK);
            for (boolean on : new boolean[] {true, false}) {
                try (AsynchronousSocketChannel connected = AsynchronousSocketChannel.open()) {
                    var accepting = server.accept();
                    connected.connect(server.getLocalAddress()).get(10, TimeUnit.SECONDS);
                    try (AsynchronousSocketChannel accepted = accepting.get(10, TimeUnit.SECONDS)) {
                        check(on, accepted, "accepted AsynchronousSocketChannel");
                        check(on, connected, "connected AsynchronousSocketChannel");
                    }
                }
            }
        }
    }

    private static void check(boolean on, NetworkChannel ch, String what) throws IOException {
        Channels.setConnectionOptions(ch, SocketOptions.builder().tcpNoDelay(on).keepAlive(on)
                .sendBufferBytes(on ? SEND_BUFFER : 0).build());
        String which = what + ", asked " + on;
        assertEquals(on, ch.getOption(StandardSocketOptions.TCP_NODELAY), "TCP_NODELAY of the " + which);
        assertEquals(on, ch.getOption(StandardSocketOptions.SO_KEEPALIVE), "SO_KEEPALIVE of the " + which);
        if (on) {
            int size = ch.getOption(StandardSocketOptions.SO_SNDBUF);
            assertTrue(size >= SEND_BUFFER, "SO_SNDBUF " + size + " of the " + which);
        }
    }
}
