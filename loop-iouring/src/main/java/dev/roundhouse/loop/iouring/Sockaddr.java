package dev.roundhouse.loop.iouring;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Reads the {@code struct sockaddr_in} / {@code sockaddr_in6} an accept wrote (Linux layout: the
 * family in host order, the port in network order, then the address).
 */
final class Sockaddr {
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;

    private Sockaddr() {
    }

    /**
     * The address in {@code buf} (native order, from index 0) of {@code length} bytes, or
     * {@code null} for another family or a short length. An IPv4-mapped IPv6 address (a dual-stack
     * listener) comes back as the IPv4 address, as the JDK reports it.
     */
    static InetSocketAddress read(ByteBuffer buf, int length) {
        if (length < 2) {
            return null;
        }
        int family = buf.getShort(0) & 0xFFFF;
        int port = ((buf.get(2) & 0xFF) << 8) | (buf.get(3) & 0xFF);
        try {
            if (family == AF_INET && length >= 8) {
                byte[] a = new byte[4];
                buf.get(4, a);
                return new InetSocketAddress(InetAddress.getByAddress(a), port);
            }
            if (family == AF_INET6 && length >= 28) {
                byte[] a = new byte[16];
                buf.get(8, a);
                int scope = buf.getInt(24);
                InetAddress address = scope == 0 || isV4Mapped(a) ? InetAddress.getByAddress(a)
                        : Inet6Address.getByAddress(null, a, scope);
                return new InetSocketAddress(address, port);
            }
        } catch (UnknownHostException e) {
            return null; // cannot happen for 4 or 16 bytes
        }
        return null;
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
    }
}
