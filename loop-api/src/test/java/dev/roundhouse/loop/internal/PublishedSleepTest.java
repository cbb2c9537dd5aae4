package dev.roundhouse.loop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which producer wakes a sleeping loop ({@link PublishedSleep}), without a loop. */
@Timeout(30)
class PublishedSleepTest {
    private static final long DEADLINE = 1_000_000;

    /** An awake loop is never woken; a sleeping one only for a task due before its deadline. */
    @Test
    void shouldClaimAWakeupOnlyForATaskDueBeforeTheSleepEnds() {
        PublishedSleep sleep = new PublishedSleep();
        assertFalse(sleep.mayBlock());
        assertFalse(sleep.claimWakeup(Long.MIN_VALUE), "awake: no wakeup");
        sleep.publish(DEADLINE);
        assertTrue(sleep.mayBlock());
        assertFalse(sleep.claimWakeup(DEADLINE), "due when the loop wakes anyway");
        for (int i = 0; i < 2_000; i++) {
            assertFalse(sleep.claimWakeup(Long.MAX_VALUE), "never due, however many (the inbox bounds those)");
        }
        assertTrue(sleep.mayBlock());
        assertTrue(sleep.claimWakeup(DEADLINE - 1), "due before the deadline");
        assertFalse(sleep.mayBlock(), "claimed: the claimer wakes it");
        assertFalse(sleep.claimWakeup(Long.MIN_VALUE), "one wakeup per sleep");
        sleep.end();
        sleep.publish(Long.MAX_VALUE); // no timer
        assertTrue(sleep.claimWakeup(Long.MAX_VALUE - 1), "without timers any deadline is earlier");
    }

    /** A shutdown wakes a sleeping loop whatever its deadline, once per sleep. */
    @Test
    void shouldGiveAnyWakeupOncePerSleep() {
        PublishedSleep sleep = new PublishedSleep();
        assertFalse(sleep.claimAnyWakeup(), "awake");
        sleep.publish(DEADLINE);
        assertTrue(sleep.claimAnyWakeup(), "a shutdown wakes a sleeping loop whatever its deadline");
        assertFalse(sleep.claimAnyWakeup(), "once");
        assertFalse(sleep.claimWakeup(Long.MIN_VALUE), "claimed already");
    }

    /** Of many producers racing to wake one sleep, exactly one is told to. */
    @Test
    void shouldGiveOneWakeupPerSleepToRacingProducers() throws Exception {
        for (int round = 0; round < 200; round++) {
            PublishedSleep sleep = new PublishedSleep();
            sleep.publish(DEADLINE);
            AtomicInteger claimed = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(4);
            for (int t = 0; t < 4; t++) {
                Thread producer = new Thread(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < 100; i++) {
                            if (sleep.claimWakeup(i % 2 == 0 ? Long.MAX_VALUE : 0)) {
                                claimed.incrementAndGet();
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        done.countDown();
                    }
                });
                producer.start();
            }
            go.countDown();
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(1, claimed.get(), "round " + round);
        }
    }
}
