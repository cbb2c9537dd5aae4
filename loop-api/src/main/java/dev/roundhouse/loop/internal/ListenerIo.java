package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.Interest;
import java.io.IOException;
import java.net.SocketAddress;

/** A bound, listening socket of a readiness backend. Loop thread only. */
public interface ListenerIo {

    /** Accepts one connection, or returns {@code null} if none is pending. */
    SocketIo accept() throws IOException;

    /**
     * Whether the sockets {@link #accept()} returns carry the server's {@link
     * dev.roundhouse.loop.SocketOptions} already, inherited from the listener they were set on, so
     * that the server sets none per connection (a system call saved on each). Default {@code false}:
     * the server {@linkplain SocketIo#configure configures} each one.
     */
    default boolean acceptedSocketsInheritOptions() {
        return false;
    }

    /** Routes readiness to {@code listener}. */
    void bind(IoReadyListener listener);

    /** READ to accept, NONE to pause (removes the socket from the OS set). */
    void setInterest(Interest interest);

    SocketAddress localAddress();

    /** Closes; never throws. */
    void close();
}
