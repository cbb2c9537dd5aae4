package dev.roundhouse.loop.iocp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.Transport;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Operations that can finish at once finish on the loop thread, inside the call that starts them,
 * with no hop through another thread (Linux and macOS; on Windows the port completes everything).
 */
class InlineCompletionTest {
    private static final int WRITES = 50;
    private static final int MESSAGE_BYTES = 64;

    /**
     * Each write to a socket that can take it completes on the loop thread: its completion is posted
     * by the loop thread itself, not by the JDK's I/O thread after a readiness event.
     */
    @Test
    @Timeout(30)
    void shouldCompleteWritesToAWritableSocketOnTheLoopThread() throws Exception {
        Assumptions.assumeFalse(IocpProvider.isWindows(), "Windows completes every operation through the port");
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            Recorder server = new Recorder();
            Server listener = Peers.listen(loop, () -> server);
            try (Socket peer = Peers.peer(listener)) {
                Transport t = server.made.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                long before = loop.submit(() -> o.poller().loopThreadPosts()).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                byte[] msg = Peers.payload(MESSAGE_BYTES);
                for (int i = 0; i < WRITES; i++) {
                    // one task per write: the previous write's completion is dispatched in between,
                    // so each write is its own channel write (the peer never sends: no read completes)
                    loop.submit(() -> {
                        t.write(ByteBuffer.wrap(msg));
                        return null;
                    }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                }
                byte[] got = peer.getInputStream().readNBytes(WRITES * MESSAGE_BYTES);
                for (int i = 0; i < WRITES; i++) {
                    assertArrayEquals(msg, Arrays.copyOfRange(got, i * MESSAGE_BYTES, (i + 1) * MESSAGE_BYTES));
                }
                long posted = loop.submit(() -> o.poller().loopThreadPosts()).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS)
                        - before;
                assertTrue(posted >= WRITES, "completions posted by the loop thread itself during " + WRITES
                        + " writes to a writable socket: " + posted + " (0 when a group thread performs each write)");
                assertEquals(0L, loop.submit(t::writeBufferSize).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
            }
        }
    }
}
