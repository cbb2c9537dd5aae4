package dev.roundhouse.loop.iocp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The loop's completion port on its own: order, wakeups, and no lost completion under contention. */
class CompletionQueueTest {

    /** Completions are taken in the order they were posted (completion order), oldest first. */
    @Test
    @Timeout(10)
    void shouldTakeCompletionsInPostOrder() {
        CompletionQueue q = new CompletionQueue(Thread.currentThread());
        List<Integer> seen = new ArrayList<>();
        List<Completion<Integer>> cs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int id = i;
            cs.add(new Completion<>(q, "c" + i, (v, e) -> seen.add(id * 100 + v)));
        }
        for (int i = 0; i < 5; i++) {
            cs.get(i).completed(i, null);
        }
        int n = 0;
        for (Completion<?> c = q.takeAll(); c != null; c = c.next) {
            c.dispatch();
            n++;
        }
        assertEquals(5, n);
        assertEquals(List.of(0, 101, 202, 303, 404), seen);
        assertEquals(null, q.takeAll(), "taken once");
    }

    /** A parked consumer is unparked by a post and by wakeup(), and a timeout ends the wait. */
    @Test
    @Timeout(10)
    void shouldReturnFromAwaitOnPostWakeupOrTimeout() throws Exception {
        CompletableFuture<CompletionQueue> made = new CompletableFuture<>();
        Semaphore returned = new Semaphore(0);
        Semaphore go = new Semaphore(0);
        Thread consumer = new Thread(() -> {
            CompletionQueue q = new CompletionQueue(Thread.currentThread());
            made.complete(q);
            for (int i = 0; i < 2; i++) {
                go.acquireUninterruptibly();
                q.await(-1);
                q.takeAll();
                returned.release();
            }
        }, "test-consumer");
        consumer.start();
        CompletionQueue q = made.get(5, TimeUnit.SECONDS);
        go.release();
        awaitParked(consumer, q);
        new Completion<Integer>(q, "x", (v, e) -> { }).completed(1, null);
        assertTrue(returned.tryAcquire(5, TimeUnit.SECONDS), "a post unparks the consumer");
        go.release();
        awaitParked(consumer, q);
        q.wakeup();
        assertTrue(returned.tryAcquire(5, TimeUnit.SECONDS), "wakeup unparks the consumer");
        consumer.join(5_000);
        CompletionQueue own = new CompletionQueue(Thread.currentThread());
        // a permit the waits above may have left this thread (a future or semaphore unparks its
        // waiter even when it already returned) makes one park return at once: use it up first
        own.await(TimeUnit.MILLISECONDS.toNanos(1));
        long t0 = System.nanoTime();
        own.await(TimeUnit.MILLISECONDS.toNanos(30));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(25), "the timeout is honoured");
    }

    /**
     * A wake-up request cuts the next await short once (it returns without parking), and a
     * request dropped because a wait in the port served it does not.
     */
    @Test
    @Timeout(10)
    void shouldCutOneAwaitShortPerRequestUnlessDropped() {
        CompletionQueue q = new CompletionQueue(Thread.currentThread());
        q.wakeup();
        q.await(-1); // would park for good without the request
        assertEquals(1, q.awaitsCutShort(), "a request cuts the await short");
        q.await(TimeUnit.MICROSECONDS.toNanos(100));
        assertEquals(1, q.awaitsCutShort(), "the await that served a request cleared it");
        q.wakeup();
        q.dropWakeupRequest();
        q.await(TimeUnit.MICROSECONDS.toNanos(100));
        assertEquals(1, q.awaitsCutShort(), "a dropped request cuts no await short");
    }

    /** Four producers re-posting their completion as soon as it is dispatched: every completion arrives, none is lost to a missed unpark. */
    @Test
    @Timeout(60)
    void shouldNotLoseCompletionsUnderContention() throws Exception {
        int producers = 4;
        int rounds = 50_000;
        CompletableFuture<CompletionQueue> made = new CompletableFuture<>();
        AtomicLong dispatched = new AtomicLong();
        AtomicLong longestAwait = new AtomicLong();
        List<Semaphore> tickets = new ArrayList<>();
        List<Completion<Integer>> completions = new ArrayList<>();
        Thread consumer = new Thread(() -> {
            CompletionQueue q = new CompletionQueue(Thread.currentThread());
            for (int p = 0; p < producers; p++) {
                Semaphore ticket = new Semaphore(0);
                tickets.add(ticket);
                completions.add(new Completion<>(q, "p" + p, (v, e) -> {
                    dispatched.incrementAndGet();
                    ticket.release();
                }));
            }
            made.complete(q);
            while (dispatched.get() < (long) producers * rounds) {
                long w0 = System.nanoTime();
                q.await(TimeUnit.SECONDS.toNanos(5)); // a lost unpark would show up as a 5 s stall
                longestAwait.accumulateAndGet(System.nanoTime() - w0, Math::max);
                for (Completion<?> c = q.takeAll(); c != null; ) {
                    Completion<?> next = c.next;
                    c.next = null;
                    c.dispatch();
                    c = next;
                }
            }
        }, "test-consumer");
        consumer.start();
        made.get(5, TimeUnit.SECONDS);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            Completion<Integer> c = completions.get(p);
            Semaphore ticket = tickets.get(p);
            Thread t = new Thread(() -> {
                for (int i = 0; i < rounds; i++) {
                    c.completed(i, null);
                    ticket.acquireUninterruptibly(); // one outstanding per completion, like an operation
                }
            }, "test-producer-" + p);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(50_000);
        }
        consumer.join(10_000);
        assertEquals((long) producers * rounds, dispatched.get());
        assertTrue(longestAwait.get() < TimeUnit.SECONDS.toNanos(2), "longest wait "
                + TimeUnit.NANOSECONDS.toMillis(longestAwait.get()) + " ms: a post did not unpark the consumer");
    }

    /**
     * Deferred actions run once each, oldest first, when the pass ends: also those deferred while
     * they run; one that throws goes to the error handler and the rest still run; a second end of
     * pass runs nothing again.
     */
    @Test
    @Timeout(10)
    void shouldRunActionsDeferredToThePassEndOnceInOrder() {
        CompletionQueue q = new CompletionQueue(Thread.currentThread());
        List<String> ran = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        IllegalStateException boom = new IllegalStateException("boom");
        for (int i = 0; i < 20; i++) { // more than the initial capacity
            int id = i;
            q.afterPass(() -> ran.add("a" + id));
        }
        q.afterPass(() -> {
            ran.add("thrower");
            throw boom;
        });
        q.afterPass(() -> {
            ran.add("deferrer");
            q.afterPass(() -> ran.add("deferred while running"));
        });
        assertEquals(List.of(), ran, "nothing runs before the pass ends");
        q.runAfterPass(errors::add);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add("a" + i);
        }
        expected.addAll(List.of("thrower", "deferrer", "deferred while running"));
        assertEquals(expected, ran);
        assertEquals(List.of(boom), errors);
        q.runAfterPass(errors::add);
        assertEquals(expected.size(), ran.size(), "each action runs once");
    }

    /** Waits (bounded) until {@code t} is parked in {@code q}'s await (the queue is its park blocker). */
    private static void awaitParked(Thread t, CompletionQueue q) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (java.util.concurrent.locks.LockSupport.getBlocker(t) != q) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("the consumer did not park in await: " + t.getState());
            }
            Thread.onSpinWait();
        }
    }
}
