package dev.roundhouse.loop;

import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * A listening socket on one loop, made by {@link EventLoop#listen}.
 *
 * <p>Accepting is paused for {@link SocketOptions#acceptBackoffNanos()} when the process runs out
 * of file descriptors (EMFILE/ENFILE), so exhaustion never spins the CPU; it resumes by itself.
 */
public interface Server {

    /** The loop that accepts and serves the connections. Any thread. */
    EventLoop loop();

    /** The bound address (with the real port when port 0 was asked for). Any thread. */
    SocketAddress localAddress();

    /**
     * Stops listening. Connections already accepted are not touched. Idempotent; any thread.
     *
     * @return completes once the listening socket is closed
     */
    CompletableFuture<Void> close();

    /** Whether the server is still listening. Any thread. */
    boolean isListening();

    /** The number of connections accepted and not yet lost. Loop thread only. */
    int connectionCount();
}
