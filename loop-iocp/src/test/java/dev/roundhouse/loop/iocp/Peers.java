package dev.roundhouse.loop.iocp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Loops;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.Transport;
import dev.roundhouse.loop.internal.LoopEngine;
import dev.roundhouse.loop.spi.Availability;
import dev.roundhouse.loop.spi.BackendProvider;
import dev.roundhouse.loop.spi.LoopContext;
import dev.roundhouse.loop.spi.Poller;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * Shared helpers of the iocp tests: loops, loopback servers, blocking peers and their ping-pong,
 * payloads, leak probes, loops kept busy by tasks.
 */
final class Peers {
    static final int TIMEOUT_MS = 10_000;
    /** Long enough for a loop kept busy by tasks to look at its port well past twice, 50 µs apart. */
    static final long BUSY_MS = 20;

    private Peers() {
    }

    static EventLoop openIocp() {
        return Loops.open(LoopOptions.builder().backend("iocp").build());
    }

    /** An iocp loop together with its poller, for tests that look at the poller's counters and threads. */
    record Opened(EventLoop loop, IocpPoller poller) {
    }

    /** Opens an iocp loop through a provider that hands out the poller it makes. */
    static Opened openIocpWithPoller() {
        return openIocpWithPoller(LoopOptions.DEFAULTS);
    }

    /** {@link #openIocpWithPoller()} with these options. */
    static Opened openIocpWithPoller(LoopOptions options) {
        IocpProvider iocp = new IocpProvider();
        CompletableFuture<IocpPoller> made = new CompletableFuture<>();
        BackendProvider capturing = new BackendProvider() {
            @Override
            public String name() {
                return iocp.name();
            }

            @Override
            public int priority() {
                return iocp.priority();
            }

            @Override
            public Availability availability() {
                return iocp.availability();
            }

            @Override
            public Set<Capability> capabilities() {
                return iocp.capabilities();
            }

            @Override
            public Poller newPoller(LoopContext context) throws IOException {
                IocpPoller p = (IocpPoller) iocp.newPoller(context);
                made.complete(p);
                return p;
            }
        };
        EventLoop loop = LoopEngine.start(capturing, options); // returns once the poller exists
        return new Opened(loop, made.getNow(null));
    }

    static Server listen(EventLoop loop, Supplier<Protocol> factory) throws Exception {
        return loop.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), factory::get)
                .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Connects {@code loop} to a blocking loopback listener of the test's and returns the accepted
     * end: the loop's connection has a read waiting in the port, and no accept does (a port that
     * holds only accepts is handed to the JDK's thread: {@link HandOver#releaseForAccepts}). Close
     * the returned socket to end it; the connection echoes what it reads.
     */
    static Socket connectedPeer(EventLoop loop) throws Exception {
        return connectedPeer(loop, echo());
    }

    /** {@link #connectedPeer(EventLoop)} with the loop's end served by {@code protocol}. */
    static Socket connectedPeer(EventLoop loop, Protocol protocol) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            loop.connect(listener.getLocalSocketAddress(), protocol).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            listener.setSoTimeout(TIMEOUT_MS);
            Socket s = listener.accept();
            s.setSoTimeout(TIMEOUT_MS);
            return s;
        }
    }

    /** Spins (bounded by {@link #TIMEOUT_MS}) until {@code condition} holds; fails with {@code failure}. */
    static void awaitTrue(BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, failure);
            Thread.onSpinWait();
        }
    }

    /** Waits (bounded) until the loop has published that it may block: it is asleep, or about to be. */
    static void awaitAsleep(EventLoop loop) {
        awaitTrue(((LoopContext) loop)::mayBlock, "the loop never went to sleep");
    }

    /**
     * Waits (bounded) until {@code port} is released: the JDK's I/O thread waits in it (a loop whose
     * port holds only a server's accept releases it at its next poll after the server opened).
     */
    static void awaitReleased(DirectPort port) {
        awaitTrue(port.handOver()::released, "the loop did not release its port within " + TIMEOUT_MS + " ms");
    }

    /**
     * Waits (bounded) until {@code port} is not released: the loop waits in it itself (a loop
     * released because only accepts waited takes it back at its first poll with no task waiting once
     * a connection's operation waits there).
     */
    static void awaitTakenBack(DirectPort port) {
        awaitTrue(() -> !port.handOver().released(),
                "the loop did not take its port back within " + TIMEOUT_MS + " ms");
    }

    static Socket peer(Server server) throws IOException {
        Socket s = new Socket();
        s.connect(server.localAddress(), TIMEOUT_MS);
        s.setSoTimeout(TIMEOUT_MS);
        return s;
    }

    static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    /** A deterministic payload that does not repeat with a short period. */
    static byte[] payload(int n) {
        byte[] b = new byte[n];
        int x = 0x2545F491;
        for (int i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            b[i] = (byte) x;
        }
        return b;
    }

    /** Writes {@code data} and half-closes, on another thread. */
    static CompletableFuture<Void> writeAndShutdown(Socket s, byte[] data) {
        return CompletableFuture.runAsync(() -> {
            try {
                s.getOutputStream().write(data);
                s.shutdownOutput();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Waits (bounded: 5 s in all) for each of {@code threads} to exit; returns the names of those left. */
    static List<String> awaitExit(Collection<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (Thread t : threads) {
            long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (leftMs > 0) {
                t.join(leftMs);
            }
        }
        return threads.stream().filter(Thread::isAlive).map(Thread::getName).sorted().collect(Collectors.toList());
    }

    /**
     * A window of {@code ms} timed by the loop itself (a loop timer the test waits for), followed by
     * one task round trip, so completions posted during the window have been dispatched. For
     * "nothing happens meanwhile" checks; the test thread never sleeps.
     */
    static void quietWindow(EventLoop loop, long ms) throws Exception {
        CompletableFuture<Void> elapsed = new CompletableFuture<>();
        loop.schedule(() -> elapsed.complete(null), ms, TimeUnit.MILLISECONDS);
        elapsed.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        loop.submit(() -> null).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /** An echo protocol: writes back what arrives, closes on EOF. */
    static Protocol echo() {
        return echo(new CountDownLatch(0));
    }

    /** {@link #echo()} that counts {@code lost} down when its connection is lost. */
    static Protocol echo(CountDownLatch lost) {
        return new Protocol() {
            private Transport t;

            @Override
            public void connectionMade(Transport transport) {
                t = transport;
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                t.write(data);
            }

            @Override
            public void connectionLost(Throwable cause) {
                lost.countDown();
            }
        };
    }

    /** Runs {@code settings} on the loop thread (the port's test hooks) and waits for it. */
    static void configure(EventLoop loop, Runnable settings) throws Exception {
        loop.submit(() -> {
            settings.run();
            return null;
        }).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /** A task that re-queues itself while {@code busy}; the future completes when it stops. */
    static CompletableFuture<Void> spin(EventLoop loop, AtomicBoolean busy) {
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        loop.execute(new Runnable() {
            @Override
            public void run() {
                if (busy.get()) {
                    loop.execute(this);
                } else {
                    stopped.complete(null);
                }
            }
        });
        return stopped;
    }

    /** Keeps the loop from ever blocking for {@code ms}: a task that re-queues itself until then. */
    static void keepBusy(EventLoop loop, long ms) throws Exception {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(new Runnable() {
            @Override
            public void run() {
                if (System.nanoTime() - until < 0) {
                    loop.execute(this);
                } else {
                    done.complete(null);
                }
            }
        });
        done.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /** Sends a 64-byte message and reads it back, {@code n} times, calling {@code between} after each; checks every byte. */
    static void pingPong(Socket peer, int n, Callable<?> between) throws Exception {
        peer.setTcpNoDelay(true);
        OutputStream out = peer.getOutputStream();
        InputStream in = peer.getInputStream();
        byte[] message = payload(64);
        for (int i = 0; i < n; i++) {
            message[0] = (byte) i;
            out.write(message);
            byte[] back = in.readNBytes(message.length);
            assertEquals(message.length, back.length, "the echo ended early");
            assertArrayEquals(message, back, "round trip " + i);
            between.call();
        }
    }

    /** Closes every socket of {@code sockets}. */
    static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    /** Skips the calling test unless loops here use the direct port ({@link DirectPort#wanted}). */
    static void assumeDirectPort() {
        Assumptions.assumeTrue(DirectPort.wanted(), "the direct port runs on Linux with the JDK's default I/O threads");
    }
}
