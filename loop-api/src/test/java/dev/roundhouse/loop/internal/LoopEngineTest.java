package dev.roundhouse.loop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.LoopAffinityException;
import dev.roundhouse.loop.LoopOptions;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The engine against a fake backend: what no real backend can be made to do on demand. */
@Timeout(30)
class LoopEngineTest {

    /**
     * A poller that declares {@code spinBelowNanos} is never asked for a shorter timed wait: when
     * a wait ended that close to the deadline, the loop spins through {@code pollSpinning} without
     * publishing that it sleeps, and the timer fires at or after its deadline. Each timed wait
     * ends 10 ms early, so the loop has 10 ms to spin: it spins unless the loop thread was held
     * off that long after the wait, so the test takes three timers and needs a spin in one. Each
     * spinning poll is told how far the timer is: 0 or more (0: it fell due during the step), less
     * than the spin.
     */
    @Test
    void shouldSpinTowardATimerCloserThanThePollersGranularity() throws Exception {
        FakeProvider p = new FakeProvider();
        long spinBelow = TimeUnit.MILLISECONDS.toNanos(20);
        p.poller.spinBelow = spinBelow;
        p.poller.timedWaitsShortBy = TimeUnit.MILLISECONDS.toNanos(10);
        AtomicBoolean sleptWhileSpinning = new AtomicBoolean();
        try (LoopEngine loop = LoopEngine.start(p, LoopOptions.DEFAULTS)) {
            p.poller.onSpinningPoll = () -> sleptWhileSpinning.compareAndSet(false, loop.mayBlock());
            for (int i = 0; i < 3; i++) {
                fireTimer(loop, TimeUnit.MILLISECONDS.toNanos(30));
            }
            assertTrue(p.poller.spinningPolls.get() > 0, "no spin toward any of three deadlines");
            assertTrue(p.poller.leastDueIn.get() >= 0 && p.poller.mostDueIn.get() < spinBelow,
                    "a spinning poll told the timer is due in " + p.poller.leastDueIn.get() + " to "
                    + p.poller.mostDueIn.get() + " ns; the spin is " + spinBelow);
            assertTrue(p.poller.shortestTimedPoll.get() >= spinBelow, "a timed poll of "
                    + p.poller.shortestTimedPoll.get() + " ns, under the poller's " + spinBelow);
            assertFalse(sleptWhileSpinning.get(), "the loop published SLEEPING while spinning");
        }
    }

    /**
     * {@link LoopOptions#timerSpinNanos()} overrides the poller's choice: 0 never spins (the
     * poller is asked for the short wait), 1 ms spins on a poller that declares no spin. There
     * the poller's timed waits return at once, so the loop polls with shorter and shorter
     * timeouts until the deadline is within the spin.
     */
    @Test
    void shouldTakeTheTimerSpinFromTheOptions() throws Exception {
        FakeProvider off = new FakeProvider();
        long spinBelow = TimeUnit.MILLISECONDS.toNanos(20);
        off.poller.spinBelow = spinBelow;
        off.poller.timedWaitsShortBy = TimeUnit.MILLISECONDS.toNanos(10);
        try (LoopEngine loop = LoopEngine.start(off,
                LoopOptions.builder().timerSpin(0, TimeUnit.NANOSECONDS).build())) {
            for (int i = 0; i < 3; i++) {
                fireTimer(loop, TimeUnit.MILLISECONDS.toNanos(30)); // each wait leaves 10 ms to wait for
            }
        }
        assertEquals(0, off.poller.spinningPolls.get(), "spun with the timer spin off");
        assertTrue(off.poller.shortestTimedPoll.get() < spinBelow, "never asked for a wait under the "
                + "poller's spin: " + off.poller.shortestTimedPoll.get() + " ns at the shortest");

        FakeProvider on = new FakeProvider();
        on.poller.timedWaitsShortBy = Long.MAX_VALUE; // every timed wait returns at once
        long spin = TimeUnit.MILLISECONDS.toNanos(1);
        try (LoopEngine loop = LoopEngine.start(on,
                LoopOptions.builder().timerSpin(spin, TimeUnit.NANOSECONDS).build())) {
            // a loop thread held off the CPU across a timer's last millisecond (other processes on
            // both cores) finds it due without spinning: up to 20 timers, until one is spun toward
            for (int i = 0; i < 20 && on.poller.spinningPolls.get() == 0; i++) {
                fireTimer(loop, TimeUnit.MILLISECONDS.toNanos(5));
            }
        }
        assertTrue(on.poller.spinningPolls.get() > 0, "no spin toward any of 20 deadlines");
        assertTrue(on.poller.shortestTimedPoll.get() >= spin, "a timed poll of "
                + on.poller.shortestTimedPoll.get() + " ns, within the options' spin of " + spin);
    }

    /**
     * A timer that falls due while the step runs its tasks (its timers ran before) is polled for
     * as a spinning loop polls, told it is due now (0), and never by {@code poll(0)}, which a
     * backend may count as a loop kept busy by tasks (iocp then looks at its port, a wake byte's
     * round trip the timer waits for). The task schedules the timer and spins past its deadline.
     */
    @Test
    void shouldPollAsSpinningWhenTheTimerFellDueDuringTheStep() throws Exception {
        FakeProvider p = new FakeProvider();
        p.poller.spinBelow = TimeUnit.MILLISECONDS.toNanos(1);
        AtomicBoolean due = new AtomicBoolean(); // the deadline has passed, the timer not yet run
        AtomicLong plainPolls = new AtomicLong();
        AtomicLong spinningPolls = new AtomicLong();
        p.poller.onEveryPoll = () -> plainPolls.addAndGet(due.get() ? 1 : 0);
        p.poller.onSpinningPoll = () -> spinningPolls.addAndGet(due.get() ? 1 : 0);
        CountDownLatch fired = new CountDownLatch(1);
        try (LoopEngine loop = LoopEngine.start(p, LoopOptions.DEFAULTS)) {
            loop.execute(() -> {
                long deadline = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(200);
                loop.callAt(() -> {
                    due.set(false);
                    fired.countDown();
                }, deadline);
                while (System.nanoTime() - deadline <= 0) {
                    Thread.onSpinWait();
                }
                due.set(true);
            });
            assertTrue(fired.await(10, TimeUnit.SECONDS), "the timer never fired");
        }
        assertEquals(0, plainPolls.get(), "poll(0) with the timer due");
        assertEquals(1, spinningPolls.get(), "spinning polls with the timer due");
        assertEquals(0, p.poller.leastDueIn.get(), "the timer due in, for the spinning poll");
    }

    /** Schedules a timer {@code delayNanos} out on the loop and waits until it fired, not early. */
    private static void fireTimer(LoopEngine loop, long delayNanos) throws Exception {
        long[] firedLate = new long[1];
        CountDownLatch fired = new CountDownLatch(1);
        loop.submit(() -> {
            long deadline = System.nanoTime() + delayNanos;
            return loop.callAt(() -> {
                firedLate[0] = System.nanoTime() - deadline;
                fired.countDown();
            }, deadline);
        }).get(10, TimeUnit.SECONDS);
        assertTrue(fired.await(10, TimeUnit.SECONDS));
        assertTrue(firedLate[0] >= 0, "fired " + -firedLate[0] + " ns early");
    }

    /** Another thread's task while the loop spins toward a timer costs no wakeup: the loop is not asleep. */
    @Test
    void shouldNotWakeALoopThatSpinsTowardATimer() throws Exception {
        FakeProvider p = new FakeProvider();
        p.poller.spinBelow = Long.MAX_VALUE; // every timer is spun toward
        CountDownLatch spinning = new CountDownLatch(1);
        p.poller.onSpinningPoll = spinning::countDown;
        try (LoopEngine loop = LoopEngine.start(p, LoopOptions.DEFAULTS)) {
            dev.roundhouse.loop.TimerHandle far = loop.submit(
                    () -> loop.callLater(() -> { }, 1, TimeUnit.HOURS)).get(10, TimeUnit.SECONDS);
            assertTrue(spinning.await(10, TimeUnit.SECONDS));
            p.poller.blockingPolls.drainPermits(); // the poll before the submit's task
            int wakeupsBefore = p.poller.wakeups.get();
            CountDownLatch ran = new CountDownLatch(1);
            loop.execute(ran::countDown);
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            assertEquals(wakeupsBefore, p.poller.wakeups.get(), "a wakeup of a loop that was spinning");
            assertEquals(0, p.poller.blockingPolls.availablePermits(), "a timed poll while spinning");
            loop.submit(far::cancel).get(10, TimeUnit.SECONDS);
            assertTrue(p.poller.blockingPolls.tryAcquire(10, TimeUnit.SECONDS), "no timer left: the loop sleeps again");
        }
    }

    /** A wakeup that fails is thrown to the caller of execute, not swallowed (cpython#156054). */
    @Test
    void shouldSurfaceAFailedWakeupToTheCaller() throws Exception {
        FakeProvider p = new FakeProvider();
        LoopEngine loop = LoopEngine.start(p, LoopOptions.DEFAULTS);
        try {
            assertTrue(p.poller.blocked.await(10, TimeUnit.SECONDS));
            p.poller.failWakeup.set(true);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> loop.execute(() -> { }));
            assertTrue(e.getMessage().contains("wakeup"), e.getMessage());
            assertTrue(e.getCause() instanceof UncheckedIOException);
        } finally {
            p.poller.failWakeup.set(false);
            p.poller.wakeup();
            loop.close();
        }
    }

    /** Many executes to a sleeping loop cost one wakeup per sleep, not one per task. */
    @Test
    void shouldCoalesceWakeups() throws Exception {
        FakeProvider p = new FakeProvider();
        LoopEngine loop = LoopEngine.start(p, LoopOptions.DEFAULTS);
        try {
            assertTrue(p.poller.blocked.await(10, TimeUnit.SECONDS));
            CountDownLatch ran = new CountDownLatch(10_000);
            int before = p.poller.wakeups.get();
            for (int i = 0; i < 10_000; i++) {
                loop.execute(ran::countDown);
            }
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            int used = p.poller.wakeups.get() - before;
            assertTrue(used >= 1 && used < 10_000, "wakeups for 10,000 executes: " + used);
        } finally {
            loop.close();
        }
    }

    /**
     * A task that has run is not kept reachable by the queue while the loop sleeps (the queue
     * leaves taken slots in place until then; see TaskQueue).
     */
    @Test
    void shouldNotKeepTheLastTaskReachableWhileAsleep() throws Exception {
        FakeProvider p = new FakeProvider();
        LoopEngine loop = LoopEngine.start(p, LoopOptions.DEFAULTS);
        try {
            assertTrue(p.poller.blocked.await(10, TimeUnit.SECONDS));
            p.poller.blockingPolls.drainPermits();
            CountDownLatch ran = new CountDownLatch(1);
            java.lang.ref.WeakReference<Runnable> task = executeCapturing(loop, ran);
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            assertTrue(p.poller.blockingPolls.tryAcquire(10, TimeUnit.SECONDS), "the loop did not go back to sleep");
            for (int i = 0; i < 50 && task.get() != null; i++) {
                System.gc();
            }
            assertEquals(null, task.get(), "the sleeping loop still references the task it ran last");
        } finally {
            loop.close();
        }
    }

    /** Queues a task holding 1 MiB and returns only a weak reference to it. */
    private static java.lang.ref.WeakReference<Runnable> executeCapturing(LoopEngine loop, CountDownLatch ran) {
        byte[] payload = new byte[1 << 20];
        Runnable task = () -> {
            payload[0]++;
            ran.countDown();
        };
        loop.execute(task);
        return new java.lang.ref.WeakReference<>(task);
    }

    /**
     * A timer cancelled from another thread before the loop took it in is dropped on arrival: it
     * never runs and never occupies the heap.
     */
    @Test
    void shouldDropATimerCancelledInTransit() throws Exception {
        FakeProvider p = new FakeProvider();
        LoopEngine loop = LoopEngine.start(p, LoopOptions.DEFAULTS);
        try {
            CountDownLatch release = holdLoop(loop); // so that the timer below stays in transit
            AtomicBoolean ran = new AtomicBoolean();
            dev.roundhouse.loop.TimerHandle t = loop.schedule(() -> ran.set(true), 0, TimeUnit.NANOSECONDS);
            assertTrue(t.cancel());
            assertFalse(t.cancel(), "a second cancel reports that nothing was prevented");
            assertTrue(t.isCancelled());
            release.countDown();
            assertEquals(0, loop.submit(() -> loop.timerQueue().size()).get(10, TimeUnit.SECONDS));
            assertFalse(ran.get());
            assertFalse(t.isDone());
            // the handle is the timer's internal message too: running it elsewhere must not touch the heap
            assertThrows(LoopAffinityException.class, () -> ((Runnable) t).run());
        } finally {
            loop.close();
        }
    }

    /**
     * A timer scheduled from another thread wakes a sleeping loop only if the loop would otherwise
     * sleep past its deadline; either way it joins the heap and fires in order.
     */
    @Test
    void shouldWakeForAnEarlierTimerOnly() throws Exception {
        FakeProvider p = new FakeProvider();
        LoopEngine loop = LoopEngine.start(p, LoopOptions.DEFAULTS);
        try {
            assertTrue(p.poller.blocked.await(10, TimeUnit.SECONDS));
            p.poller.blockingPolls.drainPermits(); // the next permit is the poll after the submit
            loop.submit(() -> loop.callLater(() -> { }, 10, TimeUnit.SECONDS)).get(10, TimeUnit.SECONDS);
            assertTrue(p.poller.blockingPolls.tryAcquire(10, TimeUnit.SECONDS)); // asleep until +10 s
            int before = p.poller.wakeups.get();
            loop.schedule(() -> { }, 20, TimeUnit.SECONDS);
            assertEquals(before, p.poller.wakeups.get(), "a timer due after the loop's own wake-up must not wake it");
            CountDownLatch fired = new CountDownLatch(1);
            loop.schedule(fired::countDown, 1, TimeUnit.MILLISECONDS);
            assertTrue(fired.await(10, TimeUnit.SECONDS), "an earlier timer must wake the loop and fire");
            assertEquals(before + 1, p.poller.wakeups.get());
            assertEquals(2, loop.submit(() -> loop.timerQueue().size()).get(10, TimeUnit.SECONDS),
                    "the lazily queued timer arrived with the next wake-up");
        } finally {
            loop.close();
        }
    }

    /**
     * Cancelling timers from another thread does not wake a sleeping loop, except that every
     * WAKE_EVERY-th timer message wakes it to drain its inbox: removals never pile up beyond
     * that, and each one left waiting stands for a cancelled timer still in the heap.
     */
    @Test
    void shouldBoundRemovalsQueuedWhileAsleep() throws Exception {
        FakeProvider p = new FakeProvider();
        LoopEngine loop = LoopEngine.start(p, LoopOptions.DEFAULTS);
        try {
            int extra = 10;
            int n = TimerInbox.WAKE_EVERY + extra;
            assertTrue(p.poller.blocked.await(10, TimeUnit.SECONDS));
            p.poller.blockingPolls.drainPermits(); // the next permit is the poll after the submit
            List<dev.roundhouse.loop.TimerHandle> far = loop.submit(() -> {
                loop.callLater(() -> { }, 10, TimeUnit.SECONDS);
                List<dev.roundhouse.loop.TimerHandle> hs = new java.util.ArrayList<>();
                for (int i = 0; i < n; i++) {
                    hs.add(loop.callLater(() -> { }, 20, TimeUnit.SECONDS));
                }
                return hs;
            }).get(10, TimeUnit.SECONDS);
            assertTrue(p.poller.blockingPolls.tryAcquire(10, TimeUnit.SECONDS));
            int before = p.poller.wakeups.get();
            for (int i = 0; i < TimerInbox.WAKE_EVERY - 1; i++) {
                assertTrue(far.get(i).cancel());
            }
            assertEquals(before, p.poller.wakeups.get(),
                    "removals alone must not wake the loop, nor the drain requests between");
            assertEquals(Long.MAX_VALUE, loop.timerInbox().earliest(), "a removal names no deadline");
            assertTrue(far.get(TimerInbox.WAKE_EVERY - 1).cancel());
            assertEquals(before + 1, p.poller.wakeups.get(), "the WAKE_EVERY-th message wakes it to drain");
            for (int i = TimerInbox.WAKE_EVERY; i < n; i++) {
                assertTrue(far.get(i).cancel());
            }
            // the loop drains after a step's tasks: a step, then look in the next
            loop.submit(() -> null).get(10, TimeUnit.SECONDS);
            long[] heapAndInbox = heapAndInbox(loop);
            assertTrue(heapAndInbox[1] <= extra, "removals left waiting: " + heapAndInbox[1]);
            assertEquals(1 + heapAndInbox[1], heapAndInbox[0],
                    "heap: the 10 s timer and the cancelled ones not yet removed");
            int after = p.poller.wakeups.get();
            assertTrue(after <= before + 3, "only the drain request and the two submits may have woken it: "
                    + (after - before));
        } finally {
            loop.close();
        }
    }

    /**
     * An arrival from another thread due after the loop's next timer stays in the inbox, unread,
     * until it may be due; the loop's sleep never outlasts it; once one arrival may be due the loop
     * takes in all of them, and they fire in deadline order.
     */
    @Test
    void shouldLeaveFarArrivalsInTheInboxUntilTheyMayBeDue() throws Exception {
        FakeProvider p = new FakeProvider();
        LoopEngine loop = LoopEngine.start(p, LoopOptions.DEFAULTS);
        try {
            assertTrue(p.poller.blocked.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < 10; i++) {
                loop.schedule(() -> { }, 20 + i, TimeUnit.SECONDS);
            }
            long[] heapAndInbox = heapAndInbox(loop);
            assertArrayEquals(new long[] {0, 10}, heapAndInbox, "far arrivals are not read");
            p.poller.shortestTimedPoll.set(Long.MAX_VALUE);
            p.poller.blockingPolls.drainPermits();
            loop.execute(() -> { }); // a step, then a sleep bounded by the inbox's earliest arrival
            assertTrue(p.poller.blockingPolls.tryAcquire(10, TimeUnit.SECONDS));
            long shortest = p.poller.shortestTimedPoll.get();
            assertTrue(shortest > 0 && shortest <= TimeUnit.SECONDS.toNanos(20),
                    "the loop must not sleep past the earliest arrival, slept up to " + shortest + " ns");
            List<Integer> order = new CopyOnWriteArrayList<>();
            CountDownLatch fired = new CountDownLatch(2);
            CountDownLatch release = holdLoop(loop); // both arrivals below wait in the inbox, whatever the timing
            dev.roundhouse.loop.TimerHandle a = loop.schedule(() -> {
                order.add(1);
                fired.countDown();
            }, 2, TimeUnit.MILLISECONDS);
            dev.roundhouse.loop.TimerHandle b = loop.schedule(() -> {
                order.add(2);
                fired.countDown();
            }, 1, TimeUnit.MILLISECONDS); // earlier, scheduled later (unless this thread was held up 1 ms)
            release.countDown();
            assertTrue(fired.await(10, TimeUnit.SECONDS), "earlier arrivals wake the loop and fire");
            assertEquals(b.deadlineNanos() < a.deadlineNanos() ? List.of(2, 1) : List.of(1, 2),
                    order, "in deadline order (FIFO on equal ones), not arrival order");
            heapAndInbox = heapAndInbox(loop);
            assertArrayEquals(new long[] {10, 0}, heapAndInbox, "the far ones came in with the due ones");
        } finally {
            loop.close();
        }
    }

    /**
     * Two threads schedule short timers and cancel some of them while the loop keeps falling
     * asleep and waking: every timer whose cancel did not succeed fires, none whose cancel did, and
     * none is lost to a race between an arrival lowering the inbox's earliest deadline and the loop
     * publishing its sleep (a lost one would leave the loop asleep with nothing else due).
     */
    @Test
    void shouldFireEveryUncancelledCrossThreadTimer() throws Exception {
        FakeProvider p = new FakeProvider();
        LoopEngine loop = LoopEngine.start(p, LoopOptions.DEFAULTS);
        try {
            int perThread = 2_000;
            java.util.concurrent.Semaphore fired = new java.util.concurrent.Semaphore(0);
            AtomicInteger firedCancelled = new AtomicInteger();
            AtomicInteger kept = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(2);
            Thread[] producers = new Thread[2];
            for (int t = 0; t < producers.length; t++) {
                int seed = t;
                producers[t] = new Thread(() -> {
                    java.util.Random random = new java.util.Random(seed);
                    try {
                        for (int i = 0; i < perThread; i++) {
                            AtomicBoolean cancelled = new AtomicBoolean();
                            dev.roundhouse.loop.TimerHandle h = loop.schedule(() -> {
                                if (cancelled.get()) {
                                    firedCancelled.incrementAndGet();
                                }
                                fired.release();
                            }, random.nextInt(200), TimeUnit.MICROSECONDS);
                            if (random.nextInt(3) == 0 && h.cancel()) {
                                cancelled.set(true);
                            } else {
                                kept.incrementAndGet();
                            }
                        }
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    } finally {
                        done.countDown();
                    }
                });
                producers[t].start();
            }
            assertTrue(done.await(30, TimeUnit.SECONDS));
            // nothing here wakes the loop: a timer whose wake-up was lost would never fire
            assertTrue(fired.tryAcquire(kept.get(), 10, TimeUnit.SECONDS),
                    "every timer not cancelled fires: " + fired.availablePermits() + " of " + kept.get());
            assertEquals(0, firedCancelled.get(), "no cancelled timer fires");
            assertEquals(0, loop.submit(fired::availablePermits).get(10, TimeUnit.SECONDS),
                    "and no more than those");
        } finally {
            loop.close();
        }
    }

    /**
     * A thread schedules a short timer the moment the previous one fired, 20,000 times: each
     * schedule lands while the loop is between computing its sleep and publishing it, where an
     * arrival the loop did not see before it published must still either wake it or stop it
     * from sleeping (nothing else is due: a lost one would never fire).
     */
    @Test
    void shouldNotSleepThroughAnArrivalWhileFallingAsleep() throws Exception {
        FakeProvider p = new FakeProvider();
        LoopEngine loop = LoopEngine.start(p, LoopOptions.DEFAULTS);
        try {
            java.util.concurrent.Semaphore fired = new java.util.concurrent.Semaphore(0);
            for (int i = 0; i < 20_000; i++) {
                loop.schedule(fired::release, i % 3 == 0 ? 0 : i % 20, TimeUnit.MICROSECONDS);
                assertTrue(fired.tryAcquire(10, TimeUnit.SECONDS), "timer " + i + " never fired");
            }
        } finally {
            loop.close();
        }
    }

    /**
     * Timers scheduled from another thread and still in the inbox when the loop closes are
     * cancelled with the heap's (never lost, never run); scheduling after the close is rejected.
     */
    @Test
    void shouldCancelInboxTimersAtClose() throws Exception {
        FakeProvider p = new FakeProvider();
        LoopEngine loop = LoopEngine.start(p, LoopOptions.DEFAULTS);
        AtomicBoolean ran = new AtomicBoolean();
        dev.roundhouse.loop.TimerHandle far = loop.schedule(() -> ran.set(true), 1, TimeUnit.HOURS);
        assertEquals(1, loop.submit(() -> loop.timerInbox().waiting()).get(10, TimeUnit.SECONDS));
        loop.close();
        assertTrue(loop.terminationFuture().isDone());
        assertTrue(far.isCancelled(), "the loop closed before it fired");
        assertFalse(far.isDone());
        assertFalse(ran.get());
        assertThrows(dev.roundhouse.loop.LoopClosedException.class,
                () -> loop.schedule(() -> { }, 1, TimeUnit.HOURS));
    }

    /**
     * After an iteration that ran tasks the loop keeps polling its queue for the spin time before
     * it blocks: the blocking poll begins no earlier than that after the task returned.
     */
    @Test
    void shouldSpinBeforeSleepingAfterTasks() throws Exception {
        long spin = TimeUnit.MILLISECONDS.toNanos(1);
        FakeProvider p = new FakeProvider();
        LoopEngine loop = LoopEngine.start(p, LoopOptions.builder().spinBeforeSleep(spin, TimeUnit.NANOSECONDS).build());
        try {
            assertTrue(p.poller.blocked.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < 20; i++) {
                p.poller.blockingPolls.drainPermits();
                long[] taskEnd = new long[1];
                loop.execute(() -> taskEnd[0] = System.nanoTime());
                assertTrue(p.poller.blockingPolls.tryAcquire(10, TimeUnit.SECONDS));
                long idleBeforeBlocking = p.poller.lastBlockingPollNanos - taskEnd[0];
                assertTrue(idleBeforeBlocking >= spin, "blocked " + idleBeforeBlocking + " ns after the task");
            }
        } finally {
            loop.close();
        }
    }

    /**
     * A step that ran one task while another thread's tasks were already waiting is followed by a
     * wait of at least {@link BatchWait#MIN_NANOS} before the next step (BatchWait), and every task
     * still runs, in order.
     */
    @Test
    void shouldLetOtherThreadsTasksBatchUpAfterAShortStep() throws Exception {
        FakeProvider p = new FakeProvider();
        LoopEngine loop = LoopEngine.start(p, LoopOptions.DEFAULTS);
        try {
            for (int round = 0; round < 20; round++) {
                long waitsBefore = loop.submit(loop::batchWaits).get(10, TimeUnit.SECONDS);
                CountDownLatch running = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                long[] blockerEnd = new long[1];
                loop.execute(() -> {
                    running.countDown();
                    await(release);
                    blockerEnd[0] = System.nanoTime();
                });
                assertTrue(running.await(10, TimeUnit.SECONDS));
                int n = 10; // queued while the step that runs the blocker is under way
                long[] starts = new long[n];
                CountDownLatch ran = new CountDownLatch(n);
                for (int i = 0; i < n; i++) {
                    int index = i;
                    loop.execute(() -> {
                        starts[index] = System.nanoTime();
                        assertEquals(n - index, ran.getCount(), "task " + index + " out of order");
                        ran.countDown();
                    });
                }
                release.countDown();
                assertTrue(ran.await(10, TimeUnit.SECONDS));
                long waits = loop.submit(loop::batchWaits).get(10, TimeUnit.SECONDS);
                // at least the wait after the blocker's step; one more if this submit was queued
                // before the ten tasks' step ended (a short batch too, with a task waiting)
                assertTrue(waits > waitsBefore, "no wait after the blocker's step");
                long gap = starts[0] - blockerEnd[0];
                assertTrue(gap >= BatchWait.MIN_NANOS, "the next step began " + gap + " ns after the blocker");
            }
        } finally {
            loop.close();
        }
    }

    /**
     * A step that stopped at a slot another thread claimed but has not filled yet, running nothing,
     * is followed by a batch wait like a short batch: the loop does not come straight back to read
     * the slot the producer is writing. Each such step plans exactly one wait, so between 200 polls
     * with the slot in transit at least 199 waits were planned (without the rule: none), and the task
     * runs once stored.
     */
    @Test
    void shouldWaitBeforeLookingAgainAtATaskInTransit() throws Exception {
        FakeProvider p = new FakeProvider();
        LoopEngine loop = LoopEngine.start(p, LoopOptions.DEFAULTS);
        TaskQueue queue = loop.taskQueue();
        long slot = -1;
        CountDownLatch ran = new CountDownLatch(1);
        try {
            int polls = 200;
            CountDownLatch polled = new CountDownLatch(polls);
            AtomicBoolean claimed = new AtomicBoolean();
            long[] waitsAt = {-1, -1}; // at the first and the last counted poll (loop thread)
            p.poller.onEveryPoll = () -> {
                // polls before the claim are not counted; the first counted one is the baseline
                if (claimed.get() && polled.getCount() > 0) {
                    long waits = loop.batchWaits();
                    if (waitsAt[0] < 0) {
                        waitsAt[0] = waits;
                    }
                    waitsAt[1] = waits;
                    polled.countDown();
                }
            };
            slot = queue.claim();
            claimed.set(true);
            p.poller.wakeup(); // as the producer would after its store; the loop may be blocked
            assertTrue(polled.await(10, TimeUnit.SECONDS));
            long waits = waitsAt[1] - waitsAt[0]; // read after the latch: the loop's writes are visible
            assertTrue(waits >= polls - 1, waits + " waits planned between " + polls + " polls at a task in transit");
        } finally {
            if (slot >= 0) {
                queue.store(slot, ran::countDown); // else close would wait for it forever
            }
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            loop.close();
        }
    }

    /**
     * Tasks before timers, with the task still in transit: a timer scheduled after a producer
     * claimed a slot (its {@code execute} under way, the task not yet stored) does not fire while
     * the loop waits for that slot, though it is due; once the task is stored, the task runs first.
     * Three polls after the timer fell due the loop has begun a step since (without the check in
     * the timer step the timer fires in it).
     */
    @Test
    void shouldHoldADueTimerBehindATaskStillInTransit() throws Exception {
        FakeProvider p = new FakeProvider();
        LoopEngine loop = LoopEngine.start(p, LoopOptions.DEFAULTS);
        TaskQueue queue = loop.taskQueue();
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch both = new CountDownLatch(2);
        long slot = queue.claim();
        try {
            dev.roundhouse.loop.TimerHandle timer = loop.schedule(() -> {
                order.add("timer");
                both.countDown();
            }, 0, TimeUnit.NANOSECONDS);
            CountDownLatch polled = new CountDownLatch(3);
            p.poller.onEveryPoll = polled::countDown;
            p.poller.wakeup(); // as the producer would after its store; the loop may be blocked
            assertTrue(polled.await(10, TimeUnit.SECONDS));
            assertEquals(List.of(), order, "the timer fired while a task queued before it was in transit");
            assertFalse(timer.isDone());
        } finally {
            p.poller.onEveryPoll = null;
            queue.store(slot, () -> {
                order.add("task");
                both.countDown();
            });
        }
        assertTrue(both.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("task", "timer"), order);
        loop.close();
    }

    /** Spinning off: a task handed to a blocked loop always costs one wake-up and one blocking poll. */
    @Test
    void shouldNotSpinWhenTurnedOff() throws Exception {
        FakeProvider p = new FakeProvider();
        LoopEngine loop = LoopEngine.start(p, LoopOptions.builder().spinBeforeSleep(0, TimeUnit.NANOSECONDS).build());
        try {
            assertTrue(p.poller.blocked.await(10, TimeUnit.SECONDS));
            p.poller.blockingPolls.drainPermits();
            int before = p.poller.wakeups.get();
            for (int i = 0; i < 100; i++) {
                loop.execute(() -> { });
                assertTrue(p.poller.blockingPolls.tryAcquire(10, TimeUnit.SECONDS)); // ran, blocked again
            }
            assertEquals(before + 100, p.poller.wakeups.get());
        } finally {
            loop.close();
        }
    }

    /**
     * The adaptive spin (the default) switches on when the loop's sleeps after tasks are ended
     * quickly by another thread's task: here a producer hands the next task over as soon as the
     * loop blocks, and the fake poll waits busily, so each such sleep lasts a few microseconds.
     */
    @Test
    void shouldStartSpinningWhenAnotherThreadsTasksEndItsSleepsQuickly() throws Exception {
        FakeProvider p = new FakeProvider();
        p.poller.busyWait = true;
        LoopEngine loop = LoopEngine.start(p, LoopOptions.DEFAULTS);
        Thread producer = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            long seen = 0;
            // one short sleep is enough to switch it on; 2,000 (at most 10 s) make a producer or
            // loop preempted by other processes harmless (200 were not, under two CPU hogs)
            for (int round = 0; round < 2_000; round++) {
                while (p.poller.blockingPollCount.get() == seen) {
                    if (System.nanoTime() > deadline) {
                        return;
                    }
                    Thread.onSpinWait(); // until the loop blocks: then the next task at once
                }
                seen = p.poller.blockingPollCount.get();
                loop.execute(() -> { });
            }
        }, "producer");
        try {
            producer.start();
            producer.join(20_000);
            assertTrue(loop.submit(loop::spinsBeforeSleep).get(10, TimeUnit.SECONDS) > 0,
                    "the loop never spun although its sleeps after tasks were short");
        } finally {
            loop.close();
        }
    }

    /**
     * A lone task to a loop that has been blocked longer than a short sleep never makes it spin:
     * the spin could not have caught that task, and would only delay the next one.
     */
    @Test
    void shouldNotSpinForLoneTasksAfterLongSleeps() throws Exception {
        FakeProvider p = new FakeProvider();
        LoopEngine loop = LoopEngine.start(p, LoopOptions.DEFAULTS);
        try {
            assertTrue(p.poller.blocked.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < 20; i++) {
                p.poller.blockingPolls.drainPermits();
                loop.execute(() -> { });
                assertTrue(p.poller.blockingPolls.tryAcquire(10, TimeUnit.SECONDS)); // ran, blocked again
                long blockedAt = p.poller.lastBlockingPollNanos;
                while (System.nanoTime() - blockedAt <= SpinBeforeSleep.SHORT_SLEEP_NANOS) {
                    Thread.onSpinWait(); // a lower bound on the sleep, not a synchronisation
                }
            }
            assertEquals(0, loop.submit(loop::spinsBeforeSleep).get(10, TimeUnit.SECONDS));
            assertEquals(0, loop.submit(loop::spinBeforeSleepNanos).get(10, TimeUnit.SECONDS));
        } finally {
            loop.close();
        }
    }

    /**
     * Tasks the poll's own handlers queue end a sleep at once, but no spin can catch them (the
     * loop does not poll I/O while it spins): they must not switch the spin on.
     */
    @Test
    void shouldNotSpinForTasksItsOwnIoHandlersQueue() throws Exception {
        FakeProvider p = new FakeProvider();
        AtomicInteger left = new AtomicInteger(200);
        CountDownLatch done = new CountDownLatch(1);
        LoopEngine[] loop = new LoopEngine[1];
        CountDownLatch started = new CountDownLatch(1);
        p.poller.onBlockingPoll = () -> {
            await(started);
            if (left.getAndDecrement() > 0) {
                loop[0].execute(() -> { }); // from the loop thread, as an I/O handler would
                p.poller.wake.release(); // and the poll returns at once, as for I/O
            } else {
                done.countDown();
            }
        };
        loop[0] = LoopEngine.start(p, LoopOptions.DEFAULTS);
        try {
            started.countDown();
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(0, loop[0].submit(loop[0]::spinsBeforeSleep).get(10, TimeUnit.SECONDS));
        } finally {
            p.poller.onBlockingPoll = null;
            loop[0].close();
        }
    }

    /** Holds the loop in a task until the returned latch is counted down; returns once it is held. */
    private static CountDownLatch holdLoop(LoopEngine loop) throws InterruptedException {
        CountDownLatch inTask = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            inTask.countDown();
            await(release);
        });
        assertTrue(inTask.await(10, TimeUnit.SECONDS), "the loop never ran the holding task");
        return release;
    }

    /** The heap's size and the inbox's waiting messages, read on the loop thread. */
    private static long[] heapAndInbox(LoopEngine loop) throws Exception {
        return loop.submit(() -> new long[] {loop.timerQueue().size(), loop.timerInbox().waiting()})
                .get(10, TimeUnit.SECONDS);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** checkInLoop names the method, the loop thread and the caller. */
    @Test
    void shouldNameBothThreadsInTheAffinityError() throws Exception {
        FakeProvider p = new FakeProvider();
        LoopEngine loop = LoopEngine.start(p, LoopOptions.builder().threadName("affinity").build());
        try {
            LoopAffinityException e = assertThrows(LoopAffinityException.class, () -> loop.checkInLoop("X.y"));
            assertTrue(e.getMessage().contains("X.y") && e.getMessage().contains("affinity-")
                    && e.getMessage().contains(Thread.currentThread().getName()), e.getMessage());
            assertEquals(Boolean.TRUE, loop.submit(() -> {
                loop.checkInLoop("X.y");
                return true;
            }).get(10, TimeUnit.SECONDS));
        } finally {
            loop.close();
        }
    }
}
