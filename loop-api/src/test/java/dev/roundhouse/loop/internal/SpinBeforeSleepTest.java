package dev.roundhouse.loop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SpinBeforeSleepTest {
    private static final long SHORT = SpinBeforeSleep.SHORT_SLEEP_NANOS - 1;
    private static final long LONG = SpinBeforeSleep.SHORT_SLEEP_NANOS;

    /**
     * Short sleeps ended by another thread's task switch the spin on and double it up to the
     * maximum; long ones halve it back to none; short ones without such a task leave it.
     */
    @Test
    void shouldDoubleAfterShortSleepsAndHalveAfterLongOnes() {
        SpinBeforeSleep s = SpinBeforeSleep.adaptive(2_000);
        assertTrue(s.isAdaptive());
        assertEquals(0, s.nanos(), "off until a sleep turns out short");
        long[] expected = {500, 1_000, 2_000, 2_000};
        for (long e : expected) {
            s.slept(SHORT, true);
            assertEquals(e, s.nanos());
        }
        s.slept(LONG, true);
        assertEquals(1_000, s.nanos(), "a task that came late: the spin would not have caught it");
        s.slept(0, false);
        assertEquals(1_000, s.nanos(), "a short sleep with no task (a stale wakeup, I/O) says nothing");
        s.slept(LONG, false);
        assertEquals(500, s.nanos(), "a long sleep without a task");
        s.slept(LONG, false);
        assertEquals(0, s.nanos(), "below the minimum a spin is not worth it");
        s.slept(LONG, true);
        assertEquals(0, s.nanos());
        s.slept(1, true);
        assertEquals(500, s.nanos(), "a short sleep starts it again from the minimum");
    }

    /** A maximum that is not a power-of-two multiple of the minimum is reached, never passed. */
    @Test
    void shouldStopAtTheMaximum() {
        SpinBeforeSleep s = SpinBeforeSleep.adaptive(1_500);
        for (int i = 0; i < 10; i++) {
            s.slept(SHORT, true);
            assertTrue(s.nanos() <= 1_500, s.nanos() + " ns");
        }
        assertEquals(1_500, s.nanos());
    }

    /** A fixed spin never adapts: 0 stays off, a set time stays that time. */
    @Test
    void shouldKeepAFixedSpin() {
        for (long nanos : new long[] {0, 2_000}) {
            SpinBeforeSleep s = SpinBeforeSleep.fixed(nanos);
            assertFalse(s.isAdaptive());
            for (int i = 0; i < 5; i++) {
                s.slept(SHORT, true);
                s.slept(LONG, false);
                assertEquals(nanos, s.nanos());
            }
        }
    }

    @Test
    void shouldRejectBadInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpinBeforeSleep.fixed(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SpinBeforeSleep.adaptive(499));
        assertTrue(e.getMessage().contains("499"), e.getMessage());
        SpinBeforeSleep s = SpinBeforeSleep.adaptive(2_000);
        e = assertThrows(IllegalArgumentException.class, () -> s.slept(-5, true));
        assertTrue(e.getMessage().contains("-5"), e.getMessage());
    }

    /**
     * A spin returns as soon as a task is queued, and otherwise lasts at least its time; each one
     * is counted.
     */
    @Test
    void shouldSpinUntilATaskOrTheTime() {
        SpinBeforeSleep s = SpinBeforeSleep.fixed(20_000);
        TaskQueue q = new TaskQueue();
        long start = System.nanoTime();
        assertFalse(s.spin(q, 16, -1));
        assertTrue(System.nanoTime() - start >= 20_000);
        assertTrue(q.offer(() -> { }));
        assertTrue(s.spin(q, 16, -1));
        assertEquals(2, s.spins());
    }

    /**
     * A timer due sooner than the spin ends it: the spin lasts at least until the timer is due and
     * (in the fastest of 20 tries, so that a preempted thread cannot fail the test) well short of
     * its own length.
     */
    @Test
    void shouldNotSpinPastTheNextTimer() {
        long spin = 1_000_000;
        long timer = 20_000;
        SpinBeforeSleep s = SpinBeforeSleep.fixed(spin);
        TaskQueue q = new TaskQueue();
        long fastest = Long.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            long start = System.nanoTime();
            assertFalse(s.spin(q, 16, timer));
            long took = System.nanoTime() - start;
            assertTrue(took >= timer, took + " ns");
            fastest = Math.min(fastest, took);
        }
        assertTrue(fastest < spin / 2, "the spin ran " + fastest + " ns past a timer due in " + timer + " ns");
    }
}
