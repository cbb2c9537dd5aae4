package dev.roundhouse.loop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class TaskQueueTest {

    /**
     * poll leaves taken slots as they are (no per-task write to lines the producer fills);
     * releaseConsumed clears those of the current chunk, and chunks left behind are garbage.
     */
    @Test
    void shouldClearTakenSlotsOnlyWhenReleased() {
        TaskQueue q = new TaskQueue();
        int total = 2 * TaskQueue.CHUNK + 100;
        for (int i = 0; i < total; i++) {
            q.offer(new Tagged(0, i));
        }
        int taken = TaskQueue.CHUNK + 476;
        for (int i = 0; i < taken; i++) {
            assertEquals(i, ((Tagged) q.poll()).index);
        }
        TaskQueue.Chunk c = q.consumerChunk;
        assertEquals(TaskQueue.CHUNK, c.base);
        assertEquals(null, c.prev, "the chunk left behind is still linked");
        assertEquals(475, ((Tagged) c.slots[475]).index - TaskQueue.CHUNK);
        q.releaseConsumed();
        for (int i = 0; i < 476; i++) {
            assertNull(c.slots[i], "slot " + i + " was taken and released");
        }
        assertEquals(taken, ((Tagged) c.slots[476]).index, "a slot not yet taken was cleared");
        q.releaseConsumed(); // nothing new taken: clears nothing more
        assertEquals(taken, ((Tagged) q.poll()).index);
        int left = 1;
        while (q.poll() != null) {
            left++;
        }
        assertEquals(total - taken, left);
        assertFalse(q.hasTasks());
    }

    /**
     * A consumer that keeps up leaves chunks whose arrays the producer reuses, cleared: two arrays
     * serve any number of tasks (no 4 KiB of garbage per chunk), and a reused slot never yields a
     * task taken before.
     */
    @Test
    void shouldReuseTheClearedArraysOfChunksTheConsumerLeft() {
        TaskQueue q = new TaskQueue();
        java.util.Set<Runnable[]> arrays = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        int total = 10 * TaskQueue.CHUNK + 7;
        for (int i = 0; i < total; i++) {
            q.offer(new Tagged(0, i));
            assertEquals(i, ((Tagged) q.poll()).index);
            assertNull(q.poll(), "a slot not yet stored must read empty, also in a reused array");
            arrays.add(q.consumerChunk.slots);
        }
        assertEquals(2, arrays.size(), "slot arrays used for " + total + " tasks");
        assertFalse(q.hasTasks());
    }

    /**
     * What a queue whose consumer keeps up allocates: a small {@code Chunk} per {@link
     * TaskQueue#CHUNK} tasks, under 0.1 byte per task (a fresh array per chunk was 4 bytes).
     */
    @Test
    void shouldAllocateLessThanATenthOfAByteOfGarbagePerTaskWhileTheConsumerKeepsUp() {
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        TaskQueue q = new TaskQueue();
        Runnable task = () -> { };
        int tasks = 200 * TaskQueue.CHUNK;
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < tasks; i++) {
            q.offer(task);
            q.poll();
        }
        long bytes = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(bytes < tasks / 10, bytes + " bytes allocated for " + tasks + " tasks");
    }

    /** A queue sealed exactly at a chunk boundary drains every accepted task and nothing else. */
    @Test
    void shouldSealAtAChunkBoundary() {
        TaskQueue q = new TaskQueue();
        for (int i = 0; i < TaskQueue.CHUNK; i++) {
            assertTrue(q.offer(new Tagged(0, i)));
        }
        assertTrue(q.close());
        assertTrue(q.isClosed());
        assertFalse(q.offer(new Tagged(0, -1)));
        long end = q.acceptedCount();
        assertEquals(TaskQueue.CHUNK, end);
        int drained = 0;
        while (!q.consumedUpTo(end)) {
            assertEquals(drained, ((Tagged) q.poll()).index);
            drained++;
        }
        assertNull(q.poll(), "no chunk follows the seal");
        assertFalse(q.hasTasks());
    }

    /** Each producer's tasks come out in its own order, and none is lost or duplicated. */
    @Test
    void shouldBeFifoPerProducerAndLoseNothing() throws Exception {
        drainConcurrently(4, 200_000);
    }

    /**
     * As above with more producers than cores, so producers are preempted between claiming a slot
     * and storing into it while the consumer leaves chunks and their arrays are reused.
     */
    @Test
    void shouldLoseNothingWhenPreemptedProducersRaceArrayReuse() throws Exception {
        for (int round = 0; round < 5; round++) {
            drainConcurrently(4 * Runtime.getRuntime().availableProcessors(), 20_000);
        }
    }

    private static void drainConcurrently(int producers, int perProducer) throws Exception {
        TaskQueue q = new TaskQueue();
        long[] last = new long[producers];
        java.util.Arrays.fill(last, -1);
        Thread[] threads = new Thread[producers];
        for (int p = 0; p < producers; p++) {
            int id = p;
            threads[p] = new Thread(() -> {
                for (int i = 0; i < perProducer; i++) {
                    q.offer(new Tagged(id, i));
                }
            });
            threads[p].start();
        }
        int seen = 0;
        while (seen < producers * perProducer) {
            Runnable r = q.poll();
            if (r == null) {
                Thread.onSpinWait();
                continue;
            }
            Tagged t = (Tagged) r;
            assertEquals(last[t.producer] + 1, t.index, "producer " + t.producer + " out of order");
            last[t.producer] = t.index;
            seen++;
        }
        for (Thread t : threads) {
            t.join();
        }
        assertNull(q.poll());
        assertFalse(q.hasTasks());
    }

    /** An offer racing close is either accepted (and then polled) or refused; never lost. */
    @Test
    void shouldRunOrRejectOffersRacingClose() throws Exception {
        for (int trial = 0; trial < 200; trial++) {
            TaskQueue q = new TaskQueue();
            AtomicLong accepted = new AtomicLong();
            CountDownLatch go = new CountDownLatch(1);
            Thread[] producers = new Thread[3];
            for (int p = 0; p < producers.length; p++) {
                producers[p] = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < 2_000; i++) {
                        if (q.offer(() -> { })) {
                            accepted.incrementAndGet();
                        }
                    }
                });
                producers[p].start();
            }
            go.countDown();
            Thread.onSpinWait();
            assertTrue(q.close());
            for (Thread t : producers) {
                t.join();
            }
            assertFalse(q.close(), "second close reports already closed");
            assertFalse(q.offer(() -> { }));
            int drained = 0;
            while (q.hasTasks()) {
                if (q.poll() != null) {
                    drained++;
                }
            }
            assertEquals(accepted.get(), drained, "trial " + trial);
        }
    }

    /** Draining up to a snapshot leaves tasks queued after the snapshot for later. */
    @Test
    void shouldStopAtTheSnapshotTail() {
        TaskQueue q = new TaskQueue();
        AtomicInteger ran = new AtomicInteger();
        q.offer(ran::incrementAndGet);
        q.offer(ran::incrementAndGet);
        long end = q.acceptedCount();
        q.offer(ran::incrementAndGet);
        while (!q.consumedUpTo(end)) {
            q.poll().run();
        }
        assertEquals(2, ran.get());
        assertTrue(q.hasTasks());
    }

    private static final class Tagged implements Runnable {
        final int producer;
        final long index;

        Tagged(int producer, long index) {
            this.producer = producer;
            this.index = index;
        }

        @Override
        public void run() {
        }
    }
}
