package dev.roundhouse.loop;

import java.nio.ByteBuffer;

/**
 * The application side of a stream connection (asyncio's {@code Protocol}, Twisted's
 * {@code IProtocol}).
 *
 * <p>Grammar: {@code connectionMade -> dataReceived* -> eofReceived? -> connectionLost}, with
 * {@code pauseWriting}/{@code resumeWriting} pairs anywhere between {@code connectionMade} and
 * {@code connectionLost}. {@code connectionLost} is called exactly once; nothing is delivered
 * after it.
 *
 * <p><b>Thread:</b> every callback runs on the transport's loop thread. An exception thrown from
 * a callback goes to the loop's {@link ExceptionHandler}, the connection is aborted (and
 * {@code connectionLost} is called with that exception), and the loop keeps serving others.
 */
public interface Protocol {

    /**
     * The connection is established. Keep {@code transport} to write; it is the only handle.
     *
     * @param transport the connection, valid until {@link #connectionLost}
     */
    void connectionMade(Transport transport);

    /**
     * Bytes arrived.
     *
     * <p><b>Lifetime:</b> {@code data} (its contents and the object) is valid only during this
     * call; it is reused for the next read. Copy what must outlive the call. The protocol may
     * consume it (move its position); bytes left unconsumed are not redelivered.
     *
     * <p><b>Writing it on:</b> writing this very object to a transport of the same loop (an
     * echo, a relay to another connection, or what is left after a header was consumed) may hand
     * the buffer over instead of copying it: completion backends (io_uring, iocp) keep it until
     * its bytes are sent and read into another. So <b>after writing {@code data}, do not change
     * its contents</b> (moving its position or limit is fine); a protocol that wants to reuse the
     * memory writes a copy or a {@code duplicate()}, which is always copied.
     *
     * @param data the bytes received, never empty
     */
    void dataReceived(ByteBuffer data);

    /**
     * The peer shut down its output (TCP FIN). Called at most once, after the last
     * {@code dataReceived}.
     *
     * @return {@code true} to keep the transport open for writing (half-closed), {@code false}
     *     (the default) to close it gracefully: what is buffered is flushed, then
     *     {@code connectionLost(null)}
     */
    default boolean eofReceived() {
        return false;
    }

    /**
     * The connection is closed. Called exactly once; last.
     *
     * @param cause {@code null} for a clean end (closed or aborted by this side, or closed by
     *     the peer after an orderly shutdown), otherwise the error, e.g. a connection reset, or
     *     {@link LoopClosedException} when the loop closed under the connection
     */
    void connectionLost(Throwable cause);

    /** The transport's write buffer rose above its high-water mark: stop writing. */
    default void pauseWriting() {
    }

    /** The transport's write buffer drained to its low-water mark: writing may resume. */
    default void resumeWriting() {
    }
}
