package dev.roundhouse.loop.iocp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Server;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The loop thread as the group's own handler thread ({@link DirectPort}, Linux): operations that
 * had to wait complete on the loop thread, the loop still wakes for other threads, timers and
 * I/O while tasks keep it busy, and the hand-off design remains one switch away.
 */
@Timeout(60)
class DirectPortTest {
    private static final int ROUND_TRIPS = 100;

    @BeforeEach
    void linuxOnly() {
        Assumptions.assumeTrue(DirectPort.wanted(), "the direct port runs on Linux with the JDK's default I/O threads");
    }

    /**
     * An echo round trip whose read waits for the peer has that read's completion posted by the
     * loop thread inside the port (none by the JDK's I/O thread, which the port captured at start);
     * the bytes come back intact and the captured thread exits with the loop.
     */
    @Test
    void shouldCompleteOperationsThatWaitedOnTheLoopThread() throws Exception {
        Peers.Opened o = Peers.openIocpWithPoller();
        List<Thread> io;
        try (EventLoop loop = o.loop()) {
            assertTrue(o.poller().direct(), "the loop runs the group's event loop itself");
            Server server = Peers.listen(loop, Peers::echo);
            long portPostsBefore = loop.submit(() -> o.poller().portPosts()).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            try (Socket peer = Peers.peer(server)) {
                // each message after the first goes out only once the loop has run a task, i.e.
                // after the pass that wrote the echo and posted the next read: that read must wait
                pingPong(peer, ROUND_TRIPS, () -> loop.submit(() -> null).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
            }
            long portPosts = loop.submit(() -> o.poller().portPosts()).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    - portPostsBefore;
            assertTrue(portPosts >= ROUND_TRIPS - 1, "completions posted on the loop thread inside the port: "
                    + portPosts + " for " + ROUND_TRIPS + " round trips (0 when the JDK's I/O thread finishes them)");
            io = o.poller().ioThreads();
            assertEquals(1, io.size(), "the JDK's I/O thread completed only the wake channel's first read: " + io);
        }
        assertEquals(List.of(), Peers.awaitExit(io), "the captured I/O thread after close");
    }

    /**
     * A timer scheduled from another thread while the loop waits in the port for a much later one
     * fires on time: the earlier deadline re-arms the alarm.
     */
    @Test
    void shouldFireAnEarlierTimerScheduledWhileTheLoopWaits() throws Exception {
        try (EventLoop loop = Peers.openIocp()) {
            loop.schedule(() -> { }, 1, TimeUnit.HOURS);
            for (int i = 0; i < 5; i++) {
                CountDownLatch fired = new CountDownLatch(1);
                long start = System.nanoTime();
                loop.schedule(fired::countDown, 20, TimeUnit.MILLISECONDS);
                assertTrue(fired.await(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS), "the 20 ms timer fired");
                assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(20), "not before its deadline");
            }
        }
    }

    /**
     * While a task keeps re-queuing itself (the loop never blocks), bytes from a peer are still
     * read and echoed: the port is looked at between tasks.
     */
    @Test
    void shouldKeepDoingIoWhileTasksKeepTheLoopBusy() throws Exception {
        try (EventLoop loop = Peers.openIocp()) {
            Server server = Peers.listen(loop, Peers::echo);
            AtomicBoolean busy = new AtomicBoolean(true);
            CompletableFuture<Void> stopped = new CompletableFuture<>();
            Runnable spinner = new Runnable() {
                @Override
                public void run() {
                    if (busy.get()) {
                        loop.execute(this);
                    } else {
                        stopped.complete(null);
                    }
                }
            };
            loop.execute(spinner);
            try (Socket peer = Peers.peer(server)) {
                pingPong(peer, 50, () -> null);
            } finally {
                busy.set(false);
            }
            stopped.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Messages that all arrive while the loop is busy are all echoed, intact, whether each wait
     * returns at its first completion or takes every completion already waiting (the batching path,
     * forced on and off here; the loop picks by how soon the first one came).
     */
    @ParameterizedTest(name = "batch within {0} ns")
    @ValueSource(longs = {0, Long.MAX_VALUE})
    void shouldEchoEveryMessageThatArrivedWhileTheLoopWasBusy(long batchWithinNanos) throws Exception {
        int peers = 16;
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            loop.submit(() -> {
                o.poller().port().batchWithinNanos(batchWithinNanos);
                return null;
            }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Server server = Peers.listen(loop, Peers::echo);
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < peers; i++) {
                    Socket s = Peers.peer(server);
                    s.setTcpNoDelay(true);
                    sockets.add(s);
                }
                byte[] message = Peers.payload(64);
                for (int round = 0; round < 20; round++) {
                    CountDownLatch sent = new CountDownLatch(1);
                    CompletableFuture<Void> blocked = loop.submit(() -> {
                        sent.await(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS); // the loop is busy meanwhile
                        return null;
                    });
                    message[0] = (byte) round;
                    for (Socket s : sockets) {
                        s.getOutputStream().write(message);
                    }
                    sent.countDown();
                    blocked.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    for (Socket s : sockets) {
                        assertArrayEquals(message, s.getInputStream().readNBytes(message.length), "round " + round);
                    }
                }
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
            long batched = loop.submit(() -> o.poller().port().batchedWaits()).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (batchWithinNanos == 0) {
                assertEquals(0, batched, "no wait batches");
            } else {
                assertTrue(batched > 0, "waits that took every completion already waiting: " + batched);
            }
        }
    }

    /**
     * When the JDK's event loop of the group ends under the loop (here: the group shut down behind
     * its back), the loop reports it once, keeps running its tasks and timers, and still closes
     * cleanly (the TCK's leak checks would see a left-over thread; here the captured one is joined).
     */
    @Test
    void shouldReportAnEndedPortOnceAndKeepRunningTasks() throws Exception {
        List<String> reported = new CopyOnWriteArrayList<>();
        Peers.Opened o = Peers.openIocpWithPoller(LoopOptions.builder()
                .exceptionHandler((l, context, error) -> reported.add(context + ": " + error.getMessage())).build());
        List<Thread> io;
        try (EventLoop loop = o.loop()) {
            loop.submit(() -> {
                o.poller().port().group().shutdownNow();
                return null;
            }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            for (int i = 0; i < 3; i++) {
                CountDownLatch fired = new CountDownLatch(1);
                loop.schedule(fired::countDown, 5, TimeUnit.MILLISECONDS);
                assertTrue(fired.await(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS), "a timer still fires");
                assertEquals(7, loop.submit(() -> 7).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS), "a task still runs");
            }
            assertEquals(1, reported.size(), "reported once: " + reported);
            assertTrue(reported.get(0).contains("event loop of the iocp group ended"), reported.get(0));
            io = o.poller().ioThreads();
        }
        assertEquals(List.of(), Peers.awaitExit(io), "the captured I/O thread after close");
    }

    /** {@code -Droundhouse.iocp.completions=handoff} gives the hand-off design: no direct port. */
    @Test
    void shouldUseTheHandOffWhenSwitchedOff() throws Exception {
        System.setProperty(DirectPort.COMPLETIONS_PROPERTY, "handoff");
        Peers.Opened o;
        try {
            o = Peers.openIocpWithPoller();
        } finally {
            System.clearProperty(DirectPort.COMPLETIONS_PROPERTY);
        }
        try (EventLoop loop = o.loop()) {
            assertFalse(o.poller().direct(), "the hand-off design");
            Server server = Peers.listen(loop, Peers::echo);
            try (Socket peer = Peers.peer(server)) {
                pingPong(peer, 20, () -> null);
            }
            assertEquals(0L, loop.submit(() -> o.poller().portPosts()).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
        }
    }

    /** Sends a 64-byte message and reads it back, {@code n} times, calling {@code between} after each; checks every byte. */
    private static void pingPong(Socket peer, int n, Callable<?> between) throws Exception {
        peer.setTcpNoDelay(true);
        OutputStream out = peer.getOutputStream();
        InputStream in = peer.getInputStream();
        byte[] message = Peers.payload(64);
        for (int i = 0; i < n; i++) {
            message[0] = (byte) i;
            out.write(message);
            byte[] back = in.readNBytes(message.length);
            assertEquals(message.length, back.length, "the echo ended early");
            assertArrayEquals(message, back, "round trip " + i);
            between.call();
        }
    }
}
