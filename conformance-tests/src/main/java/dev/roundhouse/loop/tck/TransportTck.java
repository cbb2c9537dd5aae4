package dev.roundhouse.loop.tck;

import static dev.roundhouse.loop.tck.ProtocolRecorder.Kind.CONNECTION_LOST;
import static dev.roundhouse.loop.tck.ProtocolRecorder.Kind.CONNECTION_MADE;
import static dev.roundhouse.loop.tck.ProtocolRecorder.Kind.DATA_RECEIVED;
import static dev.roundhouse.loop.tck.ProtocolRecorder.Kind.EOF_RECEIVED;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The transport contract (DESIGN.md, "Transport contract"): data integrity, the callback grammar
 * and its thread, half-close both ways, abort, graceful close, callback failures, and writes after
 * close. Needs {@link dev.roundhouse.loop.Capability#TCP}; peers are plain blocking JDK sockets
 * unless a case is about two Roundhouse transports.
 */
public abstract class TransportTck extends TcpTck {

    /** Echo: payloads from 0 B to 16 MiB come back byte for byte, then a clean connectionLost. */
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 1000, 65_537, 1 << 20, 16 << 20})
    @Timeout(120)
    void shouldEchoPayloadByteForByte(int size) throws Exception {
        EventLoop loop = openLoop();
        Accepted server = listenEcho(loop);
        Socket peer = peer(server.server());
        byte[] sent = payload(size);
        CompletableFuture<Void> writing = writeAndShutdown(peer, sent);
        byte[] back = readToEnd(peer.getInputStream());
        Await.get(writing, "the peer's write of " + size + " bytes");
        assertEquals(size, back.length, "echoed length");
        assertArrayEquals(sent, back, "echoed bytes");
        ProtocolRecorder p = server.next();
        assertNull(p.awaitLost(), "a clean close has no cause");
        p.assertGrammar(Await.loopThread(loop));
    }

    /**
     * Writing back the very buffer {@code dataReceived} lent (which a transport may send without
     * copying, Protocol#dataReceived): the peer gets the bytes it held when written, in order with
     * copied writes before and after it, however the protocol moves its position and limit after.
     * Per read the protocol consumes a header of up to 3 bytes, writes a 1-byte marker, the buffer
     * itself, then rewinds it and writes the same bytes again (a copy).
     */
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1000, 1 << 20})
    @Timeout(60)
    void shouldSendALentBufferWrittenBackAsItWasWhenWritten(int size) throws Exception {
        EventLoop loop = openLoop();
        Accepted server = listen(loop, i -> new ProtocolRecorder("server-" + i).onData((t, data) -> {
            data.position(data.position() + Math.min(3, data.remaining()));
            int from = data.position();
            int to = data.limit();
            t.write(new byte[] {'<'});
            t.write(data);
            assertEquals(to, data.position(), "write moves the position to the limit");
            data.clear(); // position and limit may move after the write; the contents stay
            data.position(from).limit(to);
            t.write(data);
        }));
        Socket peer = peer(server.server());
        byte[] sent = payload(size);
        CompletableFuture<Void> writing = writeAndShutdown(peer, sent);
        byte[] back = readToEnd(peer.getInputStream());
        Await.get(writing, "the peer's write of " + size + " bytes");
        ProtocolRecorder p = server.next();
        assertNull(p.awaitLost(), "a clean close has no cause");
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        int at = 0;
        for (ProtocolRecorder.Call c : p.calls()) {
            if (c.kind() == DATA_RECEIVED) {
                int skip = Math.min(3, c.bytes());
                expected.write('<');
                expected.write(sent, at + skip, c.bytes() - skip);
                expected.write(sent, at + skip, c.bytes() - skip);
                at += c.bytes();
            }
        }
        assertEquals(size, at, "bytes delivered");
        assertArrayEquals(expected.toByteArray(), back, "what came back, per read: marker, tail, tail again");
    }

    /**
     * A relay between two connections of one loop, each writing what it receives to the other
     * (the buffer {@code dataReceived} lent, which a transport of the same loop may send without
     * copying): 1 MiB each way arrives intact, and each peer's EOF is passed on.
     */
    @Test
    @Timeout(60)
    void shouldRelayBetweenTwoConnectionsOfOneLoop() throws Exception {
        EventLoop loop = openLoop();
        Transport[] pair = new Transport[2]; // the loop thread's
        Accepted server = listen(loop, i -> new ProtocolRecorder("relay-" + i)
                .onMade(t -> pair[i] = t)
                .onData((t, data) -> pair[1 - i].write(data))
                .onEof(t -> {
                    pair[1 - i].shutdownOutput();
                    return true;
                }));
        Socket[] peers = new Socket[2];
        ProtocolRecorder[] relays = new ProtocolRecorder[2];
        for (int i = 0; i < 2; i++) {
            peers[i] = peer(server.server());
            relays[i] = server.next();
            Await.get(relays[i].made(), "connectionMade of relay " + i); // both paired before a byte flows
        }
        byte[][] sent = {payload(1 << 20), new byte[1 << 20]};
        for (int k = 0; k < sent[1].length; k++) {
            sent[1][k] = (byte) (sent[0][k] * 7 + 1);
        }
        List<CompletableFuture<Void>> writers = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            writers.add(writeAndShutdown(peers[i], sent[i]));
        }
        CompletableFuture<byte[]> atZero = CompletableFuture.supplyAsync(() -> {
            try {
                return readToEnd(peers[0].getInputStream());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertArrayEquals(sent[0], readToEnd(peers[1].getInputStream()), "peer 0's bytes at peer 1");
        assertArrayEquals(sent[1], Await.get(atZero, "peer 1's bytes at peer 0"), "peer 1's bytes at peer 0");
        for (int i = 0; i < 2; i++) {
            Await.get(writers.get(i), "peer " + i + "'s write");
            assertNull(relays[i].awaitLost(), "relay " + i + " ends cleanly once both sides are shut");
            relays[i].assertGrammar(Await.loopThread(loop));
        }
    }

    /** Echo between two Roundhouse transports on two loops: 4 MiB intact, grammar and threads on both sides. */
    @Test
    @Timeout(60)
    void shouldEchoBetweenTwoLoopTransports() throws Exception {
        EventLoop serverLoop = openLoop();
        EventLoop clientLoop = openLoop();
        Accepted server = listenEcho(serverLoop);
        byte[] sent = payload(4 << 20);
        ProtocolRecorder client = new ProtocolRecorder("client").onMade(t -> {
            t.write(sent);
            t.shutdownOutput();
        });
        Transport t = Await.get(clientLoop.connect(server.server().localAddress(), client), "connect");
        assertSame(client.made().getNow(null), t, "connect completes with the transport given to connectionMade");
        assertSame(clientLoop, t.loop(), "Transport.loop() works from any thread");
        assertNull(client.awaitLost(), "clean close");
        assertArrayEquals(sent, client.received(), "echoed bytes");
        client.assertGrammar(Await.loopThread(clientLoop));
        ProtocolRecorder p = server.next();
        assertNull(p.awaitLost());
        p.assertGrammar(Await.loopThread(serverLoop));
    }

    /** Grammar: connectionMade, dataReceived+, eofReceived, connectionLost(null), on the loop thread, nothing after. */
    @Test
    @Timeout(30)
    void shouldFollowCallbackGrammarOnLoopThread() throws Exception {
        EventLoop loop = openLoop();
        List<Object> addresses = new CopyOnWriteArrayList<>();
        Accepted server = listen(loop, i -> new ProtocolRecorder("grammar")
                .onMade(t -> addresses.add(t.remoteAddress())));
        Socket peer = peer(server.server());
        peer.getOutputStream().write("hello".getBytes(US_ASCII));
        peer.shutdownOutput();
        assertEquals(-1, peer.getInputStream().read(), "the server closes after eofReceived returns false");
        ProtocolRecorder p = server.next();
        assertNull(p.awaitLost());
        Await.quiet(loop);
        p.assertGrammar(Await.loopThread(loop));
        List<ProtocolRecorder.Kind> kinds = p.kinds();
        assertEquals(CONNECTION_MADE, kinds.get(0));
        assertEquals(List.of(EOF_RECEIVED, CONNECTION_LOST), kinds.subList(kinds.size() - 2, kinds.size()));
        assertTrue(kinds.subList(1, kinds.size() - 2).stream().allMatch(k -> k == DATA_RECEIVED));
        assertArrayEquals("hello".getBytes(US_ASCII), p.received());
        assertEquals(peer.getLocalSocketAddress(), addresses.get(0), "remoteAddress is the peer's address");
        assertNull(Await.call(loop, () -> p.transport().remoteAddress()), "no remote address once closed");
    }

    /**
     * Both ends' addresses, accepted and connected: what the peer sees from its side, asked at any
     * time while connected (also after the peer has closed, before this side has read the EOF; the
     * first ask may be that late, backends ask the OS lazily), and {@code null} once closed.
     */
    @Test
    @Timeout(30)
    void shouldReportBothAddressesOfAcceptedAndConnectedTransports() throws Exception {
        EventLoop loop = openLoop();
        Accepted server = listen(loop, i -> new ProtocolRecorder("accepted-" + i));
        ProtocolRecorder accepted;
        try (Socket peer = peer(server.server())) {
            accepted = server.next();
            Transport t = Await.get(accepted.made(), "connectionMade of the accepted transport");
            assertEquals(peer.getRemoteSocketAddress(), Await.call(loop, t::localAddress),
                    "accepted: localAddress is the address the peer connected to");
            assertEquals(peer.getLocalSocketAddress(), Await.call(loop, t::remoteAddress),
                    "accepted: remoteAddress is the peer's");
        }
        assertNull(accepted.awaitLost(), "the peer closed cleanly");
        assertNull(Await.call(loop, () -> accepted.transport().localAddress()), "no local address once closed");

        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            ProtocolRecorder client = new ProtocolRecorder("connected");
            Transport t = Await.get(loop.connect(listener.getLocalSocketAddress(), client), "connect");
            try (Socket peer = listener.accept()) {
                Await.run(loop, t::pauseReading); // so that the peer's close stays unread: the transport stays open
                peer.close(); // asked for the first time only after the peer has gone
                assertEquals(peer.getRemoteSocketAddress(), Await.call(loop, t::localAddress),
                        "connected: localAddress is the address the peer saw the connection from");
                assertEquals(listener.getLocalSocketAddress(), Await.call(loop, t::remoteAddress),
                        "connected: remoteAddress is the address connected to");
            }
            Await.run(loop, t::close);
            client.awaitLost();
            assertNull(Await.call(loop, t::localAddress), "no local address once closed");
            assertNull(Await.call(loop, t::remoteAddress), "no remote address once closed");
        }
    }

    /** Grammar: a reset by the peer ends in exactly one connectionLost with the error as cause. */
    @Test
    @Timeout(30)
    void shouldDeliverConnectionLostWithCauseOnceOnPeerReset() throws Exception {
        EventLoop loop = openLoop();
        Accepted server = listen(loop, i -> new ProtocolRecorder("reset"));
        Socket peer = peer(server.server());
        ProtocolRecorder p = server.next();
        Await.get(p.made(), "connectionMade");
        peer.setSoLinger(true, 0);
        peer.close();
        assertNotNull(p.awaitLost(), "a reset is an error, reported as the cause");
        Await.quiet(loop);
        p.assertGrammar(Await.loopThread(loop));
        assertEquals(1, p.count(CONNECTION_LOST));
    }

    /** Half-close (local): after shutdownOutput the peer sees EOF, writes throw, and reading continues. */
    @Test
    @Timeout(30)
    void shouldKeepReadingAfterShutdownOutput() throws Exception {
        EventLoop loop = openLoop();
        List<Object> afterShutdown = new CopyOnWriteArrayList<>();
        Accepted server = listen(loop, i -> new ProtocolRecorder("half-close").onMade(t -> {
            t.write("hello".getBytes(US_ASCII));
            t.shutdownOutput();
            afterShutdown.add(t.isClosing());
            afterShutdown.add(thrown(() -> t.write(new byte[] {1})));
        }));
        Socket peer = peer(server.server());
        InputStream in = peer.getInputStream();
        assertArrayEquals("hello".getBytes(US_ASCII), readFully(in, 5));
        assertEquals(-1, in.read(), "FIN after the buffered bytes");
        peer.getOutputStream().write("world".getBytes(US_ASCII));
        peer.shutdownOutput();
        ProtocolRecorder p = server.next();
        assertNull(p.awaitLost());
        assertArrayEquals("world".getBytes(US_ASCII), p.received(), "reading continues after shutdownOutput");
        assertEquals(true, afterShutdown.get(0), "isClosing after shutdownOutput");
        assertInstanceOf(IllegalStateException.class, afterShutdown.get(1), "write after shutdownOutput throws");
        p.assertGrammar(Await.loopThread(loop));
    }

    /** Half-close (peer): eofReceived returning true keeps the transport writable until it closes. */
    @Test
    @Timeout(30)
    void shouldKeepWritingAfterEofWhenEofReceivedReturnsTrue() throws Exception {
        EventLoop loop = openLoop();
        CompletableFuture<Optional<Throwable>> afterClose = new CompletableFuture<>();
        Accepted server = listen(loop, i -> {
            ProtocolRecorder p = new ProtocolRecorder("eof-true");
            return p.onEof(t -> {
                t.loop().execute(() -> { // after eofReceived returned true
                    t.write("pong:".getBytes(US_ASCII));
                    t.write(p.received());
                    t.close(); // a few bytes, all sent at once: this close() may finish at once
                    afterClose.complete(Optional.ofNullable(thrown(() -> t.write(new byte[] {1}))));
                });
                return true;
            });
        });
        Socket peer = peer(server.server());
        peer.getOutputStream().write("ping".getBytes(US_ASCII));
        peer.shutdownOutput();
        assertArrayEquals("pong:ping".getBytes(US_ASCII), readToEnd(peer.getInputStream()));
        ProtocolRecorder p = server.next();
        assertNull(p.awaitLost());
        assertInstanceOf(IllegalStateException.class, Await.get(afterClose, "the write after close()").orElse(null),
                "write after close() throws, also when that close() has already finished");
        p.assertGrammar(Await.loopThread(loop));
    }

    /** Abort: connectionLost(null) is delivered before abort returns, buffered bytes are dropped, the peer sees reset or EOF. */
    @Test
    @Timeout(30)
    void shouldAbortImmediately() throws Exception {
        EventLoop loop = openLoop();
        Accepted server = listen(loop, i -> new ProtocolRecorder("abort"));
        Socket peer = peer(server.server());
        ProtocolRecorder p = server.next();
        Transport t = Await.get(p.made(), "connectionMade");
        List<Object> seen = Await.call(loop, () -> {
            t.write(payload(8 << 20)); // more than the socket buffers take: some stays buffered
            t.abort();
            boolean lostBeforeReturn = p.lost().isDone();
            t.abort(); // idempotent
            return List.<Object>of(lostBeforeReturn, t.isClosing(), t.write(new byte[] {1}));
        });
        assertEquals(List.of(true, true, false), seen,
                "[connectionLost before abort returned, isClosing, write after connectionLost]");
        assertNull(p.awaitLost(), "abort by this side is a clean end");
        assertTrue(peerSeesResetOrEof(peer), "the peer must see the connection end");
        Await.quiet(loop);
        assertEquals(1, p.count(CONNECTION_LOST));
        p.assertGrammar(Await.loopThread(loop));
    }

    private static boolean peerSeesResetOrEof(Socket peer) throws IOException {
        byte[] buf = new byte[64 * 1024];
        try {
            while (peer.getInputStream().read(buf) >= 0) {
                // discard what arrived before the reset
            }
            return true;
        } catch (SocketException reset) {
            return true;
        }
    }

    /** Graceful close: bytes written before close() are all flushed to the peer, then connectionLost(null). */
    @Test
    @Timeout(60)
    void shouldFlushPendingWritesOnGracefulClose() throws Exception {
        EventLoop loop = openLoop();
        byte[] sent = payload(8 << 20);
        List<Object> afterClose = new CopyOnWriteArrayList<>();
        Accepted server = listen(loop, i -> new ProtocolRecorder("flush").onMade(t -> {
            t.write(sent);
            t.close();
            afterClose.add(thrown(() -> t.write(new byte[] {1})));
            t.close(); // idempotent
        }));
        Socket peer = peer(server.server());
        assertArrayEquals(sent, readToEnd(peer.getInputStream()), "every byte written before close arrives");
        ProtocolRecorder p = server.next();
        assertNull(p.awaitLost());
        assertInstanceOf(IllegalStateException.class, afterClose.get(0), "write after close() throws");
        p.assertGrammar(Await.loopThread(loop));
    }

    /** Callback failure: goes to the exception handler, ends that connection with the error, others go on. */
    @Test
    @Timeout(30)
    void shouldReportCallbackExceptionAndKeepServingOthers() throws Exception {
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        CountDownLatch reportedOnce = new CountDownLatch(1);
        EventLoop loop = openLoop(o -> o.exceptionHandler((l, context, error) -> {
            reported.add(error);
            reportedOnce.countDown();
        }));
        IllegalStateException boom = new IllegalStateException("tck: dataReceived failure");
        Accepted server = listen(loop, i -> new ProtocolRecorder("cb-" + i).onData((t, data) -> {
            if (data.get(data.position()) == 'b') {
                throw boom;
            }
            t.write(data);
        }));
        Socket other = peer(server.server());
        ProtocolRecorder otherProtocol = server.next();
        Socket failing = peer(server.server());
        ProtocolRecorder failingProtocol = server.next();
        failing.getOutputStream().write("boom".getBytes(US_ASCII));
        assertSame(boom, failingProtocol.awaitLost(), "connectionLost carries the callback's exception");
        Await.await(reportedOnce, "the exception handler");
        Await.quiet(loop);
        assertEquals(List.of(boom), reported, "the exception handler got the exception once");
        assertTrue(peerSeesResetOrEof(failing));
        other.getOutputStream().write("ok".getBytes(US_ASCII));
        assertArrayEquals("ok".getBytes(US_ASCII), readFully(other.getInputStream(), 2), "the loop serves others");
        assertFalse(otherProtocol.lost().isDone());
        failingProtocol.assertGrammar(Await.loopThread(loop));
    }

    /** Write after loss: in and after connectionLost (peer reset) write returns false and close/abort are no-ops. */
    @Test
    @Timeout(30)
    void shouldReturnFalseFromWriteAfterConnectionLost() throws Exception {
        EventLoop loop = openLoop();
        List<Object> inLost = new CopyOnWriteArrayList<>();
        Accepted server = listen(loop, i -> {
            ProtocolRecorder p = new ProtocolRecorder("lost-write");
            return p.onLost(c -> inLost.add(p.transport().write(new byte[] {1})));
        });
        Socket peer = peer(server.server());
        ProtocolRecorder p = server.next();
        Transport t = Await.get(p.made(), "connectionMade");
        peer.setSoLinger(true, 0);
        peer.close();
        p.awaitLost();
        assertEquals(List.of(false), inLost, "write inside connectionLost returns false");
        assertEquals(false, Await.call(loop, () -> t.write(ByteBuffer.allocate(1))), "write after connectionLost");
        Await.run(loop, () -> {
            t.close();
            t.abort();
        });
        Await.quiet(loop);
        assertEquals(1, p.count(CONNECTION_LOST), "close/abort after loss deliver nothing");
    }

    /** Writes {@code bytes} to {@code peer} and shuts its output, on another thread (the caller reads meanwhile). */
    private static CompletableFuture<Void> writeAndShutdown(Socket peer, byte[] bytes) {
        return CompletableFuture.runAsync(() -> {
            try {
                peer.getOutputStream().write(bytes);
                peer.shutdownOutput();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Returns what {@code action} threw, or {@code null}. */
    static Throwable thrown(Runnable action) {
        try {
            action.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }
}
