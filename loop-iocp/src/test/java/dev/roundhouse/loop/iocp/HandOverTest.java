package dev.roundhouse.loop.iocp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Server;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link DirectPort}'s {@link HandOver} (Linux): a loop that tasks keep busy while I/O waits
 * hands the port's wait to the JDK's I/O thread and I/O goes on; completions alone never release
 * it; light traffic, idleness, or polls that find only completions take it back; a loop closes
 * cleanly while released.
 */
@Timeout(60)
class HandOverTest {
    @BeforeEach
    void linuxOnly() {
        Peers.assumeDirectPort();
    }

    /**
     * Released, a spinning loop leaves the port to the JDK's I/O thread: its looks do nothing (no
     * wait in the port, no recapture) and the echo goes on through the thread's posts.
     */
    @Test
    void shouldLeaveAReleasedPortAloneWhileSpinning() throws Exception {
        long[] state = onReleasedEchoLoop(port -> {
            long looks = port.lookSchedule().looks();
            long recaptures = port.handOver().recaptures();
            long ran = 0;
            for (int i = 0; i < 4 * HandOver.SHORT_STRETCHES_BEFORE_RECAPTURE; i++) {
                ran += port.lookWhileSpinning(DirectPortTest.FAR_TIMER_NANOS) ? 1 : 0;
            }
            return new long[] {ran, port.lookSchedule().looks() - looks, port.handOver().recaptures() - recaptures};
        });
        assertEquals(0, state[0], "waits in the port while released");
        assertEquals(0, state[1], "looks while released");
        assertEquals(0, state[2], "recaptures by spinning looks");
    }

    /**
     * A loop that tasks keep busy while I/O waits hands the port's wait to the JDK's I/O thread
     * (after {@link LookSchedule#LOOKS_BEFORE_RELEASE} looks), and I/O goes on; released and idle, it
     * parks like the hand-off design: echoes, tasks from another thread and timers still reach it;
     * idle long enough, it takes the port back, and reads that wait complete on it again.
     */
    @Test
    void shouldHandThePortToTheJdkThreadWhileBusyAndTakeItBackWhenIdle() throws Exception {
        onEchoLoop(HandOverTest::holdReleased, (o, port, peer) -> {
            EventLoop loop = o.loop();
            Peers.pingPong(peer, 5, () -> null);
            AtomicBoolean busy = new AtomicBoolean(true);
            CompletableFuture<Void> stopped = Peers.spin(loop, busy);
            try {
                Peers.keepBusy(loop, Peers.BUSY_MS); // with the spinner: well past two looks 50 µs apart
                Peers.pingPong(peer, 50, () -> null);
            } finally {
                busy.set(false);
            }
            stopped.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Callable<long[]> state = () -> loop.submit(() -> new long[] {port.handOver().released() ? 1 : 0,
                    port.handOver().releases(), port.handOver().recaptures(), o.poller().portPosts()})
                    .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            long[] released = state.call();
            assertEquals(1, released[0], "released while busy with I/O waiting");
            assertTrue(released[1] >= 1, "releases: " + released[1]);

            // released and idle: parked in the queue, woken by the I/O thread's posts, by tasks, by timers
            Peers.pingPong(peer, 20, () -> null);
            for (int i = 0; i < 20; i++) {
                assertEquals(i, loop.submit(() -> 0).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS) + i);
            }
            Peers.quietWindow(loop, 5);
            assertEquals(1, state.call()[0], "still released (recapture held off)");

            Peers.configure(loop, () -> {
                port.handOver().idleBeforeRecaptureNanos(HandOver.IDLE_BEFORE_RECAPTURE_NANOS);
                port.handOver().shortStretchNanos(LookSchedule.CHECK_INTERVAL_NANOS);
                port.lookSchedule().looksBeforeRelease(-1); // once taken back, stays so for the checks below
            });
            Peers.quietWindow(loop, 20); // idle for longer than that: the port is taken back
            long[] back = state.call();
            assertEquals(0, back[0], "taken back when idle");
            assertTrue(back[2] >= 1, "recaptures: " + back[2]);
            Peers.pingPong(peer, 20, () -> loop.submit(() -> null).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
            long portPosts = state.call()[3] - back[3];
            assertTrue(portPosts >= 19, "reads that waited completed on the loop thread again: " + portPosts);
            List<Thread> io = o.poller().ioThreads();
            assertEquals(1, io.size(), "one JDK I/O thread, released and taken back: " + io);
        });
    }

    /**
     * Released, under light traffic that never leaves it idle long (ping-pong), the loop takes the
     * port back after {@link HandOver#SHORT_STRETCHES_BEFORE_RECAPTURE} short stretches. The
     * traffic is made light for certain: each message is sent only once the loop has parked after
     * the last (a cold JVM's loop can otherwise trail the peer and find every message already
     * waiting, which the next test covers).
     */
    @Test
    void shouldTakeThePortBackUnderLightTraffic() throws Exception {
        onEchoLoop(HandOverTest::onlyTheShortStretchRule, (o, port, peer) -> {
            EventLoop loop = o.loop();
            Peers.pingPong(peer, 3, () -> null);
            Peers.keepBusy(loop, Peers.BUSY_MS);
            // one task reads both: a recapture between two reads would go uncounted
            HandOver handOver = port.handOver();
            long[] state = loop.submit(() -> new long[] {handOver.released() ? 1 : 0, handOver.recaptures()})
                    .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertEquals(1, state[0], "released");
            long[] parks = {port.handOver().releasedParks()};
            Peers.pingPong(peer, 4 * HandOver.SHORT_STRETCHES_BEFORE_RECAPTURE, () -> {
                parks[0] = awaitParked(port, parks[0]);
                return null;
            });
            // taken back at least once (a slow callback of this cold JVM may release it again after)
            long recaptures = loop.submit(handOver::recaptures)
                    .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS) - state[1];
            assertTrue(recaptures >= 1, "taken back under ping-pong: " + recaptures);
        });
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
            long recaptures = port.handOver().recaptures();
            int n = 0;
            while (port.handOver().released() && n < 2 * HandOver.SHORT_STRETCHES_BEFORE_RECAPTURE) {
                // no task waits, completions were found (however many): no park
                port.await(-1, true);
                n++;
            }
            return new long[] {n, port.handOver().recaptures() - recaptures};
        });
        assertEquals(1, polls[1], "taken back after " + polls[0] + " polls that found completions");
        // the parks that brought this task (after the tasks above) count as short stretches too
        assertTrue(polls[0] <= HandOver.SHORT_STRETCHES_BEFORE_RECAPTURE, "polls before taking it back: " + polls[0]);
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
        long[][] found = new long[1][];
        onEchoLoop(HandOverTest::onlyTheShortStretchRule, (o, port, peer) -> {
            Peers.pingPong(peer, 3, () -> null); // a read waits in the port
            Peers.keepBusy(o.loop(), Peers.BUSY_MS);
            found[0] = o.loop().submit(() -> port.handOver().released() ? onLoop.run(port) : null)
                    .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertTrue(found[0] != null, "released by the tasks");
            Peers.pingPong(peer, 3, () -> null); // and I/O goes on (the released I/O thread delivers)
        });
        return found[0];
    }

    /** What a test does with an echo loop's port and a peer connected to it. */
    private interface OnEchoLoop {
        void run(Peers.Opened o, DirectPort port, Socket peer) throws Exception;
    }

    /**
     * Opens an iocp loop with an echo server (skipped if releasing is switched off), applies
     * {@code settings} to its port on the loop thread, connects a peer and runs {@code test}; closes
     * the peer and the loop after it.
     */
    private static void onEchoLoop(Consumer<DirectPort> settings, OnEchoLoop test) throws Exception {
        Assumptions.assumeTrue(LookSchedule.LOOKS_BEFORE_RELEASE >= 0, "releasing is switched off");
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            DirectPort port = o.poller().port();
            Peers.configure(loop, () -> settings.accept(port));
            Server server = Peers.listen(loop, Peers::echo);
            Peers.awaitReleased(port); // only the accept waits in the port
            try (Socket peer = Peers.peer(server)) {
                Peers.awaitTakenBack(port); // released while only the accept waited, taken back for the read
                test.run(o, port, peer);
            }
        }
    }

    /**
     * Completions alone never release the port: polls that found completions (no task waiting)
     * look at the port once per {@link LookSchedule#CHECK_INTERVAL_NANOS} while a read waits in it,
     * well past {@link LookSchedule#LOOKS_BEFORE_RELEASE} looks, and the loop keeps waiting in it.
     */
    @Test
    void shouldNotReleaseThePortWhileOnlyCompletionsKeepTheLoopBusy() throws Exception {
        onEchoLoop(port -> { }, (o, port, peer) -> {
            EventLoop loop = o.loop();
            Peers.pingPong(peer, 3, () -> null); // a read waits in the port
            int wanted = 4 * (LookSchedule.LOOKS_BEFORE_RELEASE + 1);
            long[] after = loop.submit(() -> {
                LookSchedule schedule = port.lookSchedule();
                long looks = schedule.looks();
                long releases = port.handOver().releases();
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Peers.TIMEOUT_MS);
                HandOver handOver = port.handOver();
                while (schedule.looks() - looks < wanted && !handOver.released() && System.nanoTime() - deadline < 0) {
                    port.await(-1, true); // looks once the interval since the last has passed
                }
                return new long[] {schedule.looks() - looks, handOver.released() ? 1 : 0, handOver.releases() - releases};
            }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertEquals(wanted, after[0], "looks at the port");
            assertEquals(0, after[1], "still waiting in the port itself");
            assertEquals(0, after[2], "releases");
            Peers.pingPong(peer, 3, () -> null);
        });
    }

    /**
     * Waits (bounded) until the released loop has parked since it had parked {@code since} times,
     * or is no longer released (taken back: it waits in the port, not in its queue); returns the
     * parks counted then.
     */
    private static long awaitParked(DirectPort port, long since) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Peers.TIMEOUT_MS);
        long parks;
        while ((parks = port.handOver().releasedParks()) == since && port.handOver().released()) {
            assertTrue(System.nanoTime() - deadline < 0,
                    "the released loop did not park within " + Peers.TIMEOUT_MS + " ms");
            Thread.onSpinWait();
        }
        return parks;
    }

    /**
     * A loop whose port holds only a server's accept hands the wait in it to the JDK's I/O thread:
     * another thread's wake-ups are unparks, no wake byte, and a timer fires from a timed park. A
     * connection arriving is accepted through that thread; once its read waits in the port the loop
     * takes the port back, and reads that wait complete on the loop thread again; when the
     * connection is gone and only the accept waits, the loop hands the port over once more.
     */
    @Test
    void shouldHandThePortToTheJdkThreadWhileOnlyAnAcceptWaitsInIt() throws Exception {
        Peers.Opened o = Peers.openIocpWithPoller();
        List<Thread> io;
        try (EventLoop loop = o.loop()) {
            DirectPort port = o.poller().port();
            HandOver handOver = port.handOver();
            CountDownLatch lost = new CountDownLatch(1);
            Server server = Peers.listen(loop, () -> Peers.echo(lost));
            Peers.awaitReleased(port);
            Callable<long[]> state = () -> loop.submit(() -> new long[] {handOver.releasedForAccepts() ? 1 : 0,
                    handOver.acceptReleases(), handOver.recaptures(), o.poller().portPosts()})
                    .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            long[] idle = state.call();
            assertEquals(1, idle[0], "released while only the accept waits");
            assertEquals(1, idle[1], "releases for accepts");
            long bytes = port.wakeBytes();
            long parks = handOver.releasedParks();
            for (int i = 0; i < 20; i++) {
                Peers.awaitAsleep(loop); // each task goes to a loop parked in its queue
                int n = i;
                assertEquals(n, loop.submit(() -> n).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
            }
            CountDownLatch fired = new CountDownLatch(1);
            loop.schedule(fired::countDown, 2, TimeUnit.MILLISECONDS);
            assertTrue(fired.await(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS), "a timer of the released loop");
            assertEquals(bytes, port.wakeBytes(), "wake bytes for a loop whose port holds only an accept");
            assertEquals(1, state.call()[0], "still released for the accept");
            assertTrue(handOver.releasedParks() - parks >= 20, "parks in the queue: " + (handOver.releasedParks() - parks));

            try (Socket peer = Peers.peer(server)) {
                Peers.awaitTakenBack(port);
                long[] back = state.call();
                assertEquals(idle[2] + 1, back[2], "taken back once the connection's read waited");
                // each message goes out once the loop has run a task after the echo: its read waits
                Peers.pingPong(peer, 20, () -> loop.submit(() -> null).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
                long portPosts = state.call()[3] - back[3];
                assertTrue(portPosts >= 19, "reads that waited completed on the loop thread: " + portPosts);
            }
            assertTrue(lost.await(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS), "the connection was lost");
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Peers.TIMEOUT_MS);
            long[] again;
            while ((again = state.call())[1] < 2) { // the loop's next wait with only the accept left
                assertTrue(System.nanoTime() - deadline < 0, "not handed over again: " + again[1]);
            }
            io = o.poller().ioThreads();
            assertEquals(1, io.size(), "one JDK I/O thread, released and taken back: " + io);
        }
        assertEquals(List.of(), Peers.awaitExit(io), "the JDK's I/O thread after close");
    }

    /** A loop closed while its I/O thread is released (waiting in the port) closes cleanly: that thread exits. */
    @Test
    void shouldCloseWhileTheIoThreadIsReleased() throws Exception {
        Assumptions.assumeTrue(LookSchedule.LOOKS_BEFORE_RELEASE >= 0, "releasing is switched off");
        Peers.Opened o = Peers.openIocpWithPoller();
        List<Thread> io;
        CountDownLatch lost = new CountDownLatch(1);
        try (EventLoop loop = o.loop()) {
            DirectPort port = o.poller().port();
            Peers.configure(loop, () -> holdReleased(port));
            Server server = Peers.listen(loop, () -> Peers.echo(lost));
            Socket peer = Peers.peer(server);
            Peers.pingPong(peer, 3, () -> null);
            Peers.keepBusy(loop, Peers.BUSY_MS);
            assertTrue(loop.submit(port.handOver()::released).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS), "released");
            io = o.poller().ioThreads();
            peer.close();
        }
        assertTrue(lost.await(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS), "the connection was lost at close");
        assertEquals(List.of(), Peers.awaitExit(io), "the released I/O thread after close");
    }

    /**
     * Only the short-stretch rule takes a released port back (the idle rule never comes due), and
     * every stretch of this cold JVM counts as short. Loop thread.
     */
    private static void onlyTheShortStretchRule(DirectPort port) {
        port.handOver().idleBeforeRecaptureNanos(TimeUnit.SECONDS.toNanos(Peers.TIMEOUT_MS));
        port.handOver().shortStretchNanos(TimeUnit.SECONDS.toNanos(1));
    }

    /** Once released, the port stays released: neither rule takes it back. Loop thread. */
    private static void holdReleased(DirectPort port) {
        port.handOver().idleBeforeRecaptureNanos(Long.MAX_VALUE);
        port.handOver().shortStretchNanos(0);
    }
}
