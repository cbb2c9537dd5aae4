package dev.roundhouse.loop.epoll;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopGroup;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Loops;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.Transport;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@EnabledOnOs(value = OS.LINUX, disabledReason = "epoll exists only on Linux")
class EpollTcpTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    /** Echoes what it receives (copying it, as the buffer is only valid during the call). */
    static final class Echo implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }

        @Override
        public void connectionLost(Throwable cause) {
        }
    }

    /**
     * SO_REUSEPORT: each loop of a group owns a listener on the same port, and the kernel spreads
     * connections over them (no shared accept queue).
     */
    @Test
    @Timeout(60)
    void shouldSpreadConnectionsOverEveryLoopsReusePortListener() throws Exception {
        int loops = 3;
        int connections = 60;
        SocketOptions reuse = SocketOptions.builder().reusePort(true).build();
        try (LoopGroup group = Loops.group(loops, LoopOptions.builder().backend("epoll").build())) {
            ConcurrentHashMap<Integer, AtomicInteger> perLoop = new ConcurrentHashMap<>();
            List<Server> servers = new ArrayList<>();
            InetSocketAddress address = LOOPBACK;
            for (int i = 0; i < loops; i++) {
                int index = i;
                Server s = group.loops().get(i).listen(address, () -> {
                    perLoop.computeIfAbsent(index, k -> new AtomicInteger()).incrementAndGet();
                    return new Echo();
                }, reuse).get(10, TimeUnit.SECONDS);
                servers.add(s);
                address = (InetSocketAddress) s.localAddress(); // the others bind the first one's port
            }
            for (int c = 0; c < connections; c++) {
                try (Socket peer = new Socket()) {
                    peer.connect(address, 5_000);
                    peer.setSoTimeout(5_000);
                    peer.getOutputStream().write(7);
                    assertEquals(7, peer.getInputStream().read(), "echo through whichever loop accepted");
                }
            }
            int total = perLoop.values().stream().mapToInt(AtomicInteger::get).sum();
            assertEquals(connections, total);
            assertEquals(loops, perLoop.size(), "every loop's listener accepted some: " + perLoop);
            for (Server s : servers) {
                s.close().get(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Heap write-queue data goes out through the direct staging buffer in several chunks, with no
     * byte lost or reordered (4 MiB, far above the 64 KiB staging buffer and the socket buffers).
     */
    @Test
    @Timeout(60)
    void shouldEchoFourMebibytesByteForByteThroughTheStagingBuffer() throws Exception {
        byte[] payload = new byte[4 << 20];
        new Random(42).nextBytes(payload);
        try (EventLoop loop = EpollTesting.openLoop()) {
            Server server = loop.listen(LOOPBACK, Echo::new).get(10, TimeUnit.SECONDS);
            try (Socket peer = new Socket()) {
                peer.connect(server.localAddress(), 5_000);
                peer.setSoTimeout(10_000);
                CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> {
                    try {
                        InputStream in = peer.getInputStream();
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        byte[] chunk = new byte[65536];
                        while (out.size() < payload.length) {
                            int n = in.read(chunk);
                            if (n < 0) {
                                break;
                            }
                            out.write(chunk, 0, n);
                        }
                        return out.toByteArray();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                OutputStream out = peer.getOutputStream();
                for (int off = 0; off < payload.length; off += 100_000) {
                    out.write(payload, off, Math.min(100_000, payload.length - off));
                }
                assertArrayEquals(payload, echoed.get(30, TimeUnit.SECONDS));
            }
            server.close().get(5, TimeUnit.SECONDS);
        }
    }

    /** A refused connect fails with java.net.ConnectException and calls nothing on the protocol. */
    @Test
    @Timeout(30)
    void shouldFailRefusedConnectWithConnectException() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        AtomicInteger callbacks = new AtomicInteger();
        try (EventLoop loop = EpollTesting.openLoop()) {
            CompletableFuture<Transport> f = loop.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                    new Protocol() {
                        @Override
                        public void connectionMade(Transport t) {
                            callbacks.incrementAndGet();
                        }

                        @Override
                        public void dataReceived(ByteBuffer data) {
                            callbacks.incrementAndGet();
                        }

                        @Override
                        public void connectionLost(Throwable cause) {
                            callbacks.incrementAndGet();
                        }
                    });
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            assertInstanceOf(ConnectException.class, e.getCause());
            assertEquals(0, callbacks.get());
        }
    }

    /** Loops, listeners and connections give every descriptor back (epoll, eventfd, timerfd, sockets). */
    @Test
    @Timeout(60)
    void shouldLeakNoDescriptorsAcrossLoopsAndConnections() throws Exception {
        EpollTesting.openLoop().close(); // load the native library and warm up first
        int baseline = EpollTesting.ioDescriptors().size();
        for (int round = 0; round < 5; round++) {
            try (EventLoop loop = EpollTesting.openLoop()) {
                Server server = loop.listen(LOOPBACK, Echo::new).get(10, TimeUnit.SECONDS);
                for (int c = 0; c < 20; c++) {
                    try (Socket peer = new Socket()) {
                        peer.connect(server.localAddress(), 5_000);
                        peer.setSoTimeout(5_000);
                        peer.getOutputStream().write(1);
                        assertEquals(1, peer.getInputStream().read());
                    }
                }
                loop.connect(server.localAddress(), new Echo()).get(10, TimeUnit.SECONDS);
            }
        }
        List<String> left = EpollTesting.awaitDescriptorsAtMost(baseline);
        assertTrue(left.isEmpty(), () -> "descriptors leaked (baseline " + baseline + "): " + left);
    }

    /** ipv6Only: an IPv6 wildcard listener refuses IPv4 peers; without it the listener is dual-stack. */
    @Test
    @Timeout(30)
    void shouldListenIpv6OnlyOrDualStackAsAsked() throws Exception {
        java.net.InetAddress any6 = java.net.InetAddress.getByName("::");
        try (EventLoop loop = EpollTesting.openLoop()) {
            for (boolean only : new boolean[] {true, false}) {
                Server server = loop.listen(new InetSocketAddress(any6, 0), Echo::new,
                        SocketOptions.builder().ipv6Only(only).build()).get(10, TimeUnit.SECONDS);
                int port = ((InetSocketAddress) server.localAddress()).getPort();
                try (Socket v6 = new Socket()) {
                    v6.connect(new InetSocketAddress(java.net.InetAddress.getByName("::1"), port), 5_000);
                }
                Socket v4 = new Socket();
                try (v4) {
                    v4.connect(new InetSocketAddress(java.net.InetAddress.getByName("127.0.0.1"), port), 5_000);
                    assertTrue(!only, "an IPv6-only listener accepted an IPv4 peer");
                } catch (ConnectException refused) {
                    assertTrue(only, "a dual-stack listener refused an IPv4 peer");
                }
                server.close().get(5, TimeUnit.SECONDS);
            }
        }
    }

    /** TCP_NODELAY is on by default (request/response latency), and off when asked. */
    @Test
    @Timeout(30)
    void shouldSetTcpNoDelayFromOptionsOnByDefault() throws Exception {
        try (EventLoop loop = EpollTesting.openLoop()) {
            EpollTesting.run(loop, () -> {
                EpollPoller poller = new EpollPoller(new StubContext(loop));
                try {
                    for (boolean on : new boolean[] {true, false}) {
                        io.netty.channel.unix.Socket s = io.netty.channel.epoll.LinuxSocket.newSocketStream(false);
                        EpollSocketIo io = new EpollSocketIo(poller, s);
                        io.configure(on ? SocketOptions.DEFAULTS : SocketOptions.builder().tcpNoDelay(false).build());
                        assertEquals(on, s.isTcpNoDelay());
                        io.close(false);
                    }
                } finally {
                    poller.close();
                }
            });
        }
    }

    /**
     * The server's options are set on the listener, before {@code listen}, and Linux copies them
     * into every connection it accepts: the accepted socket has them without a system call of its
     * own ({@code TCP_NODELAY}, {@code SO_KEEPALIVE} and {@code SO_SNDBUF} as asked, or the
     * kernel's defaults when not).
     */
    @Test
    @Timeout(30)
    void shouldGiveAcceptedSocketsTheServersOptionsThroughTheListener() throws Exception {
        int sendBuffer = 300_000;
        try (EventLoop loop = EpollTesting.openLoop()) {
            EpollTesting.run(loop, () -> {
                EpollPoller poller = new EpollPoller(new StubContext(loop));
                try {
                    for (boolean on : new boolean[] {true, false}) {
                        SocketOptions options = SocketOptions.builder().tcpNoDelay(on).keepAlive(on)
                                .sendBufferBytes(on ? sendBuffer : 0).build();
                        io.netty.channel.unix.Socket listening = io.netty.channel.epoll.LinuxSocket.newSocketStream(false);
                        dev.roundhouse.loop.unix.UnixSockets.bindAndListen(listening,
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), options);
                        EpollListenerIo listener = new EpollListenerIo(poller, listening);
                        assertTrue(listener.acceptedSocketsInheritOptions());
                        InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
                        try (Socket peer = new Socket(bound.getAddress(), bound.getPort())) {
                            EpollSocketIo accepted = acceptWithin(listener, 5_000);
                            io.netty.channel.unix.Socket s = accepted.socket();
                            assertEquals(on, s.isTcpNoDelay(), "TCP_NODELAY of the connection accepted, asked " + on);
                            assertEquals(on, s.isKeepAlive(), "SO_KEEPALIVE of the connection accepted, asked " + on);
                            if (on) {
                                assertTrue(s.getSendBufferSize() >= sendBuffer, "SO_SNDBUF " + s.getSendBufferSize()
                                        + " of the connection accepted, asked " + sendBuffer);
                            }
                            accepted.close(false);
                        } finally {
                            listener.close();
                        }
                    }
                } finally {
                    poller.close();
                }
            });
        }
    }

    /**
     * An accepted socket stays a bare descriptor through its reads and writes: Netty's
     * {@code Socket} over it, whose constructor asks the kernel the address family
     * ({@code getsockname}), is made only when something needs it (here the local address), and
     * then works: the address is the listener's, and a shutdown of the output reaches the peer.
     * Once closed, the local address is {@code null}: the number may be another socket's by then.
     */
    @Test
    @Timeout(30)
    void shouldMakeAnAcceptedSocketsNettySocketOnlyWhenNeeded() throws Exception {
        try (EventLoop loop = EpollTesting.openLoop()) {
            EpollTesting.run(loop, () -> {
                EpollPoller poller = new EpollPoller(new StubContext(loop));
                io.netty.channel.unix.Socket listening = io.netty.channel.epoll.LinuxSocket.newSocketStream(false);
                dev.roundhouse.loop.unix.UnixSockets.bindAndListen(listening,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), SocketOptions.DEFAULTS);
                EpollListenerIo listener = new EpollListenerIo(poller, listening);
                InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
                try (Socket peer = new Socket(bound.getAddress(), bound.getPort())) {
                    peer.setSoTimeout(5_000);
                    EpollSocketIo accepted = acceptWithin(listener, 5_000);
                    peer.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                    ByteBuffer in = ByteBuffer.allocateDirect(16);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (in.position() < 4 && System.nanoTime() < deadline) {
                        accepted.read(in); // non-blocking: 0 until the bytes are in
                    }
                    assertEquals(4, in.position(), "the peer's bytes, read within 5 s");
                    assertEquals(4, accepted.write(in.flip()));
                    assertEquals("ping", new String(peer.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
                    assertFalse(accepted.hasSocket(), "a Socket was made for a socket that only read and wrote");
                    assertEquals(peer.getLocalSocketAddress(), accepted.remoteAddress(), "the peer, from the accept");
                    assertFalse(accepted.hasSocket(), "the peer's address needs no Socket");
                    assertEquals(bound, accepted.localAddress());
                    assertTrue(accepted.hasSocket());
                    accepted.shutdownOutput();
                    assertEquals(-1, peer.getInputStream().read(), "the peer sees the output shut down");
                    accepted.close(false);
                    assertNull(accepted.localAddress(), "a closed socket's local address");
                } finally {
                    listener.close();
                    poller.close();
                }
            });
        }
    }

    /** Accepts on a non-blocking listener whose peer has connected (queued by the kernel by then, within a bound). */
    private static EpollSocketIo acceptWithin(EpollListenerIo listener, long millis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            dev.roundhouse.loop.internal.SocketIo io = listener.accept();
            if (io != null) {
                return (EpollSocketIo) io;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no connection to accept within " + millis + " ms of the peer's connect returning");
    }
}
