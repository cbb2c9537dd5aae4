package dev.roundhouse.websocket;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Protocol;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The receive hot path allocates nothing per frame: after warm-up, 20,000 masked binary frames
 * (whole and fragmented) go through decoding, unmasking, assembly and delivery on the loop thread
 * with no per-frame allocation, measured with the JVM's per-thread allocation counter.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AllocationTest {
    long delivered;

    /** Binary frames, whole and fragmented, cost no allocation per frame once warm. */
    @Test
    void shouldNotAllocatePerFrameOnTheReceivePath() throws Exception {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean, "needs com.sun.management.ThreadMXBean");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) mx;
        EventLoop loop = TestBackends.open(TestBackends.names().get(0));
        try {
            WebSocketServer server = WebSocketServer.builder().options(WebSocketOptions.builder()
                    .autoPingInterval(0, TimeUnit.SECONDS).idleTimeout(0, TimeUnit.SECONDS).build())
                    .route("/echo", () -> new WebSocketHandler() {
                        @Override
                        public void onBinary(WebSocket ws, ByteBuffer data) {
                            delivered += data.remaining();
                        }
                    }).build();
            // 100 frames per batch: 50 whole 200-byte messages and 50 fragments of 10 messages.
            byte[][] parts = new byte[100][];
            for (int i = 0; i < 50; i++) {
                parts[i] = Wire.client(true, Opcodes.BINARY, new byte[200]);
            }
            for (int m = 0; m < 10; m++) {
                for (int f = 0; f < 5; f++) {
                    parts[50 + m * 5 + f] = Wire.client(f == 4, f == 0 ? Opcodes.BINARY : Opcodes.CONTINUATION, new byte[100]);
                }
            }
            ByteBuffer batch = ByteBuffer.wrap(Wire.concat(parts));
            long allocated = loop.submit(() -> {
                Protocol p = server.protocolFactory().newProtocol();
                FakeTransport t = new FakeTransport(loop, p);
                p.connectionMade(t);
                p.dataReceived(ByteBuffer.wrap(RawClient.request("/echo", "").getBytes(StandardCharsets.ISO_8859_1)));
                for (int i = 0; i < 2000; i++) { // warm-up: JIT and buffer growth
                    p.dataReceived(batch.clear());
                }
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 200; i++) {
                    p.dataReceived(batch.clear());
                }
                long after = threads.getCurrentThreadAllocatedBytes();
                return after - before;
            }).get(30, TimeUnit.SECONDS);
            assertTrue(delivered > 0);
            // 20,000 frames: anything per frame would be >= 16 bytes each, i.e. >= 320,000 bytes.
            assertTrue(allocated < 4096, "allocated " + allocated + " bytes for 20,000 frames");
        } finally {
            TestBackends.close(loop);
        }
    }
}
