package dev.roundhouse.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TimerLateness} on a few loops, ours and Netty's, with and without a listener: every timer
 * of the chain fires, none early (a loop that fired one early, or a measurement that read the clock
 * after the loop did, would show a negative lateness), the report line says so. Lateness itself is
 * not asserted: that is the benchmark's figure, not a test's.
 */
class TimerLatenessTest {
    private static final int TIMERS = 300;

    @ParameterizedTest
    @ValueSource(strings = {"roundhouse-nio", "roundhouse-iocp+listening", "netty-nio+listening"}) // on every OS
    void shouldFireEveryTimerOfTheChainAndNoneEarly(String impl) throws Exception {
        long[] sorted;
        try (LoopUnderTest loop = LoopUnderTest.open(impl)) {
            sorted = TimerLateness.measure(loop, TimeUnit.MICROSECONDS.toNanos(100), TIMERS);
        }
        assertEquals(TIMERS, sorted.length);
        assertTrue(sorted[0] >= 0, impl + ": a timer fired " + -sorted[0] + " ns early");
        for (int i = 1; i < TIMERS; i++) {
            assertTrue(sorted[i - 1] <= sorted[i], "not sorted at " + i);
        }
        String line = TimerLateness.line(impl, 1, sorted);
        assertTrue(line.startsWith(impl) && line.endsWith(" early 0") && line.contains("timers    300"), line);
    }
}
