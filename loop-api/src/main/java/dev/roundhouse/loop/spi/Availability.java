package dev.roundhouse.loop.spi;

import java.util.Objects;

/**
 * Whether a backend can run here and, if not, why.
 *
 * @param available whether the backend can open loops
 * @param reason {@code null} when available, else a specific, actionable reason
 */
public record Availability(boolean available, String reason) {
    private static final Availability AVAILABLE = new Availability(true, null);

    /** Checks that exactly the unavailable state carries a reason. */
    public Availability {
        if (available == (reason != null)) {
            throw new IllegalArgumentException("a reason goes with unavailability only");
        }
    }

    /** The backend can run. */
    public static Availability ok() {
        return AVAILABLE;
    }

    /** The backend cannot run, because of {@code reason}. */
    public static Availability unavailable(String reason) {
        return new Availability(false, Objects.requireNonNull(reason, "reason"));
    }

    /** Unavailable because of a load error: the reason names the error type and message. */
    public static Availability unavailable(String what, Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return unavailable(what + ": " + root.getClass().getName() + ": " + root.getMessage());
    }
}
