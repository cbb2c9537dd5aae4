package dev.roundhouse.loop.iocp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Server;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Echo through the completion transport, byte for byte, from 0 B to 16 MiB. */
class EchoTest {

    /** Payloads of every size come back intact; closing the loop leaves no I/O thread of its group. */
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 1000, 65_536, 65_537, 1 << 20, 16 << 20})
    @Timeout(60)
    void shouldEchoPayloadByteForByte(int size) throws Exception {
        byte[] sent = Peers.payload(size);
        Peers.Opened o = Peers.openIocpWithPoller();
        List<Thread> io;
        try (EventLoop loop = o.loop()) {
            Server server = Peers.listen(loop, Peers::echo);
            try (Socket peer = Peers.peer(server)) {
                CompletableFuture<Void> writing = Peers.writeAndShutdown(peer, sent);
                byte[] back = Peers.readToEnd(peer.getInputStream());
                writing.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                assertEquals(size, back.length, "echoed length");
                assertArrayEquals(sent, back, "echoed bytes");
            }
            io = o.poller().ioThreads();
        }
        assertEquals(List.of(), io.stream().filter(Thread::isAlive).toList(), "I/O threads left after close");
    }
}
