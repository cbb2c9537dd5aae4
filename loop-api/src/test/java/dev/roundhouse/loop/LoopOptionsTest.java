package dev.roundhouse.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The option contracts: documented defaults, and bad values rejected at once with the value named. */
class LoopOptionsTest {

    @Test
    void shouldNotSpinByDefault() {
        assertEquals(0, LoopOptions.DEFAULTS.spinBeforeSleepNanos());
        assertEquals(2_000, LoopOptions.builder().spinBeforeSleep(2, TimeUnit.MICROSECONDS).build().spinBeforeSleepNanos());
        assertEquals(0, LoopOptions.builder().spinBeforeSleep(0, TimeUnit.SECONDS).build().spinBeforeSleepNanos());
        assertEquals(1_000_000, LoopOptions.builder().spinBeforeSleep(1, TimeUnit.MILLISECONDS).build()
                .spinBeforeSleepNanos());
    }

    @Test
    void shouldRejectANegativeOrBusyLoopSpin() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoopOptions.builder().spinBeforeSleep(-1, TimeUnit.NANOSECONDS));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LoopOptions.builder().spinBeforeSleep(2, TimeUnit.MILLISECONDS));
        assertTrue(e.getMessage().contains("2000000"), e.getMessage());
    }
}
