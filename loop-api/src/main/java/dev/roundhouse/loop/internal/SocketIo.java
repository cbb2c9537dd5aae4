package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.SocketOptions;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * One non-blocking TCP socket of a readiness backend, as the shared transport code drives it.
 * Each readiness backend implements this once (nio over {@code SocketChannel}, epoll over Netty's
 * {@code Socket}); the transport, connect and close logic is written once, in
 * {@link ReadinessTransport} and {@link ReadinessConnector}. Loop thread only.
 */
public interface SocketIo extends WriteQueue.GatheringSink {

    /** Applies TCP options. */
    void configure(SocketOptions options) throws IOException;

    /**
     * Starts connecting.
     *
     * @return {@code true} if already connected, {@code false} if {@link #finishConnect()} must
     *     be called on WRITE readiness
     */
    boolean connect(SocketAddress remote) throws IOException;

    /**
     * Completes a connect.
     *
     * @return {@code true} once connected, {@code false} if still pending
     * @throws java.net.ConnectException (or another IOException) if the connect failed
     */
    boolean finishConnect() throws IOException;

    /** Reads into {@code dst}: bytes read, 0 if it would block, -1 at end-of-stream. */
    int read(ByteBuffer dst) throws IOException;

    /** Writes {@code src}: bytes written, 0 if it would block. */
    int write(ByteBuffer src) throws IOException;

    /** Sends FIN. */
    void shutdownOutput() throws IOException;

    /**
     * Routes this socket's readiness to {@code listener} (replacing any earlier one); the OS
     * registration happens on the first {@link #setInterest} that is not NONE.
     */
    void bind(IoReadyListener listener);

    /**
     * Sets the level-triggered interest; NONE removes the socket from the OS set. An unchanged
     * interest makes no system call (the transport does not check).
     */
    void setInterest(Interest interest);

    /** Closes; with {@code reset}, sets {@code SO_LINGER} 0 first so the peer gets RST. Never throws. */
    void close(boolean reset);

    /**
     * The local address, or {@code null} if the OS cannot say; may make a system call (the shared
     * transport asks once, when its user first does).
     */
    SocketAddress localAddress();

    /**
     * The peer's address, or {@code null} if the OS cannot say; the shared transport asks once, as
     * it is made (an accepted socket's may come with the accept, without a system call).
     */
    SocketAddress remoteAddress();
}
