package dev.roundhouse.loop.iocp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.Transport;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
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
    /** The farthest a timer the engine spins toward can be: any look is shorter. */
    private static final long FAR_TIMER_NANOS = IocpPoller.SPIN_BELOW_NANOS - 1;

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
            loop.submit(() -> {
                o.poller().port().looksBeforeRelease(-1); // a slow callback of this cold JVM must not release it
                return null;
            }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
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
            CompletableFuture<Void> stopped = spin(loop, busy);
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
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            loop.submit(() -> {
                o.poller().port().batchWithinNanos(batchWithinNanos);
                return null;
            }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Server server = Peers.listen(loop, Peers::echo);
            List<Socket> sockets = peers(server, 16);
            try {
                bursts(loop, sockets, 20);
            } finally {
                close(sockets);
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
     * Batched waits that take only their first completion (ping-pong: one read waits in the port)
     * back off: after each, the next waits whose first completion counts as at once end at it all
     * the same, so a wake byte is paid for a few of them, not all. A batch that takes several
     * completions (a burst on many connections) starts the count over. Every wait counts as at
     * once here.
     */
    @Test
    void shouldStopBatchingWaitsThatTakeOnlyTheirFirstCompletion() throws Exception {
        int roundTrips = 64;
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            DirectPort port = o.poller().port();
            configure(loop, () -> {
                port.batchWithinNanos(Long.MAX_VALUE);
                port.looksBeforeRelease(-1); // the loop waits in the port all along
            });
            Server server = Peers.listen(loop, Peers::echo);
            long[] before = batches(loop, port);
            // 16 burst peers: with a fixed 32 skips, once a batch began at a burst's last completion
            // every later one did (BatchBackoff's "How many skips"; failed 1 in 150 repeats then)
            List<Socket> sockets = peers(server, 17);
            Socket peer = sockets.get(16);
            try {
                // each message goes out once the loop has run a task after the echo, i.e. after the
                // pass that posted the next read: that read waits in the port
                Callable<?> afterATask = () -> loop.submit(() -> null).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                pingPong(peer, roundTrips, afterATask);
                long[] pingPong = minus(batches(loop, port), before);
                // without the back-off every wait batches: one per round trip
                assertTrue(pingPong[0] <= 12, "batched waits in " + roundTrips + " round trips: " + pingPong[0]);
                assertTrue(pingPong[1] >= 4 && pingPong[1] == pingPong[0], "each of them wasted: " + pingPong[1]);
                assertTrue(pingPong[2] >= roundTrips - 12, "waits that ended at once instead: " + pingPong[2]);

                // the skips left from the ping-pong (up to BatchBackoff.MAX_SKIPS, 16 per burst; one
                // more set if they run out at a burst's last completion), then every burst batches
                int rounds = 20;
                bursts(loop, sockets.subList(0, 16), rounds);
                long[] bursts = minus(batches(loop, port), before, pingPong);
                assertTrue(bursts[0] - bursts[1] >= rounds / 2, "batches that took several completions: "
                        + (bursts[0] - bursts[1]) + " in " + rounds + " bursts");

                // the bursts started the count over: ping-pong batches again after 1, 1-2, 2-4 skips
                // (not after BatchBackoff.MAX_SKIPS)
                pingPong(peer, 8, afterATask);
                long[] again = minus(batches(loop, port), before, pingPong, bursts);
                assertTrue(again[0] >= 2, "batched waits in 8 round trips after the bursts: " + again[0]);
            } finally {
                close(sockets);
            }
        }
    }

    /** Batched, wasted and skipped batches so far, read on the loop thread. */
    private static long[] batches(EventLoop loop, DirectPort port) throws Exception {
        return loop.submit(() -> new long[] {port.batchedWaits(), port.wastedBatches(), port.skippedBatches()})
                .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private static long[] minus(long[] a, long[]... bs) {
        long[] r = a.clone();
        for (long[] b : bs) {
            for (int i = 0; i < r.length; i++) {
                r[i] -= b[i];
            }
        }
        return r;
    }

    /** {@code n} connections to {@code server}, without Nagle's delay. */
    private static List<Socket> peers(Server server, int n) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Socket s = Peers.peer(server);
                sockets.add(s);
                s.setTcpNoDelay(true);
            }
            return sockets;
        } catch (Exception e) {
            close(sockets);
            throw e;
        }
    }

    private static void close(List<Socket> sockets) throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
    }

    /**
     * {@code rounds} times: each of {@code sockets} sends a message while the loop is busy in a
     * task, and every echo comes back intact.
     */
    private static void bursts(EventLoop loop, List<Socket> sockets, int rounds) throws Exception {
        byte[] message = Peers.payload(64);
        for (int round = 0; round < rounds; round++) {
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
    }

    /**
     * When the JDK's event loop of the group ends under the loop (here: the group shut down behind
     * its back), the loop reports it once (at its first wait in the port), keeps running its tasks and timers, and still closes
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
                // as if an operation waited in the port: a loop with none parks without entering it
                o.poller().completions().operationStarted();
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

    /**
     * A loop kept busy by tasks looks at the port (at a wake byte's price) only while an operation
     * waits in it: with nothing open it never does, with a server's accept waiting it does.
     */
    @Test
    void shouldLookAtThePortWhileBusyOnlyWhenAnOperationWaitsInIt() throws Exception {
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            long[] before = looks(o);
            keepBusy(loop, BUSY_MS);
            long[] after = looks(o);
            assertEquals(0L, after[0] - before[0], "looks at a port with nothing waiting in it");
            assertTrue(after[1] > before[1], "the busy loop's polls left the port alone: " + after[1]);

            Server server = Peers.listen(loop, Peers::echo); // an accept waits in the port from now on
            before = looks(o);
            keepBusy(loop, BUSY_MS);
            after = looks(o);
            assertTrue(after[0] > before[0], "looks while an accept waits (one per "
                    + DirectPort.CHECK_INTERVAL_NANOS + " ns at most): " + (after[0] - before[0]));
            server.close().get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * While the engine spins toward a timer closer than {@link IocpPoller#SPIN_BELOW_NANOS} (which
     * the poller declares), its looks at the port are made only while an operation waits in it,
     * once per {@link DirectPort#CHECK_INTERVAL_NANOS} at most, and never release the port, however
     * many. The calls are made on the loop thread, inside a task, as the engine makes them.
     */
    @Test
    void shouldLookAtThePortWhileSpinningWithoutReleasingIt() throws Exception {
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            assertEquals(IocpPoller.SPIN_BELOW_NANOS, o.poller().spinBelowNanos());
            DirectPort port = o.poller().port();
            long[] idle = loop.submit(() -> {
                long looks = port.looks();
                boolean ran = port.lookWhileSpinning(FAR_TIMER_NANOS);
                return new long[] {ran ? 1 : 0, port.looks() - looks};
            }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertEquals(0, idle[0], "nothing waits in the port: no wait in it");
            assertEquals(0, idle[1], "looks with nothing in the port");

            Server server = Peers.listen(loop, Peers::echo); // an accept waits in the port from now on
            long wanted = 4L * Math.max(1, DirectPort.LOOKS_BEFORE_RELEASE);
            long[] spun = loop.submit(() -> {
                long looks = port.looks();
                long polls = 0;
                long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Peers.TIMEOUT_MS);
                while (port.looks() - looks <= wanted && System.nanoTime() - giveUp < 0) {
                    o.poller().pollSpinning(FAR_TIMER_NANOS);
                    polls++;
                }
                return new long[] {port.looks() - looks, polls, port.released() ? 1 : 0};
            }).get(2L * Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertTrue(spun[0] > wanted, "looks at the port while spinning with an accept waiting: "
                    + spun[0] + " in " + spun[1] + " polls");
            assertEquals(0, spun[2], "spinning toward a deadline released the port");
            server.close().get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A spinning loop does not look at the port when its timer is due sooner than twice what a look
     * has taken lately: the look would make the timer late, and what it would find waits only until
     * the timer has run. It looks again when the timer is further off.
     */
    @Test
    void shouldNotLookWhileSpinningWhenTheTimerIsDueSoonerThanALookTakes() throws Exception {
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            DirectPort port = o.poller().port();
            // busy polls of a cold JVM must not release the port (spinning looks do nothing then)
            configure(loop, () -> port.looksBeforeRelease(-1));
            Server server = Peers.listen(loop, Peers::echo); // an accept waits in the port from now on
            long[] r = loop.submit(() -> {
                long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Peers.TIMEOUT_MS);
                long looks = port.looks();
                while (port.looks() == looks && System.nanoTime() - giveUp < 0) {
                    port.lookWhileSpinning(FAR_TIMER_NANOS); // a first look: what one takes
                }
                long lookNanos = port.lookNanos();
                looks = port.looks();
                long deferred = port.deferredLooks();
                while (port.deferredLooks() == deferred && System.nanoTime() - giveUp < 0) {
                    port.lookWhileSpinning(lookNanos); // due about when a look would end
                }
                long looksNear = port.looks() - looks;
                deferred = port.deferredLooks() - deferred;
                looks = port.looks();
                while (port.looks() == looks && System.nanoTime() - giveUp < 0) {
                    port.lookWhileSpinning(FAR_TIMER_NANOS);
                }
                return new long[] {lookNanos, looksNear, deferred, port.looks() - looks};
            }).get(2L * Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertTrue(r[0] > 0 && r[0] <= DirectPort.CHECK_INTERVAL_NANOS, "what a look takes: " + r[0] + " ns");
            assertEquals(0, r[1], "looks toward a timer due sooner than a look takes");
            assertEquals(1, r[2], "looks put off");
            assertEquals(1, r[3], "looks toward a far timer afterwards");
            server.close().get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Released, a spinning loop leaves the port to the JDK's I/O thread: its looks do nothing (no
     * wait in the port, no recapture) and the echo goes on through the thread's posts.
     */
    @Test
    void shouldLeaveAReleasedPortAloneWhileSpinning() throws Exception {
        long[] state = onReleasedEchoLoop(port -> {
            long looks = port.looks();
            long recaptures = port.recaptures();
            long ran = 0;
            for (int i = 0; i < 4 * DirectPort.SHORT_STRETCHES_BEFORE_RECAPTURE; i++) {
                ran += port.lookWhileSpinning(FAR_TIMER_NANOS) ? 1 : 0;
            }
            return new long[] {ran, port.looks() - looks, port.recaptures() - recaptures};
        });
        assertEquals(0, state[0], "waits in the port while released");
        assertEquals(0, state[1], "looks while released");
        assertEquals(0, state[2], "recaptures by spinning looks");
    }

    /**
     * A loop with nothing waiting in its port parks in its queue: another thread's wake-up is an
     * unpark, no wake byte, and a timer a timed park. While an operation waits in the port (a
     * server's accept) the loop waits in the port and a wake-up is a byte. Each wake-up is made
     * once the loop is parked, or with the accept asleep. The server comes first, so that its
     * last wake byte has been read when the idle part begins (a byte not yet read makes later
     * wake-ups skip theirs, which would hide one written to a parked loop).
     */
    @Test
    void shouldParkWithoutThePortWhileNothingWaitsInIt() throws Exception {
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            DirectPort port = o.poller().port();
            assertTrue(loop.submit(port::portWaits).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS) >= 1,
                    "the opening wait, which proves the mechanism, ran in the port");
            Server server = Peers.listen(loop, Peers::echo); // an accept waits in the port from now on
            long parks = loop.submit(port::idleParks).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            long bytes = port.wakeBytes();
            for (int i = 0; i < 3; i++) {
                awaitTrue(((dev.roundhouse.loop.spi.LoopContext) loop)::mayBlock, "the loop never went to sleep");
                loop.submit(() -> null).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
            assertEquals(parks, (long) loop.submit(port::idleParks).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS),
                    "idle parks with an accept in the port");
            assertTrue(port.wakeBytes() > bytes, "no wake byte for a loop waiting in the port");
            server.close().get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);

            awaitTrue(port::parkedIdle, "the loop never parked idle once the server closed");
            bytes = port.wakeBytes();
            long waits = loop.submit(port::portWaits).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            for (int i = 0; i < 20; i++) {
                awaitTrue(port::parkedIdle, "the loop never parked idle");
                int n = i;
                assertEquals(n, loop.submit(() -> n).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
            }
            assertEquals(bytes, port.wakeBytes(), "wake bytes for a loop with nothing in its port");
            assertEquals(waits, (long) loop.submit(port::portWaits).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS),
                    "waits in a port with nothing in it");
            long idleParks = loop.submit(port::idleParks).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertTrue(idleParks - parks >= 20, "idle parks: " + (idleParks - parks));

            CountDownLatch fired = new CountDownLatch(3);
            for (int i = 0; i < 3; i++) { // a timed idle park, no alarm
                loop.schedule(fired::countDown, 2, TimeUnit.MILLISECONDS);
            }
            assertTrue(fired.await(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
        }
    }

    /**
     * A wake-up of a loop waiting in its port (a wake byte, and a request in the queue for a loop
     * that parks) leaves no request behind once the loop is back: the first park after it, here
     * the loop's park once its server is closed and nothing waits in the port, really parks
     * instead of returning at once for a request already served (an idle turn of the loop).
     */
    @Test
    void shouldNotCutAParkShortForAWakeupThePortServed() throws Exception {
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            DirectPort port = o.poller().port();
            CompletionQueue completions = o.poller().completions();
            Server server = Peers.listen(loop, Peers::echo); // an accept waits in the port from now on
            long bytes = port.wakeBytes();
            for (int i = 0; i < 5; i++) {
                awaitTrue(((dev.roundhouse.loop.spi.LoopContext) loop)::mayBlock, "the loop never went to sleep");
                loop.submit(() -> null).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
            assertTrue(port.wakeBytes() > bytes, "no wake byte for a loop waiting in the port");
            long cutShort = loop.submit(completions::awaitsCutShort).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            long parks = loop.submit(port::idleParks).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            // the close wakes the loop in its port too; the accept it ends leaves the port empty
            server.close().get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            awaitTrue(port::parkedIdle, "the loop never parked idle once the server closed");
            assertEquals(cutShort, (long) loop.submit(completions::awaitsCutShort).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS),
                    "parks cut short by a wake-up request the port had served (idle parks since: "
                            + (loop.submit(port::idleParks).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS) - parks) + ")");
        }
    }

    /** Spins (bounded) until {@code condition} holds. */
    private static void awaitTrue(java.util.function.BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Peers.TIMEOUT_MS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, failure);
            Thread.onSpinWait();
        }
    }

    /**
     * The count of operations waiting in the port follows every kind: a server's accept, a
     * connection's read, a write the peer holds back, a connect, and drops back to 0 as they end.
     */
    @Test
    void shouldCountTheOperationsWaitingInThePort() throws Exception {
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            Callable<Integer> outstanding = () -> loop.submit(() -> o.poller().completions().outstanding())
                    .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertEquals(0, outstanding.call(), "a new loop");
            CountDownLatch made = new CountDownLatch(1);
            CountDownLatch lost = new CountDownLatch(1);
            byte[] big = Peers.payload(32 << 20); // far more than loopback's socket buffers hold
            Server server = Peers.listen(loop, () -> new Protocol() {
                @Override
                public void connectionMade(Transport t) {
                    t.write(ByteBuffer.wrap(big)); // its last writes wait until the peer reads
                    made.countDown();
                }

                @Override
                public void dataReceived(ByteBuffer data) {
                }

                @Override
                public void connectionLost(Throwable cause) {
                    lost.countDown();
                }
            });
            assertEquals(1, outstanding.call(), "the server's accept");
            try (Socket peer = Peers.peer(server)) {
                assertTrue(made.await(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
                awaitOutstanding(outstanding, 3, "the next accept, the connection's read and its write");
                byte[] got = peer.getInputStream().readNBytes(big.length);
                assertArrayEquals(big, got, "the bytes the held-back write sent");
                awaitOutstanding(outstanding, 2, "the write delivered once the peer read it all");
                try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    Transport client = loop.connect(plain.getLocalSocketAddress(), Peers.echo())
                            .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    assertEquals(3, outstanding.call(), "the connected client's read too");
                    loop.submit(() -> {
                        client.abort();
                        return null;
                    }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    assertEquals(2, outstanding.call(), "the aborted client's read ended");
                }
            }
            assertTrue(lost.await(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
            assertEquals(1, outstanding.call(), "the peer closed: the connection's read ended");
            server.close().get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertEquals(0, outstanding.call(), "the server closed: its accept ended");
        }
    }

    /**
     * A connect that gets no answer (a full loopback backlog drops the SYN) waits in the port and
     * is counted until it ends (refused once the listener closes).
     */
    @Test
    void shouldCountAConnectWaitingInThePort() throws Exception {
        Peers.Opened o = Peers.openIocpWithPoller();
        List<Socket> fillers = new ArrayList<>();
        try (EventLoop loop = o.loop(); ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Callable<Integer> outstanding = () -> loop.submit(() -> o.poller().completions().outstanding())
                    .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            boolean backlogFull = false;
            for (int i = 0; i < 16 && !backlogFull; i++) { // as the TCK's connect timeout test does
                Socket filler = new Socket();
                fillers.add(filler);
                try {
                    filler.connect(full.getLocalSocketAddress(), 200);
                } catch (SocketTimeoutException noAnswer) {
                    backlogFull = true;
                }
            }
            Assumptions.assumeTrue(backlogFull, "a connect to a full loopback backlog still completes here");
            CompletableFuture<Transport> connect = loop.connect(full.getLocalSocketAddress(), Peers.echo());
            awaitOutstanding(outstanding, 1, "the connect waiting for an answer");
            full.close(); // the SYN's next retry is refused
            Throwable failure = assertThrows(ExecutionException.class,
                    () -> connect.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS)).getCause();
            assertTrue(failure instanceof ConnectException, "refused: " + failure);
            assertEquals(0, outstanding.call(), "the refused connect ended");
        } finally {
            close(fillers);
        }
    }

    /**
     * An outcome delivered on another thread (not expected with the direct port) still ends its
     * operation: when the loop dispatches it.
     */
    @Test
    void shouldEndAnOperationDeliveredOnAnotherThreadWhenItIsDispatched() throws Exception {
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            CountDownLatch dispatched = new CountDownLatch(1);
            Completion<Integer> c = loop.submit(() -> {
                Completion<Integer> started = new Completion<>(o.poller().completions(), "foreign",
                        (v, e) -> dispatched.countDown());
                started.starting();
                return started;
            }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Callable<Integer> outstanding = () -> loop.submit(() -> o.poller().completions().outstanding())
                    .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertEquals(1, outstanding.call(), "the started operation");
            c.completed(7, null); // this test's thread: a post that wakes the port
            assertTrue(dispatched.await(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS), "dispatched");
            assertEquals(0, outstanding.call(), "ended once dispatched");
        }
    }

    /**
     * A loop that tasks keep busy while I/O waits hands the port's wait to the JDK's I/O thread
     * (after {@link DirectPort#LOOKS_BEFORE_RELEASE} looks), and I/O goes on; released and idle, it
     * parks like the hand-off design: echoes, tasks from another thread and timers still reach it;
     * idle long enough, it takes the port back, and reads that wait complete on it again.
     */
    @Test
    void shouldHandThePortToTheJdkThreadWhileBusyAndTakeItBackWhenIdle() throws Exception {
        Assumptions.assumeTrue(DirectPort.LOOKS_BEFORE_RELEASE >= 0, "releasing is switched off");
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            DirectPort port = o.poller().port();
            configure(loop, () -> holdReleased(port));
            Server server = Peers.listen(loop, Peers::echo);
            try (Socket peer = Peers.peer(server)) {
                pingPong(peer, 5, () -> null);
                AtomicBoolean busy = new AtomicBoolean(true);
                CompletableFuture<Void> stopped = spin(loop, busy);
                try {
                    keepBusy(loop, BUSY_MS); // with the spinner: well past two looks 50 µs apart
                    pingPong(peer, 50, () -> null);
                } finally {
                    busy.set(false);
                }
                stopped.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                Callable<long[]> state = () -> loop.submit(() -> new long[] {port.released() ? 1 : 0,
                        port.releases(), port.recaptures(), o.poller().portPosts()})
                        .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                long[] released = state.call();
                assertEquals(1, released[0], "released while busy with I/O waiting");
                assertTrue(released[1] >= 1, "releases: " + released[1]);

                // released and idle: parked in the queue, woken by the I/O thread's posts, by tasks, by timers
                pingPong(peer, 20, () -> null);
                for (int i = 0; i < 20; i++) {
                    assertEquals(i, loop.submit(() -> 0).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS) + i);
                }
                Peers.quietWindow(loop, 5);
                assertEquals(1, state.call()[0], "still released (recapture held off)");

                configure(loop, () -> {
                    port.idleBeforeRecaptureNanos(DirectPort.IDLE_BEFORE_RECAPTURE_NANOS);
                    port.shortStretchNanos(DirectPort.CHECK_INTERVAL_NANOS);
                    port.looksBeforeRelease(-1); // once taken back, stays so for the checks below
                });
                Peers.quietWindow(loop, 20); // idle for longer than that: the port is taken back
                long[] back = state.call();
                assertEquals(0, back[0], "taken back when idle");
                assertTrue(back[2] >= 1, "recaptures: " + back[2]);
                pingPong(peer, 20, () -> loop.submit(() -> null).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
                long portPosts = state.call()[3] - back[3];
                assertTrue(portPosts >= 19, "reads that waited completed on the loop thread again: " + portPosts);
                List<Thread> io = o.poller().ioThreads();
                assertEquals(1, io.size(), "one JDK I/O thread, released and taken back: " + io);
            }
        }
    }

    /**
     * Released, under light traffic that never leaves it idle long (ping-pong), the loop takes the
     * port back after {@link DirectPort#SHORT_STRETCHES_BEFORE_RECAPTURE} short stretches. The
     * traffic is made light for certain: each message is sent only once the loop has parked after
     * the last (a cold JVM's loop can otherwise trail the peer and find every message already
     * waiting, which the next test covers).
     */
    @Test
    void shouldTakeThePortBackUnderLightTraffic() throws Exception {
        Assumptions.assumeTrue(DirectPort.LOOKS_BEFORE_RELEASE >= 0, "releasing is switched off");
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            DirectPort port = o.poller().port();
            configure(loop, () -> onlyTheShortStretchRule(port));
            Server server = Peers.listen(loop, Peers::echo);
            try (Socket peer = Peers.peer(server)) {
                pingPong(peer, 3, () -> null);
                keepBusy(loop, BUSY_MS);
                // one task reads both: a recapture between two reads would go uncounted
                long[] state = loop.submit(() -> new long[] {port.released() ? 1 : 0, port.recaptures()})
                        .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                assertEquals(1, state[0], "released");
                long[] parks = {port.releasedParks()};
                pingPong(peer, 4 * DirectPort.SHORT_STRETCHES_BEFORE_RECAPTURE, () -> {
                    parks[0] = awaitParked(port, parks[0]);
                    return null;
                });
                // taken back at least once (a slow callback of this cold JVM may release it again after)
                long recaptures = loop.submit(port::recaptures).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS) - state[1];
                assertTrue(recaptures >= 1, "taken back under ping-pong: " + recaptures);
            }
        }
    }

    /**
     * Released, a loop that trails its traffic (each poll with no task waiting finds a completion
     * already queued, so it never parks) takes the port back too: such a poll ends a stretch,
     * however many completions it found. The polls are made on the loop thread, inside a task, as
     * the engine makes them.
     */
    @Test
    void shouldTakeThePortBackWhenPollsFindOnlyCompletions() throws Exception {
        long[] polls = onReleasedEchoLoop(port -> {
            long recaptures = port.recaptures();
            int n = 0;
            while (port.released() && n < 2 * DirectPort.SHORT_STRETCHES_BEFORE_RECAPTURE) {
                // no task waits, completions were found (however many): no park
                port.await(-1, true);
                n++;
            }
            return new long[] {n, port.recaptures() - recaptures};
        });
        assertEquals(1, polls[1], "taken back after " + polls[0] + " polls that found completions");
        // the parks that brought this task (after the tasks above) count as short stretches too
        assertTrue(polls[0] <= DirectPort.SHORT_STRETCHES_BEFORE_RECAPTURE, "polls before taking it back: " + polls[0]);
    }

    /** What a test does on the loop thread to a released port; returns its findings. */
    private interface OnReleasedPort {
        long[] run(DirectPort port) throws Exception;
    }

    /**
     * Opens an echo loop whose port the tasks of {@link #keepBusy} released (only the short-stretch
     * rule may take it back), with a peer's read waiting in it; runs {@code onLoop} on the loop
     * thread, as the engine makes its polls, and returns what it found once a ping-pong showed
     * that I/O goes on. Fails if the tasks did not release the port.
     */
    private static long[] onReleasedEchoLoop(OnReleasedPort onLoop) throws Exception {
        Assumptions.assumeTrue(DirectPort.LOOKS_BEFORE_RELEASE >= 0, "releasing is switched off");
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            DirectPort port = o.poller().port();
            configure(loop, () -> onlyTheShortStretchRule(port));
            Server server = Peers.listen(loop, Peers::echo);
            try (Socket peer = Peers.peer(server)) {
                pingPong(peer, 3, () -> null); // a read waits in the port
                keepBusy(loop, BUSY_MS);
                long[] found = loop.submit(() -> port.released() ? onLoop.run(port) : null)
                        .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                assertTrue(found != null, "released by the tasks");
                pingPong(peer, 3, () -> null); // and I/O goes on (the released I/O thread delivers)
                return found;
            }
        }
    }

    /**
     * Completions alone never release the port: polls that found completions (no task waiting)
     * look at the port once per {@link DirectPort#CHECK_INTERVAL_NANOS} while a read waits in it,
     * well past {@link DirectPort#LOOKS_BEFORE_RELEASE} looks, and the loop keeps waiting in it.
     */
    @Test
    void shouldNotReleaseThePortWhileOnlyCompletionsKeepTheLoopBusy() throws Exception {
        Assumptions.assumeTrue(DirectPort.LOOKS_BEFORE_RELEASE >= 0, "releasing is switched off");
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            DirectPort port = o.poller().port();
            Server server = Peers.listen(loop, Peers::echo);
            try (Socket peer = Peers.peer(server)) {
                pingPong(peer, 3, () -> null); // a read waits in the port
                int wanted = 4 * (DirectPort.LOOKS_BEFORE_RELEASE + 1);
                long[] after = loop.submit(() -> {
                    long looks = port.looks();
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Peers.TIMEOUT_MS);
                    while (port.looks() - looks < wanted && !port.released() && System.nanoTime() - deadline < 0) {
                        port.await(-1, true); // looks once the interval since the last has passed
                    }
                    return new long[] {port.looks() - looks, port.released() ? 1 : 0, port.releases()};
                }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                assertEquals(wanted, after[0], "looks at the port");
                assertEquals(0, after[1], "still waiting in the port itself");
                assertEquals(0, after[2], "releases");
                pingPong(peer, 3, () -> null);
            }
        }
    }

    /**
     * Waits (bounded) until the released loop has parked since it had parked {@code since} times,
     * or is no longer released (taken back: it waits in the port, not in its queue); returns the
     * parks counted then.
     */
    private static long awaitParked(DirectPort port, long since) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Peers.TIMEOUT_MS);
        long parks;
        while ((parks = port.releasedParks()) == since && port.released()) {
            assertTrue(System.nanoTime() - deadline < 0, "the released loop did not park within " + Peers.TIMEOUT_MS + " ms");
            Thread.onSpinWait();
        }
        return parks;
    }

    /** A loop closed while its I/O thread is released (waiting in the port) closes cleanly: that thread exits. */
    @Test
    void shouldCloseWhileTheIoThreadIsReleased() throws Exception {
        Assumptions.assumeTrue(DirectPort.LOOKS_BEFORE_RELEASE >= 0, "releasing is switched off");
        Peers.Opened o = Peers.openIocpWithPoller();
        List<Thread> io;
        CountDownLatch lost = new CountDownLatch(1);
        try (EventLoop loop = o.loop()) {
            DirectPort port = o.poller().port();
            configure(loop, () -> holdReleased(port));
            Server server = Peers.listen(loop, () -> Peers.echo(lost));
            Socket peer = Peers.peer(server);
            pingPong(peer, 3, () -> null);
            keepBusy(loop, BUSY_MS);
            assertTrue(loop.submit(port::released).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS), "released");
            io = o.poller().ioThreads();
            peer.close();
        }
        assertTrue(lost.await(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS), "the connection was lost at close");
        assertEquals(List.of(), Peers.awaitExit(io), "the released I/O thread after close");
    }

    private static final long BUSY_MS = 20;

    /** The direct port's looks and skipped looks so far, read on the loop thread. */
    private static long[] looks(Peers.Opened o) throws Exception {
        return o.loop().submit(() -> new long[] {o.poller().port().looks(), o.poller().port().skippedLooks()})
                .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code settings} on the loop thread (the port's test hooks) and waits for it. */
    private static void configure(EventLoop loop, Runnable settings) throws Exception {
        loop.submit(() -> {
            settings.run();
            return null;
        }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Only the short-stretch rule takes a released port back (the idle rule never comes due), and
     * every stretch of this cold JVM counts as short. Loop thread.
     */
    private static void onlyTheShortStretchRule(DirectPort port) {
        port.idleBeforeRecaptureNanos(TimeUnit.SECONDS.toNanos(Peers.TIMEOUT_MS));
        port.shortStretchNanos(TimeUnit.SECONDS.toNanos(1));
    }

    /** Once released, the port stays released: neither rule takes it back. Loop thread. */
    private static void holdReleased(DirectPort port) {
        port.idleBeforeRecaptureNanos(Long.MAX_VALUE);
        port.shortStretchNanos(0);
    }

    /** A task that re-queues itself while {@code busy}; the future completes when it stops. */
    private static CompletableFuture<Void> spin(EventLoop loop, AtomicBoolean busy) {
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
    private static void keepBusy(EventLoop loop, long ms) throws Exception {
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
        done.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /** Waits (bounded) until the loop counts {@code expected} operations waiting in the port. */
    private static void awaitOutstanding(Callable<Integer> outstanding, int expected, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Peers.TIMEOUT_MS);
        int n;
        while ((n = outstanding.call()) != expected) {
            assertTrue(System.nanoTime() - deadline < 0, what + ": expected " + expected + ", counted " + n);
        }
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
