package dev.roundhouse.loop.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Server;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The loop thread allocates nothing per message on the echo path: epoll_wait, dispatch, read, write. */
@EnabledOnOs(value = OS.LINUX, disabledReason = "epoll exists only on Linux")
class EpollAllocationTest {
    private static final int WARMUP = 20_000;
    private static final int MEASURED = 20_000;

    @Test
    @Timeout(120)
    void shouldNotAllocatePerMessageOnTheLoopThreadWhileEchoing() throws Exception {
        java.lang.management.ThreadMXBean plain = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(plain instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) plain;
        Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counting is off");
        try (EventLoop loop = EpollTesting.openLoop()) {
            long loopThread = EpollTesting.call(loop, () -> Thread.currentThread().getId());
            Server server = loop.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    EpollTcpTest.Echo::new).get(10, TimeUnit.SECONDS);
            try (Socket peer = new Socket()) {
                peer.connect(server.localAddress(), 5_000);
                peer.setTcpNoDelay(true);
                peer.setSoTimeout(5_000);
                OutputStream out = peer.getOutputStream();
                InputStream in = peer.getInputStream();
                byte[] msg = new byte[64];
                pingPong(out, in, msg, WARMUP); // JIT, buffers, first-use allocations
                long before = mx.getThreadAllocatedBytes(loopThread);
                pingPong(out, in, msg, MEASURED);
                long bytes = mx.getThreadAllocatedBytes(loopThread) - before;
                assertTrue(bytes / MEASURED < 8, "loop thread allocated " + bytes + " bytes over " + MEASURED
                        + " messages (" + bytes / MEASURED + " per message)");
            }
            server.close().get(5, TimeUnit.SECONDS);
        }
    }

    private static void pingPong(OutputStream out, InputStream in, byte[] msg, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            out.write(msg);
            assertEquals(msg.length, in.readNBytes(msg.length).length);
        }
    }
}
