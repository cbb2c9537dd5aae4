package dev.roundhouse.loop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.LoopClosedException;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Loops;
import dev.roundhouse.loop.MissingCapabilityException;
import dev.roundhouse.loop.Registration;
import dev.roundhouse.loop.TimerHandle;
import dev.roundhouse.loop.Trigger;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The loop contract (EventLoop's Javadoc, DESIGN.md "The loop"): task order, timers and their
 * cancellation, tasks and futures, exceptions, and direct-buffer hygiene across many loops.
 * Shutdown, wakeup and stall cases are in {@link LifecycleTck}. Runs on every backend.
 */
public abstract class LoopTck extends BackendTck {

    /** execute: tasks from one producer run in submission order, across 4 concurrent producers. */
    @Test
    @Timeout(60)
    void shouldRunExecutedTasksFifoPerProducer() throws Exception {
        EventLoop loop = openLoop();
        int producers = 4;
        int perProducer = 25_000;
        int[] last = new int[producers];
        java.util.Arrays.fill(last, -1);
        List<String> violations = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(producers);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            threads.add(new Thread(() -> {
                for (int seq = 0; seq < perProducer; seq++) {
                    int s = seq;
                    loop.execute(() -> { // runs on the loop thread: plain array access is safe
                        if (last[producer] != s - 1) {
                            violations.add("producer " + producer + ": " + s + " after " + last[producer]);
                        }
                        last[producer] = s;
                        if (s == perProducer - 1) {
                            done.countDown();
                        }
                    });
                }
            }, "tck-producer-" + p));
        }
        threads.forEach(Thread::start);
        Await.await(done, "every producer's last task");
        for (Thread t : threads) {
            t.join(Await.TIMEOUT_MS);
        }
        assertEquals(List.of(), violations.subList(0, Math.min(5, violations.size())), "FIFO per producer");
    }

    /** Timers: fire in deadline order, FIFO among equal deadlines, on the loop thread. */
    @Test
    @Timeout(30)
    void shouldFireTimersInDeadlineOrderFifoOnEqualDeadlines() throws Exception {
        EventLoop loop = openLoop();
        int timers = 200;
        List<Integer> fired = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(timers);
        List<long[]> expected = new ArrayList<>(); // {deadline, creation index}
        Thread loopThread = Await.loopThread(loop);
        List<Thread> threads = new CopyOnWriteArrayList<>();
        Await.run(loop, () -> {
            long base = loop.time() + TimeUnit.MILLISECONDS.toNanos(50);
            List<Integer> slots = new ArrayList<>();
            for (int i = 0; i < timers; i++) {
                slots.add(i % 7);
            }
            Collections.shuffle(slots, new Random(42));
            for (int i = 0; i < timers; i++) {
                int index = i;
                long deadline = base + TimeUnit.MILLISECONDS.toNanos(slots.get(i));
                expected.add(new long[] {deadline, i});
                loop.callAt(() -> {
                    fired.add(index);
                    threads.add(Thread.currentThread());
                    all.countDown();
                }, deadline);
            }
        });
        Await.await(all, "every timer");
        expected.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
        assertEquals(expected.stream().map(e -> (int) e[1]).toList(), fired, "deadline order, FIFO on ties");
        assertTrue(threads.stream().allMatch(t -> t == loopThread), "timers run on the loop thread");
    }

    /**
     * Tasks before timers: a timer scheduled from another thread after a task was queued (by a third
     * thread, the two calls ordered by a join) fires after that task, even when the loop, held up,
     * comes to both after the timer's deadline.
     */
    @Test
    @Timeout(30)
    void shouldRunATaskQueuedBeforeAForeignTimerFirst() throws Exception {
        EventLoop loop = openLoop();
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch both = new CountDownLatch(2);
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            busy.countDown();
            Await.await(release, "the test to release the loop");
        });
        Await.await(busy, "the loop to be held");
        // queued while the loop runs the holding task: both wait for the next iteration
        Thread producer = new Thread(() -> loop.execute(recording(order, "task", both)), "tck-producer");
        producer.start();
        producer.join(Await.TIMEOUT_MS);
        assertFalse(producer.isAlive(), "the producer's execute returned");
        TimerHandle timer = loop.schedule(recording(order, "timer", both), 0, TimeUnit.NANOSECONDS);
        assertTrue(loop.time() - timer.deadlineNanos() >= 0, "the timer is due before the loop comes to it");
        release.countDown();
        Await.await(both, "the task and the timer");
        assertEquals(List.of("task", "timer"), order);
    }

    /**
     * Tasks before timers, on the loop thread: a timer added by callLater or callAt after the loop
     * queued a task to itself fires after that task, although it is due when the next iteration
     * begins; and so do the timers due after it (deadline order).
     */
    @Test
    @Timeout(30)
    void shouldRunATaskQueuedBeforeALoopTimerFirst() throws Exception {
        EventLoop loop = openLoop();
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(4);
        Await.run(loop, () -> {
            loop.callAt(recording(order, "earlier timer", all), loop.time() - 1);
            loop.execute(recording(order, "task", all));
            loop.callLater(recording(order, "timer", all), 0, TimeUnit.NANOSECONDS);
            loop.callAt(recording(order, "later timer", all), loop.time());
        });
        Await.await(all, "the task and the timers");
        // the earlier timer was scheduled before the task: no order between the two is promised
        assertEquals(List.of("task", "timer", "later timer"),
                order.stream().filter(e -> !e.equals("earlier timer")).toList());
    }

    /** A callback that appends {@code name} to {@code order}, then counts {@code done} down. */
    private static Runnable recording(List<String> order, String name, CountDownLatch done) {
        return () -> {
            order.add(name);
            done.countDown();
        };
    }

    /** Timer cancel: timers cancelled from another thread or from the loop never run; cancel after run returns false. */
    @Test
    @Timeout(30)
    void shouldNeverRunCancelledTimers() throws Exception {
        EventLoop loop = openLoop();
        AtomicInteger ran = new AtomicInteger();
        List<TimerHandle> foreign = new ArrayList<>();
        // 1 s leaves room to cancel all 1,000 from this thread before any deadline even on a loaded
        // 2-core machine (50 ms did not: seen failing under a load average of 12).
        for (int i = 0; i < 1000; i++) {
            foreign.add(loop.schedule(ran::incrementAndGet, 1000, TimeUnit.MILLISECONDS));
        }
        for (TimerHandle t : foreign) {
            assertTrue(t.cancel(), "first cancel succeeds");
            assertFalse(t.cancel(), "cancel is idempotent");
            assertTrue(t.isCancelled());
        }
        Await.run(loop, () -> {
            for (int i = 0; i < 1000; i++) {
                TimerHandle t = loop.callLater(ran::incrementAndGet, 20, TimeUnit.MILLISECONDS);
                assertTrue(t.cancel());
            }
        });
        CompletableFuture<Void> sentinel = new CompletableFuture<>();
        TimerHandle last = loop.schedule(() -> sentinel.complete(null), 1100, TimeUnit.MILLISECONDS);
        Await.get(sentinel, "a later timer");
        assertEquals(0, ran.get(), "cancelled timers ran");
        assertTrue(last.isDone());
        assertFalse(last.cancel(), "cancel after the timer ran returns false");
        assertFalse(last.isCancelled());
    }

    /** Timer cancel: cancelled timers are removed from the loop, not kept until their deadline. */
    @Test
    @Timeout(60)
    void shouldNotRetainCancelledTimers() throws Exception {
        EventLoop loop = openLoop();
        int timers = 10_000;
        List<java.lang.ref.WeakReference<Runnable>> tasks = new ArrayList<>();
        List<TimerHandle> handles = new ArrayList<>();
        for (int i = 0; i < timers; i++) {
            Runnable task = new Runnable() {
                @Override
                public void run() {
                    throw new AssertionError("a cancelled timer ran");
                }
            };
            tasks.add(new java.lang.ref.WeakReference<>(task));
            handles.add(loop.schedule(task, 1, TimeUnit.HOURS));
        }
        for (int i = 0; i < timers; i += 2) {
            handles.get(i).cancel(); // from a foreign thread
        }
        List<TimerHandle> onLoop = new ArrayList<>(handles);
        Await.run(loop, () -> {
            for (int i = 1; i < timers; i += 2) {
                onLoop.get(i).cancel(); // from the loop
            }
        });
        handles.clear();
        onLoop.clear();
        Await.quiet(loop, 2, 0);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Await.TIMEOUT_MS);
        long retained;
        do {
            System.gc();
            retained = tasks.stream().filter(r -> r.get() != null).count();
        } while (retained > 0 && System.nanoTime() - deadline < 0);
        assertEquals(0, retained, "cancelled timers' tasks still reachable: cancelled timers pile up");
    }

    /** submit: the future completes with the task's value, or with its exception. */
    @Test
    @Timeout(30)
    void shouldCompleteSubmitFutureWithValueOrException() throws Exception {
        EventLoop loop = openLoop();
        assertEquals(42, (int) Await.get(loop.submit(() -> 42), "submit"));
        assertTrue(Await.get(loop.submit(loop::inLoop), "submit"), "submit runs on the loop thread");
        IllegalStateException boom = new IllegalStateException("tck: submitted failure");
        CompletableFuture<Object> failed = loop.submit(() -> {
            throw boom;
        });
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> failed.get(Await.TIMEOUT_MS, TimeUnit.MILLISECONDS));
        assertSame(boom, e.getCause());
    }

    /** Exceptions: a failing task or timer goes to the exception handler on the loop thread, and the loop goes on. */
    @Test
    @Timeout(30)
    void shouldReportTaskExceptionAndKeepRunning() throws Exception {
        List<Object> reported = new CopyOnWriteArrayList<>();
        CountDownLatch two = new CountDownLatch(2);
        EventLoop loop = openLoop(o -> o.exceptionHandler((l, context, error) -> {
            reported.add(List.of(l, error, Thread.currentThread()));
            two.countDown();
        }));
        Thread loopThread = Await.loopThread(loop);
        RuntimeException inTask = new IllegalStateException("tck: task failure");
        RuntimeException inTimer = new IllegalStateException("tck: timer failure");
        loop.execute(() -> {
            throw inTask;
        });
        loop.schedule(() -> {
            throw inTimer;
        }, 1, TimeUnit.MILLISECONDS);
        Await.await(two, "two exception reports");
        assertEquals("alive", Await.get(loop.submit(() -> "alive"), "a task after the failures"));
        assertEquals(List.of(List.of(loop, inTask, loopThread), List.of(loop, inTimer, loopThread)), reported);
    }

    /** Resources: opening and closing many loops does not grow the JVM's direct buffer count. */
    @Test
    @Timeout(120)
    void shouldNotGrowDirectBuffersAcrossManyLoops() throws Exception {
        long baseline = Leaks.awaitDirectBuffersAtMost(0);
        for (int i = 0; i < 50; i++) {
            try (EventLoop loop = Loops.open(LoopOptions.builder().backend(backend()).build())) {
                Await.get(loop.submit(() -> null), "a task");
                loop.close();
                assertTrue(loop.isTerminated());
            }
        }
        long after = Leaks.awaitDirectBuffersAtMost(baseline + 4);
        assertTrue(after <= baseline + 4, "direct buffers: " + baseline + " before 50 loops, " + after + " after");
    }

    /**
     * Capabilities: register works exactly when READINESS is declared; otherwise it throws
     * MissingCapabilityException saying "X does not provide READINESS".
     */
    @Test
    @Timeout(30)
    void shouldRegisterExactlyWhenReadinessIsDeclared() throws Exception {
        boolean declared = backendInfo().capabilities().contains(Capability.READINESS);
        EventLoop loop = openLoop();
        Pipe p = Channels.pipe();
        closeLater(Channels.closer(p));
        Throwable thrown = Await.thrownOnLoop(loop, () -> {
            Registration r = loop.register(p.source(), Interest.READ, Trigger.LEVEL, new ReadinessRecorder("x"));
            assertTrue(r.isActive(), "a fresh registration is active");
            r.cancel();
        });
        if (declared) {
            assertNull(thrown, () -> backend() + " declares READINESS but register threw " + thrown);
            return;
        }
        MissingCapabilityException e = assertInstanceOf(MissingCapabilityException.class, thrown);
        assertEquals(Capability.READINESS, e.capability());
        assertEquals(backend() + " does not provide READINESS", e.getMessage());
    }

    /** close: a closed loop rejects execute, submit and schedule with LoopClosedException. */
    @Test
    @Timeout(30)
    void shouldRejectTasksAfterClose() throws Exception {
        EventLoop loop = openLoop();
        loop.close();
        assertTrue(loop.isTerminated() && loop.isShuttingDown());
        assertThrows(LoopClosedException.class, () -> loop.execute(() -> { }));
        assertThrows(LoopClosedException.class, () -> loop.submit(() -> 1));
        assertThrows(LoopClosedException.class, () -> loop.schedule(() -> { }, 1, TimeUnit.MILLISECONDS));
        loop.close(); // idempotent
    }
}
