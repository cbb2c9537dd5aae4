package dev.roundhouse.websocket;

import java.nio.ByteBuffer;

/**
 * What an application does with a WebSocket.
 *
 * <p>Grammar: {@code open -> (text | binary | fragment | ping | pong | writability)* -> closing? -> closed}.
 * {@code onClosing} comes when the peer's close frame arrives (at most once); {@code onClosed}
 * comes exactly once and last, also when the connection fails or aborts. If the opening handshake
 * never completes, nothing at all is called (a client's connect future fails instead).
 *
 * <p><b>Thread:</b> every callback runs on the connection's loop thread. An exception thrown from a
 * callback closes this connection with 1011 (internal error), is logged once, and never reaches
 * other connections or the loop.
 *
 * <p><b>Lifetimes:</b> a {@link ByteBuffer} passed to a callback is valid only during the call; its
 * memory is reused for the next message. Copy what must outlive the call.
 */
public interface WebSocketHandler {

    /** The handshake completed; {@code ws} can send from now on. */
    default void onOpen(WebSocket ws) {
    }

    /** A whole text message arrived (its UTF-8 was validated as it arrived). */
    default void onText(WebSocket ws, String text) {
    }

    /** A whole binary message arrived. {@code data} is valid only during the call. */
    default void onBinary(WebSocket ws, ByteBuffer data) {
    }

    /**
     * With {@link WebSocketOptions#streamFragments()}: the payload of one frame of a message
     * (inflated when compressed). Text fragments are validated UTF-8 so far but may split a
     * character; {@code last} marks the end of the message (whose UTF-8 is then complete).
     */
    default void onFragment(WebSocket ws, boolean text, ByteBuffer data, boolean last) {
    }

    /** A ping arrived; the pong was already sent. {@code payload} is valid only during the call. */
    default void onPing(WebSocket ws, ByteBuffer payload) {
    }

    /** A pong arrived. {@code payload} is valid only during the call. */
    default void onPong(WebSocket ws, ByteBuffer payload) {
    }

    /**
     * The transport's buffer crossed a water mark; see {@link WebSocket#isWritable()}. Reported
     * from a task queued on the loop (never from inside a send), with the state at that moment, and
     * only when it differs from the last report.
     */
    default void onWritabilityChanged(WebSocket ws, boolean writable) {
    }

    /** The peer sent a close frame; the echo is on its way. */
    default void onClosing(WebSocket ws, int code, String reason) {
    }

    /**
     * The connection is closed. Called exactly once, last.
     *
     * @param status the code and reason (see {@link CloseStatus})
     * @param cause why it failed ({@link WebSocketException} for protocol errors and limits, an I/O
     *     error, or what a callback threw), or {@code null} after a clean close handshake
     */
    default void onClosed(WebSocket ws, CloseStatus status, Throwable cause) {
    }
}
