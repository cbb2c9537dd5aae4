package dev.roundhouse.loop.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The Selector time-out for a timed wait: whole milliseconds, rounded to the nearest, at least one. */
class SelectMillisTest {

    @Test
    void shouldWaitAMillisecondUnderHalfOfOne() {
        // the engine spins such waits by default; asked for one (timer spin off), the poller waits:
        // 0 would be select(0), a wait without a time-out
        assertEquals(1, NioPoller.selectMillis(1));
        assertEquals(1, NioPoller.selectMillis(100_000));
        assertEquals(1, NioPoller.selectMillis(NioPoller.SPIN_BELOW_NANOS - 1));
    }

    @Test
    void shouldRoundToTheNearestMillisecond() {
        assertEquals(1, NioPoller.selectMillis(NioPoller.SPIN_BELOW_NANOS)); // the shortest wait the engine asks for
        assertEquals(1, NioPoller.selectMillis(1_000_000));
        assertEquals(1, NioPoller.selectMillis(1_499_999)); // wakes ~0.5 ms early, then spins the rest
        assertEquals(2, NioPoller.selectMillis(1_500_000));
        assertEquals(10_000, NioPoller.selectMillis(10_000_000_000L));
    }

    @Test
    void shouldNotOverflowForTheLongestWaits() {
        assertEquals(9_223_372_036_855L, NioPoller.selectMillis(Long.MAX_VALUE)); // rounded up, positive
    }
}
