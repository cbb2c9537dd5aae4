package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.SocketOptions;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.Channel;
import java.nio.channels.NetworkChannel;

/** Channel helpers the backends share. */
public final class Channels {
    private Channels() {
    }

    /** Closes {@code ch} if it is not null; a close error is dropped, since the descriptor is given back either way. */
    public static void closeQuietly(Channel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to do: we are giving the descriptor back
            }
        }
    }

    /**
     * Gives a JDK TCP channel, accepted or about to connect, a connection's options: {@code TCP_NODELAY}
     * and {@code SO_KEEPALIVE} when on, {@code SO_RCVBUF} and {@code SO_SNDBUF} when sized. An option
     * asked off or unsized is left alone, with no system call: a new socket has those off, and an
     * accepted one has its listener's, on which the JDK's server channels cannot set them (they take
     * only {@code SO_RCVBUF}, which the backends set there). The one per-connection place for the
     * JDK's channels, as {@code UnixSockets.setConnectionOptions} is for the native backends.
     *
     * <p><b>Thread:</b> the channel's owner (its loop's thread, or before it is handed to one).
     *
     * @throws IOException if the OS refuses an option (the channel closed, say)
     * @throws UnsupportedOperationException if {@code ch} is not a TCP socket channel
     */
    public static void setConnectionOptions(NetworkChannel ch, SocketOptions o) throws IOException {
        if (o.tcpNoDelay()) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        if (o.keepAlive()) {
            ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        }
        if (o.receiveBufferBytes() > 0) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, o.receiveBufferBytes());
        }
        if (o.sendBufferBytes() > 0) {
            ch.setOption(StandardSocketOptions.SO_SNDBUF, o.sendBufferBytes());
        }
    }
}
