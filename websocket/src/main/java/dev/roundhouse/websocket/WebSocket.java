package dev.roundhouse.websocket;

import dev.roundhouse.loop.EventLoop;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One open WebSocket connection, server or client side.
 *
 * <p><b>Thread:</b> every method is loop-thread-only and throws
 * {@link dev.roundhouse.loop.LoopAffinityException} (naming both threads) from another thread,
 * except {@link #loop()}, {@link #closeFuture()} and the values fixed by the handshake
 * ({@link #subprotocol()}, {@link #extensions()}, {@link #path()}), which any thread may call.
 * Cross threads with {@code ws.loop().execute(() -> ws.sendText(...))}.
 *
 * <p><b>Send futures and backpressure.</b> A send frames the message and hands it to the transport
 * at once. Its future completes when the transport has taken it without going above its
 * high-water mark ({@link WebSocketOptions#writeHighWaterBytes()}); otherwise it completes when the
 * buffer has drained to the low-water mark. So a producer that waits on each future never buffers
 * more than about one message over the mark. {@link #isWritable()} and
 * {@link WebSocketHandler#onWritabilityChanged} show the same state. A send that would leave more
 * than {@link WebSocketOptions#maxPendingOutboundBytes()} buffered fails its future with a
 * {@link WebSocketException} (the connection stays open). After {@link #close} (or once the
 * connection is closing) sends fail their futures with a {@link WebSocketException}; they never throw
 * for that reason.
 */
public interface WebSocket {

    /** The loop this connection runs on. Any thread. */
    EventLoop loop();

    /** Sends a text message (one frame, compressed when negotiated and above the threshold). */
    CompletableFuture<Void> sendText(CharSequence text);

    /**
     * Sends {@code data}'s remaining bytes as one binary message. The buffer may be reused once
     * this returns; its position is advanced to its limit.
     */
    CompletableFuture<Void> sendBinary(ByteBuffer data);

    /** Sends {@code data} as one binary message; the array may be reused once this returns. */
    default CompletableFuture<Void> sendBinary(byte[] data) {
        return sendBinary(ByteBuffer.wrap(data));
    }

    /**
     * Sends one frame of a fragmented message: the first call starts a text or binary message,
     * later calls continue it (their {@code text} flag must match), {@code last} ends it. Fragments
     * are never compressed. Whole-message sends in between fail until the message is ended.
     */
    CompletableFuture<Void> sendFragment(boolean text, ByteBuffer data, boolean last);

    /**
     * Sends a ping with up to 125 bytes of payload.
     *
     * @throws IllegalArgumentException if the payload is longer than 125 bytes
     */
    CompletableFuture<Void> ping(ByteBuffer payload);

    /** Sends an unsolicited pong (pings are answered automatically). Up to 125 bytes. */
    CompletableFuture<Void> pong(ByteBuffer payload);

    /**
     * Starts the closing handshake: sends a close frame and waits for the peer's, then the TCP
     * close, at most {@link WebSocketOptions#closeTimeoutNanos()} before aborting. Idempotent: a
     * second call returns the same future.
     *
     * @param code a code valid on the wire ({@link CloseCodes#isValidOnWire})
     * @param reason at most 123 bytes once UTF-8 encoded
     * @return {@link #closeFuture()}
     * @throws IllegalArgumentException if the code or reason is invalid
     */
    CompletableFuture<CloseStatus> close(int code, String reason);

    /** {@code close(1000, "")}. */
    default CompletableFuture<CloseStatus> close() {
        return close(CloseCodes.NORMAL, "");
    }

    /** Closes the TCP connection at once, without a close frame. Idempotent. */
    void abort();

    /** Completes once the connection is closed, with how it ended. Never completes exceptionally. */
    CompletableFuture<CloseStatus> closeFuture();

    /**
     * Stops reading from the peer (no callbacks, TCP flow control pushes back on the sender) until
     * {@link #resumeReading()}; pair it with {@link WebSocketHandler#onWritabilityChanged} so that an
     * echo or proxy never buffers without bound. Idempotent. Timers keep running: a paused socket
     * can still hit the idle timeout.
     */
    void pauseReading();

    /** Resumes reading after {@link #pauseReading()}. Idempotent. */
    void resumeReading();

    /** Whether messages can still be sent (open, no close sent). */
    boolean isOpen();

    /** Whether the transport's buffer is at or below the high-water mark (see the class comment). */
    boolean isWritable();

    /** Bytes accepted for sending but not yet handed to the OS. */
    long bufferedBytes();

    /** The negotiated subprotocol, or {@code ""} for none. */
    String subprotocol();

    /** The negotiated {@code Sec-WebSocket-Extensions} value, or {@code ""} for none. */
    String extensions();

    /** The request path (server side: what the client asked for; client side: what it asked for). */
    String path();

    /** The peer's address, or {@code null} once closed. */
    SocketAddress remoteAddress();
}
