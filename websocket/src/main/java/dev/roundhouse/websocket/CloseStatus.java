package dev.roundhouse.websocket;

/**
 * How a WebSocket ended.
 *
 * @param code the close code: the peer's (when {@code remote}), ours, {@link CloseCodes#NO_STATUS}
 *     for a close frame without one, or {@link CloseCodes#ABNORMAL} when no close frame was exchanged
 * @param reason the reason text, possibly empty, never {@code null}
 * @param remote whether the code came from the peer's close frame
 */
public record CloseStatus(int code, String reason, boolean remote) {
    /** Checks the reason is not {@code null}. */
    public CloseStatus {
        java.util.Objects.requireNonNull(reason, "reason");
    }
}
