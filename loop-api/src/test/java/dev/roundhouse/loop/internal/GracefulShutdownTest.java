package dev.roundhouse.loop.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When a requested graceful shutdown is due ({@link GracefulShutdown}), without a loop. */
class GracefulShutdownTest {

    /** The first request counts; later ones change nothing, even with other durations. */
    @Test
    void shouldTakeOnlyTheFirstRequest() {
        GracefulShutdown s = new GracefulShutdown();
        assertFalse(s.requested());
        assertTrue(s.begin(Duration.ZERO, Duration.ZERO));
        assertTrue(s.requested());
        assertFalse(s.begin(Duration.ofHours(1), Duration.ofHours(2)));
        assertTrue(s.due(false), "the first request's zero quiet period still holds");
    }

    /** Not due before a quiet period has passed since the last work; at once without one. */
    @Test
    void shouldWaitForTheQuietPeriod() {
        GracefulShutdown s = new GracefulShutdown();
        s.begin(Duration.ofHours(1), Duration.ofHours(2));
        assertFalse(s.due(true));
        assertFalse(s.due(false), "an hour of quiet has not passed");
        GracefulShutdown noQuiet = new GracefulShutdown();
        noQuiet.begin(Duration.ZERO, Duration.ofHours(1));
        assertTrue(noQuiet.due(true), "no quiet period: due at the first check");
    }

    /** Negative durations, or a quiet period longer than the timeout, are refused before anything changes. */
    @Test
    void shouldRefuseInconsistentDurations() {
        GracefulShutdown s = new GracefulShutdown();
        assertThrows(IllegalArgumentException.class, () -> s.begin(Duration.ofSeconds(-1), Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> s.begin(Duration.ZERO, Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> s.begin(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertFalse(s.requested(), "a refused request is no request");
    }
}
