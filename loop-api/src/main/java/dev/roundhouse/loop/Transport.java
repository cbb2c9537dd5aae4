package dev.roundhouse.loop;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * One stream connection as its {@link Protocol} sees it (asyncio's {@code Transport}).
 *
 * <p><b>Thread:</b> every method is loop-thread-only and throws {@link LoopAffinityException}
 * from another thread. {@link #loop()} is the exception: any thread, so that other threads can
 * {@code transport.loop().execute(() -> transport.write(...))}.
 *
 * <p><b>States:</b> open → closing (after {@link #close()}: no more writes, buffered bytes are
 * flushed) → closed ({@code connectionLost} delivered). {@link #abort()} goes straight to closed.
 */
public interface Transport {

    /** The loop this transport belongs to. Any thread. */
    EventLoop loop();

    /**
     * Queues the buffer's remaining bytes for sending, in order. Writes what the socket accepts
     * now and copies the rest into the transport's buffer, so the caller may reuse {@code data}
     * as soon as this returns; its position is advanced to its limit. When the buffered byte count
     * rises above the high-water mark the protocol's {@code pauseWriting} is called.
     *
     * <p><b>One exception, echoes and relays:</b> when {@code data} is the very buffer a
     * transport of this loop passed to {@link Protocol#dataReceived} and that call is still
     * running, this transport may keep the buffer and send from it instead of copying (the
     * completion backends do for 4 KiB and up, see {@link Protocol#dataReceived}). Its contents
     * must then not be changed for the rest of the call; its position and limit may be.
     *
     * @return {@code true} if the bytes were accepted, {@code false} if the connection is already
     *     lost, including after {@link #abort()} (the bytes are dropped: a peer may reset at any
     *     moment, so this is not an error)
     * @throws IllegalStateException after {@link #close()} or {@link #shutdownOutput()} by this side
     */
    boolean write(ByteBuffer data);

    /** Same as {@code write(ByteBuffer.wrap(data))}. */
    default boolean write(byte[] data) {
        return write(ByteBuffer.wrap(data));
    }

    /**
     * Closes gracefully: stops reading, flushes the buffered bytes, closes the socket, then calls
     * {@code connectionLost(null)}. Idempotent; a no-op once closed.
     */
    void close();

    /**
     * Closes at once: buffered bytes are discarded, the peer gets a reset (RST) where the OS
     * allows ({@code SO_LINGER} 0), and {@code connectionLost(null)} is called before this
     * returns. Idempotent.
     */
    void abort();

    /**
     * Half-close: sends FIN after the buffered bytes are flushed; reading continues. Writes
     * afterwards throw. Idempotent.
     */
    void shutdownOutput();

    /** Stops {@code dataReceived} (and {@code eofReceived}) until {@link #resumeReading()}. Idempotent. */
    void pauseReading();

    /** Resumes reading after {@link #pauseReading()}. Idempotent. */
    void resumeReading();

    /** Whether reading is active (not paused, not closed). */
    boolean isReading();

    /** Whether {@link #close()}, {@link #abort()} or {@link #shutdownOutput()} was called, or the connection is lost. */
    boolean isClosing();

    /**
     * Sets the write-buffer water marks. {@code pauseWriting} fires when the buffered count rises
     * above {@code highBytes}, {@code resumeWriting} when it falls to {@code lowBytes} or below.
     *
     * @throws IllegalArgumentException unless {@code 0 <= lowBytes <= highBytes}
     */
    void setWriteBufferLimits(long highBytes, long lowBytes);

    /** The number of bytes accepted by {@link #write} but not yet handed to the OS. */
    long writeBufferSize();

    /** The high-water mark in bytes. */
    long writeBufferHighBytes();

    /** The low-water mark in bytes. */
    long writeBufferLowBytes();

    /** The local address, or {@code null} once closed. */
    SocketAddress localAddress();

    /** The peer's address, or {@code null} once closed. */
    SocketAddress remoteAddress();
}
