package dev.roundhouse.loop.internal;

import java.time.Duration;

/**
 * A loop's graceful shutdown, once requested: it ends after a quiet period with no task or timer
 * run, or at its deadline, whichever comes first (Netty's {@code shutdownGracefully} semantics).
 *
 * <p><b>Thread:</b> {@link #begin} and {@link #requested} any thread; {@link #due} the loop thread.
 */
final class GracefulShutdown {
    private volatile boolean requested;
    private volatile long quietNanos;
    private volatile long deadlineNanos;
    private volatile long lastActivityNanos;

    /**
     * Requests the shutdown; a second request changes nothing. Returns whether this call made the
     * request. Any thread.
     *
     * @throws IllegalArgumentException unless 0 &lt;= quietPeriod &lt;= timeout
     */
    synchronized boolean begin(Duration quietPeriod, Duration timeout) {
        if (quietPeriod.isNegative() || timeout.isNegative() || quietPeriod.compareTo(timeout) > 0) {
            throw new IllegalArgumentException("need 0 <= quietPeriod <= timeout, got quietPeriod="
                    + quietPeriod + " timeout=" + timeout);
        }
        if (requested) {
            return false;
        }
        long now = System.nanoTime();
        quietNanos = quietPeriod.toNanos();
        deadlineNanos = now + timeout.toNanos();
        lastActivityNanos = now;
        requested = true; // volatile write publishes the three fields above
        return true;
    }

    /** Whether the shutdown has been requested. Any thread. */
    boolean requested() {
        return requested;
    }

    /**
     * Whether the requested shutdown is due now: the quiet period has passed since the last step
     * that {@code worked} (ran a task or timer), or the deadline has. Loop thread.
     */
    boolean due(boolean worked) {
        long now = System.nanoTime();
        if (worked) {
            lastActivityNanos = now;
        }
        return now - lastActivityNanos >= quietNanos || now - deadlineNanos >= 0;
    }
}
