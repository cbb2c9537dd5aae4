package dev.roundhouse.loop.iocp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.internal.LoopEngine;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connections borrow their read buffer and write chunks from the loop's pools and give them back:
 * many short connections on one loop end with none out and reuse the ones given back.
 */
@Timeout(60)
class BufferReuseTest {

    @Test
    void shouldReturnReadBuffersAndWriteChunksWhenConnectionsEnd() throws Exception {
        int connections = 40;
        CountDownLatch lost = new CountDownLatch(connections);
        try (EventLoop loop = Peers.openIocp()) {
            Server server = Peers.listen(loop, () -> Peers.echo(lost));
            byte[] sent = Peers.payload(40_000); // three write chunks when the send buffer is slow
            for (int i = 0; i < connections; i++) {
                try (Socket peer = Peers.peer(server)) {
                    peer.getOutputStream().write(sent);
                    peer.shutdownOutput();
                    byte[] back = Peers.readToEnd(peer.getInputStream());
                    assertArrayEquals(sent, back, "connection " + i);
                }
            }
            assertTrue(lost.await(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS), "connections not lost");
            LoopEngine engine = (LoopEngine) loop;
            int[] counts = loop.submit(() -> new int[] {
                engine.readBuffers().out(), engine.readBuffers().free(),
                engine.writeChunks().out(), engine.writeChunks().free()})
                    .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertEquals(0, counts[0], "read buffers still out");
            assertEquals(1, counts[1], "one read buffer served every connection in turn");
            assertEquals(0, counts[2], "write chunks still out");
            assertTrue(counts[3] > 0 && counts[3] <= 64, "write chunks kept: " + counts[3]);
        }
    }
}
