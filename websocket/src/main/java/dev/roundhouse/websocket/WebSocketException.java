package dev.roundhouse.websocket;

/**
 * A WebSocket failure with the close code it maps to: a limit was exceeded (1009, and the message
 * names the limit and its value), the peer broke the protocol (1002, 1007), or the connection is
 * already closing.
 */
public class WebSocketException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int closeCode;

    /**
     * @param closeCode the close code this failure maps to, e.g. {@link CloseCodes#TOO_BIG}
     * @param message what went wrong
     */
    public WebSocketException(int closeCode, String message) {
        super(message);
        this.closeCode = closeCode;
    }

    /** The close code this failure maps to. */
    public int closeCode() {
        return closeCode;
    }
}
