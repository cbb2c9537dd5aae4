package dev.roundhouse.websocket;

/**
 * The opening handshake failed: on a client, the server's response was not a valid 101 for our
 * request (or the handshake timed out); on a server, the request was refused with {@link #httpStatus()}.
 */
public final class HandshakeException extends WebSocketException {
    private static final long serialVersionUID = 1L;
    private final int httpStatus;

    /**
     * @param httpStatus the HTTP status sent or received (0 when none, e.g. a timeout)
     * @param message the reason
     */
    public HandshakeException(int httpStatus, String message) {
        super(CloseCodes.PROTOCOL_ERROR, message);
        this.httpStatus = httpStatus;
    }

    /** The HTTP status sent (server) or received (client); 0 when there was none. */
    public int httpStatus() {
        return httpStatus;
    }
}
