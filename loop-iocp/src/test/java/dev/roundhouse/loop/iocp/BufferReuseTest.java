package dev.roundhouse.loop.iocp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.Transport;
import dev.roundhouse.loop.internal.LoopEngine;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Connections borrow their read buffer and write chunks from the loop's pools and give them back:
 * many short connections on one loop end with none out and reuse the ones given back, whether the
 * echo copies (write chunks) or hands its read buffer over (a second read buffer per connection).
 */
@Timeout(60)
class BufferReuseTest {

    @ParameterizedTest(name = "echo writes {0}")
    @ValueSource(strings = {"a duplicate", "the lent buffer"})
    void shouldReturnReadBuffersAndWriteChunksWhenConnectionsEnd(String what) throws Exception {
        boolean handOver = what.equals("the lent buffer");
        int connections = 40;
        CountDownLatch lost = new CountDownLatch(connections);
        try (EventLoop loop = Peers.openIocp()) {
            Server server = Peers.listen(loop, () -> handOver ? Peers.echo(lost) : duplicatingEcho(lost));
            byte[] sent = Peers.payload(40_000); // three write chunks when copied
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
            assertEquals(0, counts[2], "write chunks still out");
            if (handOver) {
                assertTrue(counts[1] >= 1 && counts[1] <= 2,
                        "a connection's two read buffers (one reading, one sending) served every connection: " + counts[1]);
            } else {
                assertEquals(1, counts[1], "one read buffer served every connection in turn");
                assertTrue(counts[3] > 0 && counts[3] <= 64, "write chunks kept: " + counts[3]);
            }
        }
    }

    /** An echo that writes a duplicate of what it receives: another buffer, so always copied. */
    private static Protocol duplicatingEcho(CountDownLatch lost) {
        Protocol echo = Peers.echo(lost);
        return new Protocol() {
            private Transport t;

            @Override
            public void connectionMade(Transport transport) {
                t = transport;
                echo.connectionMade(transport);
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                t.write(data.duplicate());
            }

            @Override
            public void connectionLost(Throwable cause) {
                echo.connectionLost(cause);
            }
        };
    }
}
