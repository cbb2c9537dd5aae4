package dev.roundhouse.loop.iocp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.Transport;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
    static final long FAR_TIMER_NANOS = IocpPoller.SPIN_BELOW_NANOS - 1;

    @BeforeEach
    void linuxOnly() {
        Peers.assumeDirectPort();
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
                // a slow callback of this cold JVM must not release it
                o.poller().port().lookSchedule().looksBeforeRelease(-1);
                return null;
            }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Server server = Peers.listen(loop, Peers::echo);
            long portPostsBefore = loop.submit(() -> o.poller().portPosts()).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            try (Socket peer = Peers.peer(server)) {
                // each message after the first goes out only once the loop has run a task, i.e.
                // after the pass that wrote the echo and posted the next read: that read must wait
                Peers.pingPong(peer, ROUND_TRIPS, () -> loop.submit(() -> null).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
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
            CompletableFuture<Void> stopped = Peers.spin(loop, busy);
            try (Socket peer = Peers.peer(server)) {
                Peers.pingPong(peer, 50, () -> null);
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
                Peers.closeAll(sockets);
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
            Peers.configure(loop, () -> {
                port.batchWithinNanos(Long.MAX_VALUE);
                port.lookSchedule().looksBeforeRelease(-1); // the loop waits in the port all along
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
                Peers.pingPong(peer, roundTrips, afterATask);
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
                Peers.pingPong(peer, 8, afterATask);
                long[] again = minus(batches(loop, port), before, pingPong, bursts);
                assertTrue(again[0] >= 2, "batched waits in 8 round trips after the bursts: " + again[0]);
            } finally {
                Peers.closeAll(sockets);
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
            Peers.closeAll(sockets);
            throw e;
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
                o.poller().completions().operationStarted(false);
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
     * A loop kept busy by tasks looks at the port (at a wake byte's price) only while a connection's
     * operation waits in it: with nothing open it never does; with only a server's accept waiting
     * it hands the port to the JDK's thread instead and never does either; with a connection's read
     * waiting it does.
     */
    @Test
    void shouldLookAtThePortWhileBusyOnlyWhenAnOperationWaitsInIt() throws Exception {
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            DirectPort port = o.poller().port();
            long[] before = looks(o);
            Peers.keepBusy(loop, Peers.BUSY_MS);
            long[] after = looks(o);
            assertEquals(0L, after[0] - before[0], "looks at a port with nothing waiting in it");
            assertTrue(after[1] > before[1], "the busy loop's polls left the port alone: " + after[1]);

            Server server = Peers.listen(loop, Peers::echo); // only an accept waits in the port
            before = looks(o);
            Peers.keepBusy(loop, Peers.BUSY_MS);
            after = looks(o);
            assertEquals(0L, after[0] - before[0], "looks while only an accept waits");
            assertTrue(loop.submit(port.handOver()::releasedForAccepts).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS),
                    "the port was handed to the JDK's thread for the accept");
            server.close().get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);

            try (Socket peer = Peers.connectedPeer(loop)) { // a read waits in the port from now on
                Peers.awaitTakenBack(port);
                before = looks(o);
                Peers.keepBusy(loop, Peers.BUSY_MS);
                after = looks(o);
                assertTrue(after[0] > before[0], "looks while a read waits (one per "
                        + LookSchedule.CHECK_INTERVAL_NANOS + " ns at most): " + (after[0] - before[0]));
            }
        }
    }

    /**
     * While the engine spins toward a timer closer than {@link IocpPoller#SPIN_BELOW_NANOS} (which
     * the poller declares), its looks at the port are made only while an operation waits in it,
     * once per {@link LookSchedule#CHECK_INTERVAL_NANOS} at most, and never release the port, however
     * many. The calls are made on the loop thread, inside a task, as the engine makes them.
     */
    @Test
    void shouldLookAtThePortWhileSpinningWithoutReleasingIt() throws Exception {
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            assertEquals(IocpPoller.SPIN_BELOW_NANOS, o.poller().spinBelowNanos());
            DirectPort port = o.poller().port();
            long[] idle = loop.submit(() -> {
                long looks = port.lookSchedule().looks();
                boolean ran = port.lookWhileSpinning(FAR_TIMER_NANOS);
                return new long[] {ran ? 1 : 0, port.lookSchedule().looks() - looks};
            }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertEquals(0, idle[0], "nothing waits in the port: no wait in it");
            assertEquals(0, idle[1], "looks with nothing in the port");

            Socket peer = Peers.connectedPeer(loop); // a read waits in the port from now on
            Peers.awaitTakenBack(port);
            long wanted = 4L * Math.max(1, LookSchedule.LOOKS_BEFORE_RELEASE);
            long[] spun = loop.submit(() -> {
                long looks = port.lookSchedule().looks();
                long polls = 0;
                long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Peers.TIMEOUT_MS);
                while (port.lookSchedule().looks() - looks <= wanted && System.nanoTime() - giveUp < 0) {
                    o.poller().pollSpinning(FAR_TIMER_NANOS);
                    polls++;
                }
                return new long[] {port.lookSchedule().looks() - looks, polls, port.handOver().released() ? 1 : 0};
            }).get(2L * Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertTrue(spun[0] > wanted, "looks at the port while spinning with a read waiting: "
                    + spun[0] + " in " + spun[1] + " polls");
            assertEquals(0, spun[2], "spinning toward a deadline released the port");
            peer.close();
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
            // busy polls of a cold JVM must not release the port (spinning looks do nothing then),
            // nor a loop thread held off past the bound end the put-off (LookScheduleTest checks it)
            Peers.configure(loop, () -> {
                port.lookSchedule().looksBeforeRelease(-1);
                port.lookSchedule().maxDeferralNanos(Long.MAX_VALUE);
            });
            Socket peer = Peers.connectedPeer(loop); // a read waits in the port from now on
            Peers.awaitTakenBack(port);
            long[] r = loop.submit(() -> {
                long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Peers.TIMEOUT_MS);
                long looks = port.lookSchedule().looks();
                while (port.lookSchedule().looks() == looks && System.nanoTime() - giveUp < 0) {
                    port.lookWhileSpinning(FAR_TIMER_NANOS); // a first look: what one takes
                }
                long lookNanos = port.lookSchedule().lookNanos();
                looks = port.lookSchedule().looks();
                long deferred = port.lookSchedule().deferred();
                while (port.lookSchedule().deferred() == deferred && System.nanoTime() - giveUp < 0) {
                    port.lookWhileSpinning(lookNanos); // due about when a look would end
                }
                long looksNear = port.lookSchedule().looks() - looks;
                deferred = port.lookSchedule().deferred() - deferred;
                looks = port.lookSchedule().looks();
                while (port.lookSchedule().looks() == looks && System.nanoTime() - giveUp < 0) {
                    port.lookWhileSpinning(FAR_TIMER_NANOS);
                }
                return new long[] {lookNanos, looksNear, deferred, port.lookSchedule().looks() - looks};
            }).get(2L * Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertTrue(r[0] > 0 && r[0] <= LookSchedule.CHECK_INTERVAL_NANOS, "what a look takes: " + r[0] + " ns");
            assertEquals(0, r[1], "looks toward a timer due sooner than a look takes");
            assertEquals(1, r[2], "looks put off");
            assertEquals(1, r[3], "looks toward a far timer afterwards");
            peer.close();
        }
    }

    /**
     * A loop with nothing waiting in its port parks in its queue: another thread's wake-up is an
     * unpark, no wake byte, and a timer a timed park. While an operation waits in the port (a
     * connection's read) the loop waits in the port and a wake-up is a byte. Each wake-up is made
     * once the loop is parked, or with the read asleep. The connection comes first, so that its
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
            CountDownLatch lost = new CountDownLatch(1);
            Socket peer = Peers.connectedPeer(loop, Peers.echo(lost)); // a read waits in the port from now on
            Peers.awaitTakenBack(port);
            long parks = loop.submit(port::idleParks).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            long bytes = port.wakeBytes();
            for (int i = 0; i < 3; i++) {
                Peers.awaitAsleep(loop);
                loop.submit(() -> null).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
            assertEquals(parks, (long) loop.submit(port::idleParks).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS),
                    "idle parks with a read in the port");
            assertTrue(port.wakeBytes() > bytes, "no wake byte for a loop waiting in the port");
            peer.close();
            assertTrue(lost.await(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS), "the connection was lost");

            Peers.awaitTrue(port::parkedIdle, "the loop never parked idle once the connection closed");
            bytes = port.wakeBytes();
            long waits = loop.submit(port::portWaits).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            for (int i = 0; i < 20; i++) {
                Peers.awaitTrue(port::parkedIdle, "the loop never parked idle");
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
     * the loop's park once its connection is closed and nothing waits in the port, really parks
     * instead of returning at once for a request already served (an idle turn of the loop).
     */
    @Test
    void shouldNotCutAParkShortForAWakeupThePortServed() throws Exception {
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            DirectPort port = o.poller().port();
            CompletionQueue completions = o.poller().completions();
            Recorder recorder = new Recorder();
            Socket peer = Peers.connectedPeer(loop, recorder); // a read waits in the port from now on
            Peers.awaitTakenBack(port);
            Transport transport = recorder.made.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            long bytes = port.wakeBytes();
            for (int i = 0; i < 5; i++) {
                Peers.awaitAsleep(loop);
                loop.submit(() -> null).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
            assertTrue(port.wakeBytes() > bytes, "no wake byte for a loop waiting in the port");
            long cutShort = loop.submit(completions::awaitsCutShort).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            long parks = loop.submit(port::idleParks).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            // the close wakes the loop in its port too; the read it ends leaves the port empty
            loop.submit(() -> {
                transport.close();
                return null;
            }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Peers.awaitTrue(port::parkedIdle, "the loop never parked idle once the connection closed");
            assertEquals(cutShort, (long) loop.submit(completions::awaitsCutShort).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS),
                    "parks cut short by a wake-up request the port had served (idle parks since: "
                            + (loop.submit(port::idleParks).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS) - parks) + ")");
            peer.close();
        }
    }

    /** The direct port's looks and skipped looks so far, read on the loop thread. */
    private static long[] looks(Peers.Opened o) throws Exception {
        return o.loop().submit(() -> {
            LookSchedule schedule = o.poller().port().lookSchedule();
            return new long[] {schedule.looks(), schedule.skipped()};
        }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
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
                Peers.pingPong(peer, 20, () -> null);
            }
            assertEquals(0L, loop.submit(() -> o.poller().portPosts()).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
        }
    }
}
