package dev.roundhouse.loop.unix;

import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import java.util.Objects;

/**
 * A connection's descriptor, and Netty's {@link Socket} over it made when first asked for.
 *
 * <p>An accepted connection arrives as a bare number. Netty's {@code Socket} constructor asks the
 * kernel for the socket's address family ({@code getsockname}), a system call per connection that
 * most connections never need: reads, writes and the close go through the descriptor (or the
 * ring), and only a shutdown, {@code SO_LINGER}, an option or the local address need a
 * {@code Socket}. A descriptor that already is one (a socket this process created, whose family
 * it chose) is used as it is.
 *
 * <p>The view made later is a second object over the same number, and Netty's closed flag is the
 * descriptor's, not the view's: the descriptor is what gets closed, and {@link #socket()} refuses
 * once it is. A descriptor closed by other means (through the ring, which does not mark it) must
 * not be asked for its socket any more: its number may belong to another connection by then.
 *
 * <p><b>Thread:</b> the loop thread that owns the connection; not thread-safe.
 */
public final class LazySocket {
    private final FileDescriptor descriptor;
    private Socket socket;

    /**
     * @param descriptor the connection's descriptor; if it is a {@link Socket}, {@link #socket()}
     *     returns it
     * @throws NullPointerException if {@code descriptor} is null
     */
    public LazySocket(FileDescriptor descriptor) {
        this.descriptor = Objects.requireNonNull(descriptor, "descriptor");
        this.socket = descriptor instanceof Socket s ? s : null;
    }

    /** The descriptor: reads, writes and the close go through it. */
    public FileDescriptor descriptor() {
        return descriptor;
    }

    /**
     * Netty's socket over the descriptor, made on the first call ({@code getsockname}, once).
     *
     * @throws IllegalStateException if the descriptor is closed (its number may be reused)
     */
    public Socket socket() {
        Socket s = socket;
        if (s == null) {
            if (!descriptor.isOpen()) {
                throw new IllegalStateException("fd " + descriptor.intValue() + " is closed");
            }
            socket = s = new Socket(descriptor.intValue());
        }
        return s;
    }

    /** Whether {@link #socket()} has a socket without asking the kernel (for tests). */
    public boolean hasSocket() {
        return socket != null;
    }
}
