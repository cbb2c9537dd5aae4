package dev.roundhouse.loop.iouring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Loops;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * What the TCK cannot see of the io_uring backend: that a loop really owns a ring (and gives it
 * back), the paths a loop takes past its direct-buffer budgets, and that descriptors are closed once
 * the ring has let go of them.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "io_uring exists only on Linux")
class IoUringTcpTest {
    private static final long TIMEOUT_MS = 10_000;
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @BeforeAll
    static void available() throws IOException {
        assumeTrue(new IoUringProvider().availability().available(),
                () -> "io_uring is not available here: " + new IoUringProvider().availability());
        warmUpJdk();
    }

    /** Echoes what it receives (copying it: the buffer is only valid during the call). */
    static class Echo implements Protocol {
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

    @Test
    @Timeout(30)
    void shouldOwnOneRingPerLoopAndCloseItWithTheLoop() throws Exception {
        long rings = countFds("anon_inode:[io_uring]");
        EventLoop loop = open(LoopOptions.builder());
        assertEquals("io_uring", loop.backendName());
        assertEquals(rings + 1, countFds("anon_inode:[io_uring]"), "a ring for the open loop");
        Server server = loop.listen(LOOPBACK, Echo::new).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        try (Socket peer = connect(server)) {
            peer.getOutputStream().write("ring".getBytes());
            assertArrayEquals("ring".getBytes(), readFully(peer.getInputStream(), 4));
        }
        close(loop);
        assertEquals(rings, countFds("anon_inode:[io_uring]"), "the ring closed with the loop");
    }

    /**
     * Connections queued while the loop is held in a task are set up together when the accept in
     * flight completes: that completion takes those queued behind it, up to
     * {@link UringServer#MAX_ACCEPTS_PER_COMPLETION} (1 each when every connection waits for an
     * accept of its own, all of them without the limit). Each transport reports its peer's address,
     * whichever way it was accepted.
     */
    @Test
    @Timeout(60)
    void shouldTakeTheQueuedConnectionsTogetherUpToTheLimit() throws Exception {
        int connections = UringServer.MAX_ACCEPTS_PER_COMPLETION + 6;
        EventLoop loop = open(LoopOptions.builder());
        List<Object> remotes = new ArrayList<>(); // loop thread only
        CountDownLatch made = new CountDownLatch(connections);
        Server server = loop.listen(LOOPBACK, () -> new Echo() {
            @Override
            public void connectionMade(Transport t) {
                remotes.add(t.remoteAddress());
                made.countDown();
            }
        }).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            held.countDown();
            try {
                release.await(); // the connections queue up meanwhile
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<Socket> peers = new ArrayList<>();
        try {
            assertTrue(held.await(TIMEOUT_MS, TimeUnit.MILLISECONDS), "the loop never ran the holding task");
            for (int i = 0; i < connections; i++) {
                peers.add(connect(server)); // the kernel completes the handshake: queued, not accepted
            }
            release.countDown();
            assertTrue(made.await(TIMEOUT_MS, TimeUnit.MILLISECONDS),
                    "connections made: " + (connections - made.getCount()) + " of " + connections);
            int together = loop.submit(() -> ((UringServer) server).largestBatch()).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertTrue(together >= 2, "the most connections one accept completion set up: " + together
                    + " (1 when each waits for an accept of its own)");
            assertTrue(together <= UringServer.MAX_ACCEPTS_PER_COMPLETION, "connections one completion set up: "
                    + together + ", more than the limit of " + UringServer.MAX_ACCEPTS_PER_COMPLETION);
            List<Object> expected = new ArrayList<>();
            for (Socket p : peers) {
                expected.add(p.getLocalSocketAddress());
            }
            List<Object> seen = loop.submit(() -> List.copyOf(remotes)).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertEquals(connections, seen.size());
            assertEquals(Set.copyOf(expected), Set.copyOf(seen), "the peers' addresses");
        } finally {
            release.countDown();
            for (Socket p : peers) {
                p.close();
            }
            close(loop);
        }
    }

    /**
     * The server's options are set on the listener, before {@code listen}, and Linux copies them
     * into every connection it accepts, so the server sets none per connection: the accepted
     * socket has {@code TCP_NODELAY}, {@code SO_KEEPALIVE} and {@code SO_SNDBUF} as asked, or the
     * kernel's defaults when not.
     */
    @Test
    @Timeout(30)
    void shouldGiveAcceptedSocketsTheServersOptionsThroughTheListener() throws Exception {
        int sendBuffer = 300_000;
        EventLoop loop = open(LoopOptions.builder());
        try {
            for (boolean on : new boolean[] {true, false}) {
                SocketOptions options = SocketOptions.builder().tcpNoDelay(on).keepAlive(on)
                        .sendBufferBytes(on ? sendBuffer : 0).build();
                CompletableFuture<Transport> made = new CompletableFuture<>();
                Server server = loop.listen(LOOPBACK, () -> new Echo() {
                    @Override
                    public void connectionMade(Transport t) {
                        made.complete(t);
                    }
                }, options).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                try (Socket peer = connect(server)) {
                    UringTransport t = (UringTransport) made.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    List<Object> seen = loop.submit(() -> List.<Object>of(t.socket().isTcpNoDelay(),
                            t.socket().isKeepAlive(), t.socket().getSendBufferSize())).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    assertEquals(on, seen.get(0), "TCP_NODELAY of the connection accepted, asked " + on);
                    assertEquals(on, seen.get(1), "SO_KEEPALIVE of the connection accepted, asked " + on);
                    if (on) {
                        assertTrue((int) seen.get(2) >= sendBuffer, "SO_SNDBUF " + seen.get(2)
                                + " of the connection accepted, asked " + sendBuffer);
                    }
                } finally {
                    server.close().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                }
            }
        } finally {
            close(loop);
        }
    }

    /**
     * An accepted connection stays a bare descriptor through its reads, writes and close: Netty's
     * {@code Socket} over it, whose constructor asks the kernel the address family
     * ({@code getsockname}), is made only when something needs it (here the local address), and
     * then works: the address is the server's, and a shutdown of the output reaches the peer.
     */
    @Test
    @Timeout(30)
    void shouldMakeAnAcceptedConnectionsSocketOnlyWhenNeeded() throws Exception {
        EventLoop loop = open(LoopOptions.builder());
        try {
            CompletableFuture<Transport> made = new CompletableFuture<>();
            Server server = listenEcho(loop, made);
            try (Socket peer = connect(server)) {
                peer.getOutputStream().write("ping".getBytes());
                assertArrayEquals("ping".getBytes(), readFully(peer.getInputStream(), 4));
                UringTransport t = (UringTransport) made.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                assertFalse(call(loop, t::hasSocket), "a Socket was made for a connection that only echoed");
                assertEquals(peer.getLocalSocketAddress(), call(loop, t::remoteAddress), "the peer, from the accept");
                assertFalse(call(loop, t::hasSocket), "the peer's address needs no Socket");
                assertEquals(server.localAddress(), call(loop, t::localAddress));
                assertTrue(call(loop, t::hasSocket));
                run(loop, t::shutdownOutput);
                assertEquals(-1, peer.getInputStream().read(), "the peer sees the server's output shut down");
            } finally {
                server.close().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
        } finally {
            close(loop);
        }
    }

    /**
     * On Linux 6.10+ an accept completion says whether connections were queued behind it, so
     * connections that arrive one at a time (each made before the next connects) cost no drain
     * attempt: no {@code accept4} that could only fail. Before 6.10 each completion drains once.
     */
    @Test
    @Timeout(60)
    void shouldNotTryToDrainWhenTheCompletionSaysNothingIsQueued() throws Exception {
        int connections = 20;
        EventLoop loop = open(LoopOptions.builder());
        Server server = loop.listen(LOOPBACK, Echo::new).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        try {
            for (int i = 0; i < connections; i++) {
                try (Socket peer = connect(server)) {
                    peer.getOutputStream().write(i); // answered only once the connection is made
                    assertEquals(i, peer.getInputStream().read(), "echo on connection " + i);
                }
            }
            int empty = loop.submit(() -> ((UringServer) server).emptyDrains()).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (UringServer.COMPLETION_TELLS_QUEUED) {
                assertEquals(0, empty, "drains that found nothing queued, of " + connections + " connections made one by one");
            } else {
                assertEquals(connections, empty, "before Linux 6.10 every completion drains, finding nothing here");
            }
        } finally {
            close(loop);
        }
    }

    /**
     * A receive posted after one whose completion said the socket was left empty is posted
     * poll-first (Linux 5.19+): in ping-pong, every receive after the first. One posted after a
     * completion that left data queued is not, as that data is there to take at once.
     */
    @Test
    @Timeout(60)
    void shouldPostAReceivePollFirstOnlyAfterOneThatEmptiedTheSocket() throws Exception {
        int exchanges = 20;
        int burst = 16 * 1024;
        EventLoop loop = open(LoopOptions.builder().readBufferBytes(1024));
        CompletableFuture<Transport> made = new CompletableFuture<>();
        Server server = listenEcho(loop, made);
        try (Socket peer = connect(server)) {
            for (int i = 0; i < exchanges; i++) {
                peer.getOutputStream().write(i);
                assertEquals(i, peer.getInputStream().read(), "echo " + i);
            }
            UringTransport t = (UringTransport) made.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            // each echo's receive is posted again before its write goes to the kernel
            long posted = call(loop, t::receivesPosted);
            long pollFirst = call(loop, t::pollFirstReceives);
            assertEquals(exchanges + 1, posted, "receives posted: the first, then one after each echo");
            assertEquals(UringTransport.RECV_POLL_FIRST ? exchanges : 0, pollFirst,
                    "poll-first receives (RECV_POLL_FIRST " + UringTransport.RECV_POLL_FIRST + ")");

            // paused, the server lets 15 KiB or more queue on its socket (the receive in flight takes
            // at most its 1 KiB buffer); resumed, its receives find data left behind each one
            run(loop, t::pauseReading);
            byte[] payload = pattern(burst);
            peer.getOutputStream().write(payload);
            int serverPort = ((InetSocketAddress) server.localAddress()).getPort();
            awaitCondition("15 KiB queued on the server's socket",
                    () -> receiveQueue(serverPort, peer.getLocalPort()) >= burst - 1024);
            run(loop, t::resumeReading);
            assertArrayEquals(payload, readFully(peer.getInputStream(), burst), "the burst, echoed in order");
            long plainAfter = call(loop, () -> t.receivesPosted() - t.pollFirstReceives());
            assertTrue(plainAfter > posted - pollFirst,
                    "a receive posted after one that left data queued is not poll-first: "
                            + (posted - pollFirst) + " plain receives before the burst, " + plainAfter + " after");
        } finally {
            close(loop);
        }
    }

    @Test
    @Timeout(30)
    void shouldTerminatePromptlyWhileATimerAnHourAwayIsPending() throws Exception {
        // the loop then waits with an io_uring TIMEOUT entry that only fires in an hour; destroying the
        // ring must not wait for it
        EventLoop loop = open(LoopOptions.builder());
        CountDownLatch armed = new CountDownLatch(1);
        loop.execute(() -> {
            loop.callLater(() -> { }, 1, TimeUnit.HOURS);
            armed.countDown();
        });
        assertTrue(armed.await(TIMEOUT_MS, TimeUnit.MILLISECONDS));
        // an idle loop is blocked in io_uring_enter by now or soon; close wakes it up
        call(loop, () -> null);
        close(loop);
    }

    @Test
    @Timeout(60)
    void shouldSendEveryByteOfAWriteLargerThanTheDirectBudget() throws Exception {
        // 24 MiB queued at once: the first 16 MiB go into the loop's direct chunks, the rest into heap
        // chunks, which this backend sends through its direct staging buffer
        int size = 24 << 20;
        byte[] payload = pattern(size);
        EventLoop loop = open(LoopOptions.builder());
        CompletableFuture<Transport> made = new CompletableFuture<>();
        Server server = loop.listen(LOOPBACK, () -> new Echo() {
            @Override
            public void connectionMade(Transport t) {
                made.complete(t);
            }
        }).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        try (Socket peer = connect(server)) {
            Transport t = made.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            long queued = call(loop, () -> {
                t.write(ByteBuffer.wrap(payload));
                return t.writeBufferSize();
            });
            assertTrue(queued > 16 << 20, "most of it is queued while the peer does not read: " + queued);
            assertArrayEquals(payload, readFully(peer.getInputStream(), size), "the bytes, in order");
            assertEquals(0L, call(loop, t::writeBufferSize));
        } finally {
            close(loop);
        }
    }

    @Test
    @Timeout(60)
    void shouldEchoOnMoreConnectionsThanTheReadBufferBudgetCovers() throws Exception {
        // 16 MiB read buffers: the loop lends 4 of them (64 MiB); connections past that read into a
        // 16 KiB direct buffer of their own
        EventLoop loop = open(LoopOptions.builder().readBufferBytes(16 << 20));
        Server server = loop.listen(LOOPBACK, Echo::new).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        List<Socket> peers = new ArrayList<>();
        try {
            for (int i = 0; i < 7; i++) {
                peers.add(connect(server));
            }
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < peers.size(); i++) {
                    byte[] msg = pattern(40_000 + i * 1_000 + round);
                    peers.get(i).getOutputStream().write(msg);
                    assertArrayEquals(msg, readFully(peers.get(i).getInputStream(), msg.length), "peer " + i);
                }
            }
        } finally {
            for (Socket s : peers) {
                s.close();
            }
            close(loop);
        }
    }

    @Test
    @Timeout(60)
    void shouldCloseTheDescriptorsOfAbortedConnectionsWithOperationsInFlight() throws Exception {
        EventLoop loop = open(LoopOptions.builder());
        List<Transport> transports = new CopyOnWriteArrayList<>();
        CountDownLatch lost = new CountDownLatch(20);
        Server server = loop.listen(LOOPBACK, () -> new Echo() {
            @Override
            public void connectionMade(Transport t) {
                super.connectionMade(t);
                transports.add(t);
            }

            @Override
            public void connectionLost(Throwable cause) {
                lost.countDown();
            }
        }).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        long before = countFds("socket:");
        List<Socket> peers = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                peers.add(connect(server));
            }
            awaitCondition("20 connections made", () -> transports.size() == 20);
            // each has a receive in flight; give each a send in flight too (peers do not read)
            run(loop, () -> {
                for (Transport t : transports) {
                    t.write(ByteBuffer.wrap(new byte[4 << 20]));
                }
            });
            run(loop, () -> {
                for (Transport t : transports) {
                    t.abort();
                }
            });
            assertTrue(lost.await(TIMEOUT_MS, TimeUnit.MILLISECONDS));
            // the loop's side closes once the ring has completed the cancellations
            awaitCondition("the aborted connections' descriptors closed",
                    () -> countFds("socket:") == before + peers.size());
            for (Socket p : peers) {
                assertTrue(seesResetOrEof(p.getInputStream()), "the peer sees the end");
            }
        } finally {
            for (Socket s : peers) {
                s.close();
            }
            close(loop);
        }
    }

    @Test
    @Timeout(60)
    void shouldReuseIovecArraysAndCloseDescriptorsAcrossShortConnections() throws Exception {
        // each connection writes (taking an iovec array) and closes: the arrays go back to the loop
        // and are reused, and the descriptors (closed through the ring) all go
        EventLoop loop = open(LoopOptions.builder());
        try {
            Server server = loop.listen(LOOPBACK, Echo::new).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            // counted before any connection: the server side of one closes through the ring after
            // its peer's close returns, so a count taken right after a connection may include it
            long sockets = countFds("socket:");
            echoOnce(server); // first-use allocations: the loop's pools, the first slab, the JDK's buffers
            BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                    .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
            long buffers = direct.getCount();
            int connections = 300;
            for (int i = 0; i < connections; i++) {
                echoOnce(server);
            }
            long grown = direct.getCount() - buffers;
            assertTrue(grown <= 2, connections + " short connections allocated " + grown + " direct buffers");
            awaitCondition("the closed connections' descriptors closed", () -> countFds("socket:") == sockets);
        } finally {
            close(loop);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static EventLoop open(LoopOptions.Builder options) {
        return Loops.open(options.backend("io_uring").build());
    }

    /** Listens on loopback with {@link Echo}; {@code made} completes with the first connection's transport. */
    private static Server listenEcho(EventLoop loop, CompletableFuture<Transport> made) throws Exception {
        return loop.listen(LOOPBACK, () -> new Echo() {
            @Override
            public void connectionMade(Transport t) {
                super.connectionMade(t);
                made.complete(t);
            }
        }).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private static void close(EventLoop loop) throws Exception {
        loop.close();
        loop.terminationFuture().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private static <T> T call(EventLoop loop, Callable<T> task) throws Exception {
        return loop.submit(task).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private static void run(EventLoop loop, Runnable task) throws Exception {
        call(loop, () -> {
            task.run();
            return null;
        });
    }

    private static Socket connect(Server server) throws IOException {
        Socket s = new Socket();
        s.connect(server.localAddress(), (int) TIMEOUT_MS);
        s.setSoTimeout((int) TIMEOUT_MS);
        return s;
    }

    private static void echoOnce(Server server) throws IOException {
        try (Socket peer = connect(server)) {
            peer.getOutputStream().write("iov".getBytes());
            assertArrayEquals("iov".getBytes(), readFully(peer.getInputStream(), 3));
        }
    }

    private static byte[] pattern(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + (i >>> 9));
        }
        return b;
    }

    private static byte[] readFully(InputStream in, int n) throws IOException {
        byte[] b = new byte[n];
        int off = 0;
        while (off < n) {
            int k = in.read(b, off, n - off);
            if (k < 0) {
                throw new IOException("EOF after " + off + " of " + n + " bytes");
            }
            off += k;
        }
        return b;
    }

    private static boolean seesResetOrEof(InputStream in) throws IOException {
        byte[] buf = new byte[64 * 1024];
        try {
            while (in.read(buf) >= 0) {
                // what was sent before the reset
            }
            return true;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    /** Polls {@code condition} (bounded by {@link #TIMEOUT_MS}) until it holds. */
    private static void awaitCondition(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /**
     * The bytes queued for reading on this network namespace's IPv4 TCP socket from
     * {@code localPort} to {@code remotePort} ({@code /proc/net/tcp}'s {@code rx_queue}); -1 if
     * there is none.
     */
    private static long receiveQueue(int localPort, int remotePort) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 4 && f[1].endsWith(String.format(":%04X", localPort))
                    && f[2].endsWith(String.format(":%04X", remotePort))) {
                return Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16);
            }
        }
        return -1;
    }

    /** Descriptors of this process whose link starts with {@code prefix} ("socket:", "anon_inode:[io_uring]"). */
    static long countFds(String prefix) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(p -> {
                try {
                    return Files.readSymbolicLink(p).toString().startsWith(prefix);
                } catch (IOException gone) {
                    return false; // the directory stream's own descriptor, or one closed meanwhile
                }
            }).count();
        }
    }

    /** Opens the JDK's lazily made descriptors (pipe, marker socket) before any baseline is taken. */
    private static void warmUpJdk() throws IOException {
        Pipe p = Pipe.open();
        p.source().close();
        p.sink().close();
        try (java.nio.channels.ServerSocketChannel s = java.nio.channels.ServerSocketChannel.open()) {
            s.bind(LOOPBACK);
            try (java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(s.getLocalAddress());
                 java.nio.channels.SocketChannel a = s.accept()) {
                c.configureBlocking(false);
            }
        }
    }
}
