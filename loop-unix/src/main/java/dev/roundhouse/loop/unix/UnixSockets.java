package dev.roundhouse.loop.unix;

import dev.roundhouse.loop.SocketOptions;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;

/**
 * Socket steps the backends over Netty's native Unix layer share: address checks, binding a
 * listener with our {@link SocketOptions}, closing quietly.
 *
 * <p><b>Thread:</b> any (the backends call them on their loop thread).
 */
public final class UnixSockets {
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_V6ONLY = 26;

    private UnixSockets() {
    }

    /**
     * {@code a} as a resolved {@link InetSocketAddress}.
     *
     * @throws UnsupportedAddressTypeException if it is another kind of address
     * @throws UnresolvedAddressException if it is unresolved
     */
    public static InetSocketAddress inet(SocketAddress a) {
        if (!(a instanceof InetSocketAddress)) {
            throw new UnsupportedAddressTypeException();
        }
        InetSocketAddress inet = (InetSocketAddress) a;
        if (inet.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return inet;
    }

    /** Whether {@code address} needs an IPv6 socket. */
    public static boolean isIpv6(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address;
    }

    /**
     * Applies the listener's options to {@code socket} (made for {@code address}'s family), binds it
     * and listens: {@code SO_REUSEADDR}, {@code SO_REUSEPORT} if asked, {@code IPV6_V6ONLY} on an
     * IPv6 socket, the backlog; and the options of the connections it will accept
     * ({@link #setConnectionOptions}), which Linux copies from the listener into each one, so the
     * servers set nothing per connection (before {@code listen}, so the receive window is scaled
     * for the buffer size asked).
     *
     * @throws BindException if the bind fails (the address in use, say), naming the address
     * @throws IOException if another step fails
     */
    public static void bindAndListen(Socket socket, InetSocketAddress address, SocketOptions options)
            throws IOException {
        socket.setReuseAddress(options.reuseAddress());
        if (options.reusePort()) {
            socket.setReusePort(true);
        }
        if (isIpv6(address)) {
            socket.setIntOpt(IPPROTO_IPV6, IPV6_V6ONLY, options.ipv6Only() ? 1 : 0);
        }
        setConnectionOptions(socket, options);
        try {
            socket.bind(address);
        } catch (IOException e) {
            BindException b = new BindException(e.getMessage() + ": " + address);
            b.initCause(e);
            throw b;
        }
        socket.listen(options.backlog());
    }

    /**
     * Sets a connection's TCP options on {@code socket}, a new one (to connect, or to listen: see
     * {@link #bindAndListen}): {@code TCP_NODELAY} and {@code SO_KEEPALIVE} when on (a new socket
     * has both off, so nothing is set for them when off), {@code SO_RCVBUF} and {@code SO_SNDBUF}
     * when sized. Call it before {@code connect} or {@code listen}. Any thread that owns the socket.
     *
     * @throws IOException if the kernel refuses an option
     */
    public static void setConnectionOptions(Socket socket, SocketOptions options) throws IOException {
        if (options.tcpNoDelay()) {
            socket.setTcpNoDelay(true);
        }
        if (options.keepAlive()) {
            socket.setKeepAlive(true);
        }
        if (options.receiveBufferBytes() > 0) {
            socket.setReceiveBufferSize(options.receiveBufferBytes());
        }
        if (options.sendBufferBytes() > 0) {
            socket.setSendBufferSize(options.sendBufferBytes());
        }
    }

    /** Closes {@code s}, ignoring errors (the number is given back either way); {@code null} is ignored. */
    public static void closeQuietly(FileDescriptor s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // giving the descriptor back is all that is left
            }
        }
    }
}
