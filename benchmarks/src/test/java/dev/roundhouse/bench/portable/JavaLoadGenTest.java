package dev.roundhouse.bench.portable;

import static dev.roundhouse.bench.portable.JavaLoadGen.Mode.CONNECT;
import static dev.roundhouse.bench.portable.JavaLoadGen.Mode.CONNECT_RESET;
import static dev.roundhouse.bench.portable.JavaLoadGen.Mode.PINGPONG;
import static dev.roundhouse.bench.portable.JavaLoadGen.Mode.RATE;
import static dev.roundhouse.bench.portable.JavaLoadGen.Mode.STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Java load generator against a blocking echo server of the test's own, which can also
 * corrupt a byte, close early or stop answering: the generator must measure the round trips of a
 * correct server and fail, naming the cause, on each fault.
 */
class JavaLoadGenTest {
    /** What the test's server does with the stream of each connection. */
    private enum Fault { NONE, FLIP_BYTE_10, FLIP_BYTE_100, CLOSE_AFTER_64, SWALLOW, HOLD_AFTER_12800 }

    /**
     * {@link Fault#HOLD_AFTER_12800}: once it has echoed 12,800 bytes, the server reads this many
     * 64-byte messages more before it echoes any of them (a stall that ends when the load generator
     * has sent them, not after a sleep; a load generator that waits for its echoes never does).
     */
    private static final int HELD_MESSAGES = 300;
    /** How long that hold lasts at the test's offered 1,000 messages/s. */
    private static final long PAUSE_MS = HELD_MESSAGES;

    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicLong echoed = new AtomicLong();
    private final Set<String> sources = ConcurrentHashMap.newKeySet();
    /** How the test's server saw its connections end: an end of stream, or a reset. */
    private final AtomicLong endsOfStream = new AtomicLong();
    private final AtomicLong resets = new AtomicLong();
    private ServerSocket listener;

    @AfterEach
    void stopServer() throws Exception {
        if (listener != null) {
            listener.close();
        }
        for (Socket s : sockets) {
            s.close();
        }
        for (Thread t : threads) {
            t.join(10_000);
            assertTrue(!t.isAlive(), "the test server's thread " + t.getName() + " did not end");
        }
    }

    @Test
    void shouldMeasureRoundTripsAndPercentilesAgainstACorrectServer() throws Exception {
        JavaLoadGen.Result r = JavaLoadGen.pingPong(serve(Fault.NONE), 3, 64, 0.1, 1.0);

        assertTrue(r.ops() > 0, "round trips measured: " + r.ops());
        assertTrue(echoed.get() >= r.ops() * 64, "the server echoed " + echoed.get() + " bytes for " + r.ops());
        assertTrue(r.p50Us() > 0 && r.p50Us() <= r.p99Us() && r.p99Us() <= r.p999Us() && r.p999Us() <= r.maxUs(),
                r.line());
        assertTrue(r.busy() >= 0 && r.busy() <= 1, r.line());
        assertTrue(r.line().startsWith("RESULT mode=pingpong conns=3 bytes=64 "), r.line());
        assertEquals(String.valueOf(r.ops()), PortableMatrix.field(r.line(), "ops"));
    }

    @Test
    void shouldSpreadTheConnectionsOverThreadsAndMergeWhatEachMeasured() throws Exception {
        JavaLoadGen.Result r = JavaLoadGen.run(PINGPONG, serve(Fault.NONE), 4, 64, 0.1, 1.0, 2,
                JavaLoadGen.STALL_NANOS);

        assertTrue(r.ops() > 0, "round trips measured: " + r.ops());
        assertTrue(echoed.get() >= r.ops() * 64, "the server echoed " + echoed.get() + " bytes for " + r.ops());
        assertTrue(r.busy() >= 0 && r.busy() <= 1, r.line());
        assertTrue(r.p50Us() <= r.p99Us() && r.p99Us() <= r.maxUs(), r.line());
        assertTrue(r.line().startsWith("RESULT mode=pingpong conns=4 bytes=64 "), r.line());
    }

    @Test
    void shouldFailFromAnyThreadWhenAnEchoedByteDiffers() throws Exception {
        IOException e = assertThrows(IOException.class, () -> JavaLoadGen.run(PINGPONG, serve(Fault.FLIP_BYTE_100), 2,
                64, 0, 5, 2, JavaLoadGen.STALL_NANOS));
        assertTrue(e.getMessage().matches("connection [01]: echoed byte 100 differs from the one sent"), e.getMessage());
    }

    @Test
    void shouldStreamWithAWindowInFlightAndCountTheEchoedBytes() throws Exception {
        JavaLoadGen.Result r = JavaLoadGen.run(STREAM, serve(Fault.NONE), 2, 16_384, 0.1, 1.0, 1,
                JavaLoadGen.STALL_NANOS);

        assertTrue(r.echoedBytes() > 0 && r.ops() == r.echoedBytes() / 16_384, r.line());
        assertTrue(echoed.get() >= r.echoedBytes(), "the server echoed " + echoed.get() + " bytes");
        assertTrue(Double.isNaN(r.p50Us()), "no latency when streaming: " + r.line());
        assertTrue(r.line().startsWith("RESULT mode=stream conns=2 bytes=16384 window=65536 "), r.line());
        double mib = Double.parseDouble(PortableMatrix.field(r.line(), "mib_per_s"));
        assertEquals(r.echoedBytes() / 1.0 / (1 << 20), mib, 0.051, r.line());
    }

    @Test
    void shouldFailWhenAStreamedByteDiffers() throws Exception {
        IOException e = assertThrows(IOException.class, () -> JavaLoadGen.run(STREAM, serve(Fault.FLIP_BYTE_100), 1,
                16_384, 0, 5, 1, JavaLoadGen.STALL_NANOS));
        assertEquals("connection 0: echoed byte 100 differs from the one sent", e.getMessage());
    }

    /**
     * Runs two connections of a cycling mode ({@code connect}, {@code connect-reset}) for half a
     * second against a faultless server, where loopback aliases bind; checks that cycles completed
     * and that the RESULT line names the mode, and returns the result.
     */
    private JavaLoadGen.Result cycleTwoConnections(JavaLoadGen.Mode mode) throws Exception {
        assumeTrue(loopbackAliasesBind(), "127.0.0.2 cannot be bound here (macOS without loopback aliases)");
        JavaLoadGen.Result r = JavaLoadGen.run(mode, serve(Fault.NONE), 2, 64, 0.05, 0.5, 1, JavaLoadGen.STALL_NANOS);
        assertTrue(r.ops() > 0, r.line());
        assertTrue(r.line().startsWith("RESULT mode=" + mode.word() + " conns=2 bytes=64 "), r.line());
        return r;
    }

    @Test
    void shouldConnectEchoAndCloseOverAndOverFromSpreadSourceAddresses() throws Exception {
        JavaLoadGen.Result r = cycleTwoConnections(CONNECT); // RESULT mode=connect conns=2 bytes=64

        assertTrue(sockets.size() >= r.ops(), sockets.size() + " connections accepted for " + r.ops() + " cycles");
        assertTrue(r.p50Us() <= r.p99Us() && r.p99Us() <= r.maxUs(), r.line());
        assertTrue(sources.size() > 1 && !sources.contains("127.0.0.1"), "source addresses " + sources);
        awaitEveryConnectionsEnd();
        // at most one per connection kept going: the run may end between a send and its echo, and a
        // close with the echo unread sends a reset
        assertTrue(resets.get() <= 2, resets + " connections ended in a reset");
        assertTrue(endsOfStream.get() >= r.ops(), endsOfStream + " ends of stream for " + r.ops() + " cycles");
    }

    @Test
    void shouldEndEachConnectionWithAResetWhenAsked() throws Exception {
        JavaLoadGen.Result r = cycleTwoConnections(CONNECT_RESET); // RESULT mode=connect-reset conns=2 bytes=64

        awaitEveryConnectionsEnd();
        assertEquals(0, endsOfStream.get(), "connections that ended in an end of stream");
        assertTrue(resets.get() >= r.ops(), resets + " resets for " + r.ops() + " cycles");
    }

    @Test
    void shouldFailWhenAConnectionsEchoDiffers() throws Exception {
        assumeTrue(loopbackAliasesBind(), "127.0.0.2 cannot be bound here (macOS without loopback aliases)");
        IOException e = assertThrows(IOException.class, () -> JavaLoadGen.run(CONNECT, serve(Fault.FLIP_BYTE_10), 1,
                64, 0, 5, 1, JavaLoadGen.STALL_NANOS));
        assertEquals("connection 0: echoed byte 10 differs from the one sent", e.getMessage());
    }

    @Test
    void shouldOfferTheRateOverEveryThreadsConnections() throws Exception {
        JavaLoadGen.Result r = JavaLoadGen.run(RATE, serve(Fault.NONE), 4, 64, 0.1, 1.0, 2_000, 2,
                JavaLoadGen.STALL_NANOS);

        // 2,000 messages fall due in the measured second; those that come back within it count
        assertTrue(r.ops() >= 1_600 && r.ops() <= 2_010, "messages back within the second: " + r.line());
        assertEquals(r.ops() * 64, r.echoedBytes(), r.line());
        assertTrue(echoed.get() >= r.echoedBytes(), "the server echoed " + echoed.get() + " bytes");
        assertTrue(r.p50Us() > 0 && r.p50Us() <= r.p99Us() && r.p99Us() <= r.maxUs(), r.line());
        assertTrue(r.line().startsWith("RESULT mode=rate conns=4 bytes=64 window=64 rate=2000 "), r.line());
        assertEquals(4, sockets.size(), "connections accepted");
    }

    @Test
    void shouldKeepSendingWhileTheServerStallsAndTimeEachMessageFromWhenItFellDue() throws Exception {
        JavaLoadGen.Result r = JavaLoadGen.run(RATE, serve(Fault.HOLD_AFTER_12800), 1, 64, 0.1, 1.0, 1_000, 1,
                JavaLoadGen.STALL_NANOS);

        // message 200 falls due 0.2 s in, within the measured window (0.1-1.1 s); it and the 299
        // after it wait until the 300th has been sent, 300 ms of schedule later: open loop, the
        // top 1 % of 1,000 waited ~290 ms or more. A closed loop would never send them (its run
        // would fail after 5 s without an echo).
        assertTrue(r.maxUs() >= 0.8 * PAUSE_MS * 1000, r.line());
        assertTrue(r.p99Us() >= 0.6 * PAUSE_MS * 1000, r.line());
        assertTrue(r.p50Us() < 0.5 * PAUSE_MS * 1000, r.line());
    }

    @Test
    void shouldFailWhenAnOpenLoopEchoDiffers() throws Exception {
        IOException e = assertThrows(IOException.class, () -> JavaLoadGen.run(RATE, serve(Fault.FLIP_BYTE_100), 1,
                64, 0, 5, 1_000, 1, JavaLoadGen.STALL_NANOS));
        assertEquals("connection 0: echoed byte 100 differs from the one sent", e.getMessage());
    }

    @Test
    void shouldRejectARateOutsideItsBounds() {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);
        for (double rate : new double[] {0, 0.5, Double.NaN, 10_000_001, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> JavaLoadGen.run(RATE, any, 1, 64, 0, 1, rate, 1, 1));
            assertTrue(e.getMessage().startsWith("RATE must be 1 to 10000000 messages per second in all"),
                    e.getMessage());
        }
    }

    /** Waits until each accepted connection's thread has seen its connection end (the load generator closed them all). */
    private void awaitEveryConnectionsEnd() throws InterruptedException {
        for (Thread t : threads) {
            if (!t.getName().equals("test-echo-accept")) {
                t.join(10_000);
                assertTrue(!t.isAlive(), t.getName() + " did not see its connection end");
            }
        }
    }

    private static boolean loopbackAliasesBind() {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void shouldFailNamingTheOffsetWhenAnEchoedByteDiffers() throws Exception {
        IOException e = assertThrows(IOException.class,
                () -> JavaLoadGen.pingPong(serve(Fault.FLIP_BYTE_100), 1, 64, 0, 5));
        assertEquals("connection 0: echoed byte 100 differs from the one sent", e.getMessage());
    }

    @Test
    void shouldFailWhenTheServerClosesTheConnection() throws Exception {
        EOFException e = assertThrows(EOFException.class,
                () -> JavaLoadGen.pingPong(serve(Fault.CLOSE_AFTER_64), 1, 64, 0, 5));
        assertEquals("connection 0: the server closed it after echoing 64 of 128 bytes", e.getMessage());
    }

    @Test
    void shouldFailWhenNothingComesBack() throws Exception {
        IOException e = assertThrows(IOException.class,
                () -> JavaLoadGen.run(PINGPONG, serve(Fault.SWALLOW), 1, 64, 0, 30, 1, 200_000_000L));
        assertEquals("no byte echoed for 200 ms", e.getMessage());
    }

    @Test
    void shouldFailWhenTheServerIsNotThere() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        IOException e = assertThrows(IOException.class, () -> JavaLoadGen.pingPong(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1, 64, 0, 1));
        assertTrue(e.getMessage().startsWith("connection 0 to "), e.getMessage());
    }

    @Test
    void shouldRejectBadArguments() {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);
        assertThrows(IllegalArgumentException.class, () -> JavaLoadGen.pingPong(any, 0, 64, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> JavaLoadGen.pingPong(any, 1, 0, 0, 1));
        assertThrows(IllegalArgumentException.class,
                () -> JavaLoadGen.pingPong(any, 1, JavaLoadGen.PATTERN_BYTES + 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> JavaLoadGen.pingPong(any, 1, 64, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> JavaLoadGen.pingPong(any, 1, 64, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> JavaLoadGen.pingPong(any, 1, 64, Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> JavaLoadGen.run(PINGPONG, any, 2, 64, 0, 1, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> JavaLoadGen.run(PINGPONG, any, 2, 64, 0, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> JavaLoadGen.run(STREAM, any, 1,
                JavaLoadGen.PATTERN_BYTES / JavaLoadGen.WINDOW_MESSAGES + 1, 0, 1, 1, 1));
    }

    @Test
    void shouldTakePercentilesByNearestRank() {
        long[] sorted = new long[1000];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = (i + 1) * 1000L; // 1..1000 us
        }
        assertEquals(500.0, JavaLoadGen.percentileUs(sorted, 0.50));
        assertEquals(990.0, JavaLoadGen.percentileUs(sorted, 0.99));
        assertEquals(999.0, JavaLoadGen.percentileUs(sorted, 0.999));
        assertEquals(7.0, JavaLoadGen.percentileUs(new long[] {7000}, 0.999));
        assertTrue(Double.isNaN(JavaLoadGen.percentileUs(new long[0], 0.5)));
    }

    /** Starts the test's server on loopback; each connection is served by a thread of its own. */
    private InetSocketAddress serve(Fault fault) throws IOException {
        listener = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    Socket s = listener.accept();
                    sockets.add(s);
                    sources.add(s.getInetAddress().getHostAddress());
                    Thread t = new Thread(() -> echo(s, fault), "test-echo-" + threads.size());
                    threads.add(t);
                    t.start();
                }
            } catch (IOException closed) {
                // the test is over
            }
        }, "test-echo-accept");
        threads.add(acceptor);
        acceptor.start();
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    private void echo(Socket s, Fault fault) {
        byte[] buf = new byte[4096];
        long at = 0;
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                if (fault == Fault.SWALLOW || s.isOutputShutdown()) {
                    continue; // read on, so that closing sends no reset
                }
                int flip = fault == Fault.FLIP_BYTE_100 ? 100 : fault == Fault.FLIP_BYTE_10 ? 10 : -1;
                if (flip >= 0 && at <= flip && flip < at + n) {
                    buf[(int) (flip - at)] ^= 1;
                }
                out.write(buf, 0, n);
                at += n;
                echoed.addAndGet(n);
                if (fault == Fault.CLOSE_AFTER_64 && at >= 64) {
                    s.shutdownOutput(); // end of stream for the load generator, on every OS
                }
                if (fault == Fault.HOLD_AFTER_12800 && at >= 12_800 && at - n < 12_800) {
                    byte[] held = in.readNBytes(HELD_MESSAGES * 64); // blocks until they were sent
                    out.write(held);
                    at += held.length;
                    echoed.addAndGet(held.length);
                }
            }
            endsOfStream.incrementAndGet();
        } catch (IOException gone) {
            if (String.valueOf(gone.getMessage()).contains("reset")) {
                resets.incrementAndGet(); // "Connection reset": the load generator's SO_LINGER 0 close
            } // else the load generator closed its end another way, or the test closed the socket
        }
    }
}
