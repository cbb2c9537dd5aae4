package dev.roundhouse.loop.iocp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The batching back-off on its own, against a model of the port: a burst of completions all
 * waiting, where each wait takes one of them, or, if it batches, every one left.
 */
class BatchBackoffTest {

    /** Every batch wasted (ping-pong): skips 1, 1–2, 2–4, ... 16–32 between batches, never more. */
    @Test
    @Timeout(10)
    void shouldSkipUpToTwiceAsManyWaitsAfterEachWastedBatch() {
        BatchBackoff b = new BatchBackoff();
        int bound = 0;
        for (int batch = 0; batch < 200; batch++) {
            int skips = 0;
            while (!b.batchesNow()) {
                skips++;
            }
            int lowest = bound == 0 ? 0 : Math.max(1, bound / 2);
            assertTrue(skips >= lowest && skips <= bound, "batch " + batch + ": " + skips + " skips, bound " + bound);
            b.onBatchTook(1);
            bound = Math.min(BatchBackoff.MAX_SKIPS, Math.max(1, bound * 2));
        }
        assertEquals(200, b.batches());
        assertEquals(200, b.wasted());
        assertTrue(b.skipped() >= 150L * BatchBackoff.MAX_SKIPS / 2, "skipped: " + b.skipped());
    }

    /** A batch that took several completions starts the count over: the next wait batches. */
    @Test
    @Timeout(10)
    void shouldBatchAgainAtOnceAfterABatchThatTookSeveral() {
        BatchBackoff b = wastedToTheMaximum();
        while (!b.batchesNow()) {
            // skipped
        }
        b.onBatchTook(2);
        assertTrue(b.batchesNow(), "a wait right after a productive batch batches");
        b.onBatchTook(1);
        assertFalse(b.batchesNow(), "after a wasted batch once more, one skip (the bound started over)");
        assertTrue(b.batchesNow());
    }

    /**
     * Bursts of any size from 2 to 64, entered at any point of the back-off at its largest: almost
     * every burst batches. With a fixed count of skips, bursts whose size divides the skips plus one
     * (3, 11, 33 for 32) whose batch began at a burst's last completion ran without batching for good.
     */
    @Test
    @Timeout(10)
    void shouldNotStayInStepWithBurstsOfAnySize() {
        int bursts = 200;
        for (int size = 2; size <= 64; size++) {
            for (int first = 1; first <= size; first++) {
                BatchBackoff b = wastedToTheMaximum();
                int productive = 0;
                for (int burst = 0; burst < bursts; burst++) {
                    productive += runBurst(b, burst == 0 ? first : size) ? 1 : 0;
                }
                assertTrue(productive >= bursts * 3 / 4, "bursts of " + size + " entered with " + first
                        + " left: " + productive + " of " + bursts + " batched several completions");
            }
        }
    }

    private static BatchBackoff wastedToTheMaximum() {
        BatchBackoff b = new BatchBackoff();
        for (int bound = 1; bound < BatchBackoff.MAX_SKIPS * 2; bound *= 2) {
            while (!b.batchesNow()) {
                // skipped
            }
            b.onBatchTook(1);
        }
        return b;
    }

    /** One burst of {@code completions}, all waiting; returns whether a batch took several of them. */
    private static boolean runBurst(BatchBackoff b, int completions) {
        boolean productive = false;
        int left = completions;
        while (left > 0) {
            if (b.batchesNow()) {
                b.onBatchTook(left);
                productive |= left > 1;
                left = 0;
            } else {
                left--;
            }
        }
        return productive;
    }
}
