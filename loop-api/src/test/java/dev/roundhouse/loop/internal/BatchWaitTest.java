package dev.roundhouse.loop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BatchWaitTest {

    /** Short batches double the wait from the minimum to the cap; long ones halve it back to none. */
    @Test
    void shouldDoubleOnShortBatchesAndHalveOnLongOnes() {
        BatchWait w = new BatchWait();
        assertEquals(0, w.nanos());
        long[] expected = {500, 1_000, 2_000, 4_000, 8_000, 8_000};
        for (long e : expected) {
            assertEquals(e, w.afterStep(1, 10));
        }
        assertEquals(8_000, w.afterStep(BatchWait.SHORT_BATCH - 1, 1));
        assertEquals(4_000, w.afterStep(BatchWait.SHORT_BATCH, 1));
        assertEquals(2_000, w.afterStep(500, 1));
        assertEquals(1_000, w.afterStep(500, 1));
        assertEquals(500, w.afterStep(500, 1));
        assertEquals(0, w.afterStep(500, 1), "below the minimum a wait is not worth it");
        assertEquals(0, w.afterStep(500, 1));
        assertEquals(500, w.afterStep(3, 1), "a short batch starts again from the minimum");
        assertTrue(BatchWait.MAX_NANOS < 10_000, "the cap bounds the latency a wait adds");
    }

    /** The loop's own tasks are no producer to wait for: a task re-queuing itself is never slowed. */
    @Test
    void shouldNotWaitWhenOnlyTheLoopsOwnTasksWait() {
        BatchWait w = new BatchWait();
        for (int step = 0; step < 10; step++) {
            w.stepStarted();
            w.selfQueued();
            assertEquals(0, w.afterStep(1, 1), "step " + step);
        }
        assertEquals(0, w.nanos(), "the loop's own tasks did not adapt the wait");
        w.stepStarted();
        w.selfQueued();
        w.selfQueued();
        assertEquals(500, w.afterStep(1, 3), "one task from another thread waits beside two of the loop's");
        w.stepStarted();
        assertEquals(1_000, w.afterStep(1, 1), "the loop's count is per step");
        w.selfQueued(); // queued outside a step (an I/O handler): it runs in the next step
        w.stepStarted();
        assertEquals(2_000, w.afterStep(1, 1), "a task queued before the step began is not counted");
    }

    /** A step stopped at a task in transit before running any is the shortest batch: it waits. */
    @Test
    void shouldWaitAfterAStepStoppedAtATaskInTransit() {
        BatchWait w = new BatchWait();
        assertEquals(500, w.afterStep(0, 1));
        assertEquals(1_000, w.afterStep(0, 1));
    }

    @Test
    void shouldRejectNegativeCounts() {
        BatchWait w = new BatchWait();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.afterStep(-1, 5));
        assertTrue(e.getMessage().contains("-1 run"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> w.afterStep(1, -1));
    }

    /**
     * A planned wait ends no sooner than planned after the step ended (no upper bound is checked:
     * a descheduled test thread would break it), is counted, and is waited out once.
     */
    @Test
    void shouldWaitOutAPlannedWait() {
        BatchWait w = new BatchWait();
        w.awaitPlanned(); // nothing planned: returns at once
        assertEquals(0, w.waits());
        for (int i = 0; i < 4; i++) {
            w.afterStep(1, 10); // up to the cap
        }
        for (int round = 1; round <= 20; round++) {
            long start = System.nanoTime();
            w.planAfterStep(1, 10);
            busy(1_000); // the loop's poll, inside the wait
            w.awaitPlanned();
            long elapsed = System.nanoTime() - start;
            assertTrue(elapsed >= BatchWait.MAX_NANOS, "round " + round + " ended after " + elapsed + " ns");
            assertEquals(round, w.waits());
        }
        assertEquals(BatchWait.MAX_NANOS, w.nanos());
    }

    /**
     * A planned wait gives the processor away once before it busy-waits the rest (the loop's spin
     * slowed the producer 2x on this machine's vCPUs, docs/benchmark-history.md); nothing is given away when
     * nothing is planned or the poll already took the whole wait.
     */
    @Test
    void shouldYieldOncePerPlannedWaitStillToCome() {
        int[] yields = {0};
        BatchWait w = new BatchWait(() -> yields[0]++);
        w.awaitPlanned();
        assertEquals(0, yields[0], "nothing planned");
        for (int i = 0; i < 4; i++) {
            w.afterStep(1, 10); // up to the cap
        }
        int rounds = 50;
        for (int round = 1; round <= rounds; round++) {
            int before = yields[0];
            w.planAfterStep(1, 10);
            w.awaitPlanned(); // yields unless this thread lost the processor for 8 µs in between
            assertTrue(yields[0] - before <= 1, "at most one yield per planned wait");
            int after = yields[0];
            w.awaitPlanned();
            assertEquals(after, yields[0], "a wait is waited out once");
        }
        assertTrue(yields[0] >= rounds / 2, yields[0] + " yields in " + rounds + " planned waits");
        int before = yields[0];
        w.planAfterStep(1, 10);
        busy(2 * BatchWait.MAX_NANOS); // a poll that took the whole wait
        w.awaitPlanned();
        assertEquals(before, yields[0], "no yield once the wait has passed");
    }

    private static void busy(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }
}
