package dev.roundhouse.loop.iouring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The peer addresses an accept writes, as the kernel lays them out (pure logic: runs anywhere). */
class SockaddrTest {

    @Test
    void shouldReadAnIpv4Peer() throws Exception {
        ByteBuffer b = sockaddr(Sockaddr.AF_INET, 54321);
        b.put(4, new byte[] {127, 0, 0, 2});
        InetSocketAddress a = Sockaddr.read(b, 16);
        assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 54321), a);
        assertNull(Sockaddr.read(b, 7), "too short for sockaddr_in");
    }

    @Test
    void shouldReadAnIpv6PeerWithItsScope() throws Exception {
        ByteBuffer b = sockaddr(Sockaddr.AF_INET6, 443);
        byte[] linkLocal = new byte[16];
        linkLocal[0] = (byte) 0xFE;
        linkLocal[1] = (byte) 0x80;
        linkLocal[15] = 1;
        b.put(8, linkLocal);
        b.putInt(24, 3);
        InetSocketAddress a = Sockaddr.read(b, 28);
        Inet6Address ip = assertInstanceOf(Inet6Address.class, a.getAddress());
        assertEquals(3, ip.getScopeId());
        assertEquals(443, a.getPort());
        b.putInt(24, 0);
        b.put(8, InetAddress.getByName("::1").getAddress());
        assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 443), Sockaddr.read(b, 28));
        assertNull(Sockaddr.read(b, 27), "too short for sockaddr_in6");
    }

    @Test
    void shouldReportAnIpv4MappedPeerOfADualStackListenerAsIpv4() throws Exception {
        ByteBuffer b = sockaddr(Sockaddr.AF_INET6, 8080);
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        mapped[12] = 10;
        mapped[15] = 7;
        b.put(8, mapped);
        b.putInt(24, 5); // a scope on a mapped address means nothing
        InetSocketAddress a = Sockaddr.read(b, 28);
        assertInstanceOf(Inet4Address.class, a.getAddress());
        assertEquals(new InetSocketAddress(InetAddress.getByName("10.0.0.7"), 8080), a);
    }

    @Test
    void shouldReturnNullForAnotherFamilyOrNoAddress() {
        assertNull(Sockaddr.read(sockaddr(1, 0), 110), "AF_UNIX");
        assertNull(Sockaddr.read(sockaddr(Sockaddr.AF_INET, 80), 0), "no address written");
    }

    /** A zeroed sockaddr_storage with the family (host order) and the port (network order). */
    private static ByteBuffer sockaddr(int family, int port) {
        ByteBuffer b = ByteBuffer.allocate(136).order(ByteOrder.nativeOrder());
        b.putShort(0, (short) family);
        b.put(2, (byte) (port >>> 8));
        b.put(3, (byte) port);
        return b;
    }
}
