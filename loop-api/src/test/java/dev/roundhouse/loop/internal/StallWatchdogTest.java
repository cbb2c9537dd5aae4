package dev.roundhouse.loop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.LoopOptions;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The stall watchdog parks while every watched loop sleeps in its poll and ran no callback since its
 * last look, so an idle process is not woken 100 times a second; a loop that wakes unparks it, so a
 * stall after an idle spell is still reported; it ticks on while a loop is inside a callback, and
 * beside a loop that sleeps at its looks but runs callbacks between them.
 */
class StallWatchdogTest {
    private static final long TIMEOUT_MS = 10_000;

    @Test
    void shouldParkWhileTheLoopSleepsAndStillReportAStallAfterIt() throws Exception {
        Semaphore reported = new Semaphore(0);
        LoopOptions options = LoopOptions.builder().stallThreshold(50, TimeUnit.MILLISECONDS)
                .stallHandler((l, callback, nanos) -> reported.release()).build();
        try (LoopEngine loop = LoopEngine.start(new FakeProvider(), options)) {
            until(() -> StallWatchdog.parkedNow() && loop.dozing(), "the watchdog to park while the loop sleeps");
            CountDownLatch release = new CountDownLatch(1);
            loop.execute(() -> awaitQuietly(release));
            assertTrue(reported.tryAcquire(TIMEOUT_MS, TimeUnit.MILLISECONDS),
                    "a stall that began while the watchdog was parked was not reported");
            release.countDown();
        }
    }

    /**
     * A poller dispatches I/O inside its poll, before the poll returns: the first callback ends the
     * loop's doze and unparks the watchdog, so a stall there is reported too.
     */
    @Test
    void shouldReportAStallInACallbackDispatchedInsideThePoll() throws Exception {
        Semaphore reported = new Semaphore(0);
        LoopOptions options = LoopOptions.builder().stallThreshold(50, TimeUnit.MILLISECONDS)
                .stallHandler((l, callback, nanos) -> reported.release()).build();
        FakeProvider provider = new FakeProvider();
        try (LoopEngine loop = LoopEngine.start(provider, options)) {
            until(() -> StallWatchdog.parkedNow() && loop.dozing(), "the watchdog to park while the loop sleeps");
            CountDownLatch release = new CountDownLatch(1);
            Runnable stallingHandler = () -> awaitQuietly(release);
            provider.poller.afterBlockingWait = () -> {
                provider.poller.afterBlockingWait = null; // once
                provider.context.enterCallback(stallingHandler);
                stallingHandler.run();
            };
            provider.poller.wakeup(); // the wait ends; the "event" is dispatched inside the poll
            assertTrue(reported.tryAcquire(TIMEOUT_MS, TimeUnit.MILLISECONDS),
                    "a stall in a callback dispatched inside the poll was not reported");
            release.countDown();
        }
    }

    @Test
    void shouldTickWhileALoopIsInsideACallback() throws Exception {
        LoopOptions options = LoopOptions.builder().stallThreshold(1, TimeUnit.HOURS).build();
        try (LoopEngine loop = LoopEngine.start(new FakeProvider(), options)) {
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            loop.execute(() -> {
                inside.countDown();
                awaitQuietly(release);
            });
            assertTrue(inside.await(TIMEOUT_MS, TimeUnit.MILLISECONDS), "the task did not start");
            // two ticks on, a park the watchdog was entering as the loop woke has ended (the wake-up unparked it)
            long before = StallWatchdog.ticks();
            until(() -> StallWatchdog.ticks() >= before + 2, "the watchdog to tick while the loop is in a callback");
            long parks = StallWatchdog.parks();
            long ticks = StallWatchdog.ticks();
            until(() -> StallWatchdog.ticks() >= ticks + 5, "the watchdog to go on ticking");
            assertEquals(parks, StallWatchdog.parks(), "the watchdog parked while a loop was inside a callback");
            release.countDown();
        }
    }

    /**
     * A loop kept busy by its I/O sleeps at most of the watchdog's looks and wakes right after. The
     * watchdog must not park on such a loop, which would cost it an unpark and the watchdog's run
     * at every tick: it parks only after a look that found no callback run since the one before.
     */
    @Test
    void shouldNotParkBesideALoopThatRanACallbackSinceTheLastLook() throws Exception {
        LoopOptions options = LoopOptions.builder().stallThreshold(1, TimeUnit.HOURS).build();
        try (LoopEngine loop = LoopEngine.start(new FakeProvider(), options)) {
            until(loop::dozing, "the loop to sleep");
            StallWatchdog.Watched watched = new StallWatchdog.Watched(loop);
            List<StallWatchdog.Watched> loops = List.of(watched);
            StallWatchdog.check(watched, System.nanoTime());
            assertFalse(StallWatchdog.mayPark(loops), "the first look at a loop counts as a callback run");
            StallWatchdog.check(watched, System.nanoTime());
            assertTrue(StallWatchdog.mayPark(loops), "a loop asleep and quiet since the last look");

            CountDownLatch ran = new CountDownLatch(1);
            loop.execute(ran::countDown);
            assertTrue(ran.await(TIMEOUT_MS, TimeUnit.MILLISECONDS), "the task did not run");
            until(loop::dozing, "the loop to sleep again");
            StallWatchdog.check(watched, System.nanoTime());
            assertFalse(StallWatchdog.mayPark(loops),
                    "the loop ran a callback since the last look and sleeps now: the watchdog would park and be unparked at once");
            StallWatchdog.check(watched, System.nanoTime());
            assertTrue(StallWatchdog.mayPark(loops), "quiet again since the last look");
        }
    }

    /** Waits (bounded) until {@code condition} holds, looking every millisecond. */
    private static void until(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
