package dev.roundhouse.loop.iocp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link LookSchedule}'s rules on a clock the test passes in: when a look is due, when a busy
 * stretch releases the port instead, when a spinning loop puts a look off and for how long at most,
 * and what a look is taken to cost.
 */
class LookScheduleTest {
    private static final long T0 = 1_000_000_000L;
    private static final long INTERVAL = LookSchedule.CHECK_INTERVAL_NANOS;

    @Test
    void shouldLookOnlyWhileAnOperationWaitsAndOncePerInterval() {
        LookSchedule s = new LookSchedule();
        s.portReturned(T0);
        assertFalse(s.due(T0 + 10 * INTERVAL, 0), "a look with nothing waiting in the port");
        assertEquals(1, s.skipped());
        assertFalse(s.due(T0 + INTERVAL - 1, 1), "a look within the interval");
        assertTrue(s.due(T0 + INTERVAL, 1), "no look an interval after the port returned");
        assertEquals(1, s.skipped(), "skipped counts only looks with nothing waiting");
    }

    @Test
    void shouldReleaseInsteadOfTheLookPastTheLimitInAStretchThatTasksKeepBusy() {
        LookSchedule s = new LookSchedule();
        s.looksBeforeRelease(2);
        assertFalse(s.releaseInstead(true));
        assertFalse(s.releaseInstead(true));
        assertTrue(s.releaseInstead(true), "the third look of a stretch with tasks waiting");
        assertFalse(s.releaseInstead(true), "a new stretch after the release");
        assertFalse(s.releaseInstead(false), "completions alone released the port");
        assertFalse(s.releaseInstead(true), "a poll with no task waiting did not end the stretch");
        assertFalse(s.releaseInstead(true));
        s.stretchEnded();
        assertFalse(s.releaseInstead(true), "a wait in the port did not end the stretch");
        assertFalse(s.releaseInstead(true));
        assertTrue(s.releaseInstead(true));

        s.looksBeforeRelease(-1);
        for (int i = 0; i < 100; i++) {
            assertFalse(s.releaseInstead(true), "released with releasing switched off");
        }
    }

    @Test
    void shouldPutLooksOffTowardANearTimerForSoLongAtMost() {
        LookSchedule s = new LookSchedule();
        s.portReturned(T0);
        assertTrue(s.putOff(T0 + 1, 0), "a look past a timer due now, before any look");
        assertFalse(s.putOff(T0 + 1, 1), "put off before any look, the timer not due");
        s.lookTook(20_000);
        long look = s.lookNanos();
        assertTrue(s.putOff(T0 + 1, 2 * look), "a look toward a timer due within twice a look");
        assertFalse(s.putOff(T0 + 1, 2 * look + 1), "a look toward a farther timer put off");
        assertTrue(s.putOff(T0 + LookSchedule.MAX_DEFERRAL_NANOS - 1, 0));
        assertFalse(s.putOff(T0 + LookSchedule.MAX_DEFERRAL_NANOS, 0), "put off past the bound");
        assertEquals(3, s.deferred());

        s.looksBeforeRelease(2);
        assertFalse(s.releaseInstead(true));
        assertFalse(s.releaseInstead(true));
        assertFalse(s.putOff(T0 + 1, Long.MAX_VALUE)); // a look while spinning: no task waits
        assertFalse(s.releaseInstead(true), "a spinning look did not end the stretch");
    }

    @Test
    void shouldAverageWhatLooksTakeAQuarterAtATimeEachAtMostTheInterval() {
        LookSchedule s = new LookSchedule();
        assertEquals(0, s.lookNanos());
        s.lookTook(40_000);
        assertEquals(10_000, s.lookNanos());
        s.lookTook(40_000);
        assertEquals(17_500, s.lookNanos());
        s.lookTook(10_000_000); // preempted: counts as the interval
        assertEquals(17_500 + (INTERVAL - 17_500) / 4, s.lookNanos());
        assertEquals(3, s.looks());
    }
}
