package dev.roundhouse.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The option contracts: documented defaults, and bad values rejected at once with the value named. */
class LoopOptionsTest {

    @Test
    void shouldSpinAdaptivelyUpTo2MicrosecondsByDefault() {
        assertTrue(LoopOptions.DEFAULTS.spinBeforeSleepAdaptive());
        assertEquals(2_000, LoopOptions.DEFAULTS.spinBeforeSleepNanos());
        LoopOptions fixed = LoopOptions.builder().spinBeforeSleep(2, TimeUnit.MICROSECONDS).build();
        assertEquals(2_000, fixed.spinBeforeSleepNanos());
        assertFalse(fixed.spinBeforeSleepAdaptive(), "a set spin is fixed");
        LoopOptions off = LoopOptions.builder().spinBeforeSleep(0, TimeUnit.SECONDS).build();
        assertEquals(0, off.spinBeforeSleepNanos());
        assertFalse(off.spinBeforeSleepAdaptive());
        assertEquals(1_000_000, LoopOptions.builder().spinBeforeSleep(1, TimeUnit.MILLISECONDS).build()
                .spinBeforeSleepNanos());
        LoopOptions adaptive = LoopOptions.builder().spinBeforeSleep(0, TimeUnit.SECONDS)
                .adaptiveSpinBeforeSleep(5, TimeUnit.MICROSECONDS).build();
        assertTrue(adaptive.spinBeforeSleepAdaptive(), "the last setter wins");
        assertEquals(5_000, adaptive.spinBeforeSleepNanos());
    }

    @Test
    void shouldRejectANegativeOrBusyLoopSpin() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoopOptions.builder().spinBeforeSleep(-1, TimeUnit.NANOSECONDS));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LoopOptions.builder().spinBeforeSleep(2, TimeUnit.MILLISECONDS));
        assertTrue(e.getMessage().contains("2000000"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LoopOptions.builder().adaptiveSpinBeforeSleep(499, TimeUnit.NANOSECONDS));
        assertTrue(e.getMessage().contains("[500 ns, 1 ms], got 499 ns"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LoopOptions.builder().adaptiveSpinBeforeSleep(2, TimeUnit.MILLISECONDS));
        assertTrue(e.getMessage().contains("2000000"), e.getMessage());
    }

    @Test
    void shouldLeaveTheTimerSpinToTheBackendByDefault() {
        assertEquals(-1, LoopOptions.DEFAULTS.timerSpinNanos());
        assertEquals(0, LoopOptions.builder().timerSpin(0, TimeUnit.SECONDS).build().timerSpinNanos());
        assertEquals(1_000_000, LoopOptions.builder().timerSpin(1, TimeUnit.MILLISECONDS).build().timerSpinNanos());
        assertEquals(-1, LoopOptions.builder().timerSpin(100, TimeUnit.MICROSECONDS).backendTimerSpin().build()
                .timerSpinNanos(), "the last setter wins");
    }

    @Test
    void shouldRejectANegativeOrBusyLoopTimerSpin() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoopOptions.builder().timerSpin(-1, TimeUnit.NANOSECONDS));
        assertTrue(e.getMessage().contains("[0, 1 ms], got -1 ns"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LoopOptions.builder().timerSpin(1_000_001, TimeUnit.NANOSECONDS));
        assertTrue(e.getMessage().contains("1000001"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LoopOptions.builder().timerSpin(Long.MAX_VALUE, TimeUnit.DAYS));
        assertTrue(e.getMessage().contains(Long.toString(Long.MAX_VALUE)), e.getMessage());
    }

    @Test
    void shouldSetATimerSlackOfAMicrosecondByDefault() {
        assertEquals(1_000, LoopOptions.DEFAULTS.timerSlackNanos());
        assertEquals(7_000, LoopOptions.builder().timerSlack(7, TimeUnit.MICROSECONDS).build().timerSlackNanos());
        assertEquals(1_000_000_000, LoopOptions.builder().timerSlack(1, TimeUnit.SECONDS).build().timerSlackNanos());
        assertEquals(-1, LoopOptions.builder().timerSlack(1, TimeUnit.NANOSECONDS).inheritedTimerSlack().build()
                .timerSlackNanos(), "the last setter wins");
    }

    @Test
    void shouldRejectATimerSlackTheKernelWouldReadOtherwise() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoopOptions.builder().timerSlack(0, TimeUnit.NANOSECONDS));
        assertTrue(e.getMessage().contains("[1 ns, 1 s], got 0 ns"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LoopOptions.builder().timerSlack(-5, TimeUnit.MICROSECONDS));
        assertTrue(e.getMessage().contains("got -5000 ns"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LoopOptions.builder().timerSlack(1_000_000_001, TimeUnit.NANOSECONDS));
        assertTrue(e.getMessage().contains("1000000001"), e.getMessage());
    }
}
