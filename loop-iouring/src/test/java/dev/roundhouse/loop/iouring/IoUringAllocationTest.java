package dev.roundhouse.loop.iouring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Loops;
import dev.roundhouse.loop.Server;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The loop thread allocates (almost) nothing per message on the echo path. Our {@code RECV} and
 * {@code WRITEV} entries are built once per connection and submitted again; C2 also scalar-replaces
 * a fresh entry per operation when Netty's submit is inlined (a test build that made one per
 * receive measured under the bound too), so the caching guards against a JIT that does not. What
 * is left is Netty's: each {@code IoUringIoHandler.run} passes a bound method reference
 * ({@code this::handle}) to its completion queue, 16 bytes per loop iteration, at most one
 * iteration per message here (measured: 14 bytes per message on JDK 17). Hence a bound of 24
 * rather than epoll's 8.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "io_uring exists only on Linux")
class IoUringAllocationTest {
    private static final int WARMUP = 20_000;
    private static final int MEASURED = 20_000;

    @Test
    @Timeout(120)
    void shouldNotAllocatePerMessageOnTheLoopThreadWhileEchoing() throws Exception {
        Assumptions.assumeTrue(new IoUringProvider().availability().available(), "io_uring is not available here");
        java.lang.management.ThreadMXBean plain = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(plain instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) plain;
        Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counting is off");
        try (EventLoop loop = Loops.open(LoopOptions.builder().backend("io_uring").build())) {
            long loopThread = loop.submit(() -> Thread.currentThread().getId()).get(10, TimeUnit.SECONDS);
            Server server = loop.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    IoUringTcpTest.Echo::new).get(10, TimeUnit.SECONDS);
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
                assertTrue(bytes / MEASURED < 24, "loop thread allocated " + bytes + " bytes over " + MEASURED
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
