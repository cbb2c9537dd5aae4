package dev.roundhouse.loop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopClosedException;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.Loops;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.TimerHandle;
import dev.roundhouse.loop.Trigger;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The loop's lifecycle and cross-thread machinery: shutdown (accepted tasks run, later ones are
 * rejected, pending timers cancelled), graceful shutdown's quiet period and timeout, wakeups,
 * execute racing close, and stall detection. Runs on every backend.
 */
public abstract class LifecycleTck extends BackendTck {

    /** Shutdown: tasks accepted before shutdown completes all run; afterwards execute/submit/schedule/listen/connect are rejected. */
    @Test
    @Timeout(30)
    void shouldRunAcceptedTasksAndRejectLaterOnesWithLoopClosedException() throws Exception {
        EventLoop loop = openLoop();
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong ran = new AtomicLong();
        loop.execute(() -> Await.await(release, "the test's release")); // keeps the loop busy
        for (int i = 0; i < 1000; i++) {
            loop.execute(ran::incrementAndGet);
        }
        TimerHandle pending = loop.schedule(ran::incrementAndGet, 1, TimeUnit.HOURS);
        loop.shutdownGracefully(Duration.ZERO, Duration.ZERO);
        assertTrue(loop.isShuttingDown());
        int acceptedDuringShutdown = 0;
        for (int i = 0; i < 1000; i++) {
            try {
                loop.execute(ran::incrementAndGet);
                acceptedDuringShutdown++;
            } catch (LoopClosedException rejected) {
                break; // cannot happen before the loop is released, but is not a failure
            }
        }
        release.countDown();
        Await.get(loop.terminationFuture(), "termination");
        assertEquals(1000 + acceptedDuringShutdown, ran.get(), "every accepted task ran, the pending timer did not");
        assertTrue(pending.isCancelled(), "a timer that had not fired is cancelled at termination");
        assertThrows(LoopClosedException.class, () -> loop.execute(() -> { }));
        assertThrows(LoopClosedException.class, () -> loop.submit(() -> 1));
        assertThrows(LoopClosedException.class, () -> loop.schedule(() -> { }, 1, TimeUnit.MILLISECONDS));
        if (loop.hasCapability(Capability.TCP)) {
            InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            assertInstanceOf(LoopClosedException.class,
                    Await.failure(loop.listen(local, () -> new ProtocolRecorder("x")), "listen after close"));
            assertInstanceOf(LoopClosedException.class,
                    Await.failure(loop.connect(local, new ProtocolRecorder("y")), "connect after close"));
        }
    }

    /**
     * Termination: connections are aborted with connectionLost(LoopClosedException), servers stop
     * listening, and registrations are closed and never notified again.
     */
    @Test
    @Timeout(30)
    void shouldEndConnectionsServersAndRegistrationsAtTermination() throws Exception {
        requireCapability(Capability.TCP);
        EventLoop loop = openLoop();
        LinkedBlockingQueue<ProtocolRecorder> accepted = new LinkedBlockingQueue<>();
        Server server = Await.get(loop.listen(TcpTck.anyLoopbackPort(), () -> {
            ProtocolRecorder p = new ProtocolRecorder("at-termination");
            accepted.add(p);
            return p;
        }), "listen");
        Socket peer = closeLater(new Socket());
        peer.connect(server.localAddress(), (int) Await.TIMEOUT_MS);
        peer.setSoTimeout((int) Await.TIMEOUT_MS);
        ProtocolRecorder p = accepted.poll(Await.TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertTrue(p != null, "no connection accepted");
        Await.get(p.made(), "connectionMade");
        ReadinessRecorder rec = new ReadinessRecorder("at-termination");
        Pipe pipe = null;
        if (loop.hasCapability(Capability.READINESS)) {
            pipe = Channels.pipe();
            closeLater(Channels.closer(pipe));
            Pipe registered = pipe;
            Await.run(loop, () -> loop.register(registered.source(), Interest.READ,
                    Trigger.LEVEL, rec));
        }
        loop.close();
        assertInstanceOf(LoopClosedException.class, p.awaitLost(), "connectionLost cause at termination");
        assertTrue(!server.isListening(), "the server stops listening at termination");
        assertEquals(-1, readOrReset(peer), "the peer sees the connection end");
        if (pipe != null) {
            Channels.writeBytes(pipe.sink(), 1);
            assertEquals(0, rec.count(), "a registration was notified after termination");
        }
        p.assertGrammar(p.calls().get(0).thread());
    }

    private static int readOrReset(Socket peer) throws IOException {
        try {
            return peer.getInputStream().read();
        } catch (SocketException reset) {
            return -1;
        }
    }

    /** Graceful shutdown: the loop terminates only after a full quiet period without tasks or timers. */
    @Test
    @Timeout(30)
    void shouldHonourShutdownQuietPeriod() throws Exception {
        EventLoop loop = openLoop();
        long quietMs = 200;
        AtomicLong lastActivityNanos = new AtomicLong();
        Await.run(loop, () -> chainTimers(loop, 5, 60, lastActivityNanos)); // activity for ~300 ms
        long start = System.nanoTime();
        CompletableFuture<Long> terminatedNanos = loop.shutdownGracefully(Duration.ofMillis(quietMs),
                Duration.ofSeconds(20)).thenApply(v -> System.nanoTime());
        loop.execute(() -> { }); // still accepted while shutting down
        long quietSeenMs = TimeUnit.NANOSECONDS.toMillis(Await.get(terminatedNanos, "termination")
                - lastActivityNanos.get());
        assertTrue(lastActivityNanos.get() - start > 0, "the timer chain ran during the shutdown");
        assertTrue(quietSeenMs >= quietMs, "terminated " + quietSeenMs + " ms after the last activity, "
                + "before the " + quietMs + " ms quiet period");
    }

    /** Graceful shutdown: the timeout ends the shutdown even while the loop never becomes quiet. */
    @Test
    @Timeout(30)
    void shouldEndGracefulShutdownAtTimeoutDespiteActivity() throws Exception {
        EventLoop loop = openLoop();
        Await.run(loop, () -> chainTimers(loop, Integer.MAX_VALUE, 20, new AtomicLong()));
        assertThrows(IllegalArgumentException.class, () -> loop.shutdownGracefully(Duration.ofSeconds(2),
                Duration.ofSeconds(1)), "quiet period longer than the timeout");
        assertThrows(IllegalArgumentException.class, () -> loop.shutdownGracefully(Duration.ofMillis(-1),
                Duration.ofSeconds(1)), "negative quiet period");
        long start = System.nanoTime();
        loop.shutdownGracefully(Duration.ofMillis(100), Duration.ofMillis(400));
        Await.get(loop.terminationFuture(), "termination at the timeout");
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMs >= 400, "terminated after " + elapsedMs + " ms, before the 400 ms timeout");
    }

    private static void chainTimers(EventLoop loop, int left, long periodMs, AtomicLong last) {
        last.set(System.nanoTime());
        if (left > 0) {
            loop.callLater(() -> chainTimers(loop, left - 1, periodMs, last), periodMs, TimeUnit.MILLISECONDS);
        }
    }

    /** Wakeup: 1,000,000 cross-thread executes, in bursts to a sleeping loop and in strict ping-pong, are never lost. */
    @Test
    @Timeout(180)
    void shouldNeverLoseWakeupOverMillionCrossThreadExecutes() throws Exception {
        EventLoop loop = openLoop();
        Semaphore roundDone = new Semaphore(0);
        AtomicLong ran = new AtomicLong();
        int rounds = 1000;
        int burst = 1000;
        Runnable count = ran::incrementAndGet;
        Runnable last = roundDone::release;
        for (int round = 0; round < rounds; round++) { // the loop sleeps between rounds: each burst must wake it
            for (int i = 1; i < burst; i++) {
                loop.execute(count);
            }
            loop.execute(last);
            awaitPermit(roundDone, "burst " + round);
        }
        for (int ping = 0; ping < 20_000; ping++) { // strict alternation: the tightest race on the sleep flag
            loop.execute(last);
            awaitPermit(roundDone, "ping " + ping);
        }
        assertEquals((long) rounds * (burst - 1), ran.get());
    }

    private static void awaitPermit(Semaphore s, String what) throws InterruptedException {
        if (!s.tryAcquire(Await.TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("lost wakeup: " + what + " did not run within " + Await.TIMEOUT_MS + " ms");
        }
    }

    /** Close race: an execute racing close is either run or rejected with LoopClosedException, never lost. */
    @Test
    @Timeout(120)
    void shouldRunOrRejectEveryExecuteRacingClose() throws Exception {
        for (int trial = 0; trial < 100; trial++) {
            AtomicLong accepted = new AtomicLong();
            AtomicLong ran = new AtomicLong();
            List<Throwable> unexpected = new CopyOnWriteArrayList<>();
            CountDownLatch producing = new CountDownLatch(2);
            EventLoop loop = Loops.open(LoopOptions.builder().backend(backend()).build());
            List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                producers.add(new Thread(() -> {
                    Runnable task = ran::incrementAndGet;
                    try {
                        for (long n = 0; ; n++) {
                            loop.execute(task);
                            accepted.incrementAndGet();
                            if (n == 100) {
                                producing.countDown();
                            }
                        }
                    } catch (LoopClosedException rejected) {
                        producing.countDown(); // normal end of the race
                    } catch (Throwable t) {
                        unexpected.add(t);
                        producing.countDown();
                    }
                }, "tck-racer-" + p));
            }
            try {
                producers.forEach(Thread::start);
                Await.await(producing, "producers running");
            } finally {
                loop.close();
            }
            for (Thread t : producers) {
                t.join(Await.TIMEOUT_MS);
                assertTrue(!t.isAlive(), "a producer was never rejected");
            }
            assertEquals(List.of(), unexpected, "only LoopClosedException may reject");
            assertEquals(accepted.get(), ran.get(), "trial " + trial + ": accepted tasks lost");
        }
    }

    /** Stall detection: a callback blocking longer than the threshold is reported once, by name, while it blocks. */
    @Test
    @Timeout(30)
    void shouldReportStalledCallbackOnce() throws Exception {
        List<String> reports = new CopyOnWriteArrayList<>();
        Semaphore reported = new Semaphore(0);
        EventLoop loop = openLoop(o -> o.stallThreshold(50, TimeUnit.MILLISECONDS).stallHandler((l, callback, nanos) -> {
            reports.add(callback + " " + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms on "
                    + Thread.currentThread().getName() + (nanos >= TimeUnit.MILLISECONDS.toNanos(50) ? "" : " BELOW THRESHOLD"));
            reported.release();
        }));
        for (int stall = 1; stall <= 2; stall++) { // once per stalled callback: a second stall is reported again
            CountDownLatch release = new CountDownLatch(1);
            loop.execute(new StallingTask(release));
            assertTrue(reported.tryAcquire(Await.TIMEOUT_MS, TimeUnit.MILLISECONDS), "stall " + stall + " not reported");
            boolean again = reported.tryAcquire(200, TimeUnit.MILLISECONDS); // bounded negative window, still blocked
            release.countDown();
            Await.quiet(loop);
            assertTrue(!again, "stall " + stall + " reported more than once: " + reports);
        }
        assertEquals(2, reports.size(), "reports: " + reports);
        for (String r : reports) {
            assertTrue(r.contains("StallingTask"), "the report names the callback: " + r);
            assertTrue(r.endsWith(" on roundhouse-watchdog"), "reported on the watchdog thread, at least the threshold: " + r);
        }
    }

    /** A stall inside a {@code submit}ted callable is reported with the callable's name, not the engine's wrapper's. */
    @Test
    @Timeout(30)
    void shouldNameTheSubmittedCallableInAStallReport() throws Exception {
        List<String> reports = new CopyOnWriteArrayList<>();
        Semaphore reported = new Semaphore(0);
        EventLoop loop = openLoop(o -> o.stallThreshold(50, TimeUnit.MILLISECONDS).stallHandler((l, callback, nanos) -> {
            reports.add(callback);
            reported.release();
        }));
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.CompletableFuture<String> done = loop.submit((java.util.concurrent.Callable<String>) new StallingTask(release));
        assertTrue(reported.tryAcquire(Await.TIMEOUT_MS, TimeUnit.MILLISECONDS), "stall not reported");
        release.countDown();
        assertEquals("done", Await.get(done, "the submitted callable"));
        assertEquals(1, reports.size(), "reports: " + reports);
        assertTrue(reports.get(0).endsWith("StallingTask"), "the report names the callable: " + reports);
    }

    /** A task (or callable) that blocks the loop until released (the stall under test). */
    private static final class StallingTask implements Runnable, java.util.concurrent.Callable<String> {
        private final CountDownLatch release;

        StallingTask(CountDownLatch release) {
            this.release = release;
        }

        @Override
        public void run() {
            Await.await(release, "the test to release the stalled loop");
        }

        @Override
        public String call() {
            run();
            return "done";
        }
    }
}
