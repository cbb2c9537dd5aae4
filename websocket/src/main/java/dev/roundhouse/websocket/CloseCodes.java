package dev.roundhouse.websocket;

/**
 * WebSocket close codes (RFC 6455 §7.4 and the IANA registry) and which may appear on the wire.
 *
 * <p><b>Thread:</b> constants and pure functions, any thread.
 */
public final class CloseCodes {
    /** Normal closure. */
    public static final int NORMAL = 1000;
    /** The endpoint is going away (server shutdown, idle timeout, page navigation). */
    public static final int GOING_AWAY = 1001;
    /** Protocol error. */
    public static final int PROTOCOL_ERROR = 1002;
    /** A data type the endpoint cannot accept. */
    public static final int UNSUPPORTED_DATA = 1003;
    /** No status code was present in the close frame. Never sent on the wire. */
    public static final int NO_STATUS = 1005;
    /** The connection ended without a close frame. Never sent on the wire. */
    public static final int ABNORMAL = 1006;
    /** Data inconsistent with the message type, e.g. invalid UTF-8 in a text message. */
    public static final int INVALID_PAYLOAD = 1007;
    /** A policy was violated. */
    public static final int POLICY_VIOLATION = 1008;
    /** A message or frame is too big (a limit of {@link WebSocketOptions}). */
    public static final int TOO_BIG = 1009;
    /** The client expected an extension the server did not negotiate. */
    public static final int MANDATORY_EXTENSION = 1010;
    /** The server hit an unexpected condition (e.g. a handler threw). */
    public static final int INTERNAL_ERROR = 1011;

    private CloseCodes() {
    }

    /**
     * Whether {@code code} may be sent in a close frame: 1000–1003, 1007–1014 (the IANA registry,
     * as the npm {@code ws} library accepts) and 3000–4999 (registered and private use).
     * 1004, 1005, 1006, 1015 and everything else are rejected with 1002.
     */
    public static boolean isValidOnWire(int code) {
        return code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 || code >= 3000 && code <= 4999;
    }
}
