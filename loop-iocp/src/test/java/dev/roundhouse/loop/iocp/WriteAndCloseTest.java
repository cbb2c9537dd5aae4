package dev.roundhouse.loop.iocp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Gathered writes, water marks, graceful close that flushes, and abort. */
class WriteAndCloseTest {

    private static Server listenInto(EventLoop loop, LinkedBlockingQueue<Recorder> accepted) throws Exception {
        return Peers.listen(loop, () -> {
            Recorder r = new Recorder();
            accepted.add(r);
            return r;
        });
    }

    /** pauseWriting above the high mark toward a peer that does not read; resumeWriting at or below the low mark once it reads. */
    @Test
    @Timeout(60)
    void shouldPauseAndResumeWritingAtWaterMarks() throws Exception {
        LinkedBlockingQueue<Recorder> accepted = new LinkedBlockingQueue<>();
        long[] bufferedAtResume = {-1};
        try (EventLoop loop = Peers.openIocp()) {
            Server server = Peers.listen(loop, () -> {
                Recorder r = new Recorder() {
                    @Override
                    public synchronized void resumeWriting() {
                        bufferedAtResume[0] = transport().writeBufferSize();
                        super.resumeWriting();
                    }
                };
                accepted.add(r);
                return r;
            });
            try (Socket peer = Peers.peer(server)) {
                Recorder r = accepted.poll(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                Transport t = r.made.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                long total = loop.submit(() -> {
                    t.setWriteBufferLimits(256 * 1024, 64 * 1024);
                    ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                    long n = 0;
                    while (!r.kinds().contains("pauseWriting") && n < (256L << 20)) {
                        chunk.clear();
                        t.write(chunk);
                        n += chunk.capacity();
                    }
                    assertTrue(t.writeBufferSize() > 256 * 1024, "paused above the high mark");
                    return n;
                }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                assertTrue(r.kinds().contains("pauseWriting"), "pauseWriting before 256 MiB");
                InputStream in = peer.getInputStream();
                byte[] buf = new byte[1 << 16];
                long read = 0;
                while (read < total) {
                    int n = in.read(buf);
                    assertTrue(n > 0, "end of stream after " + read + " of " + total);
                    read += n;
                }
                assertEquals(total, read);
                // the peer can hold the last bytes before the loop has dispatched their write completion
                r.awaitEvent("resumeWriting");
                assertEquals(List.of("made", "pauseWriting", "resumeWriting"), r.kinds());
                assertTrue(bufferedAtResume[0] >= 0 && bufferedAtResume[0] <= 64 * 1024,
                        "buffered when resumed: " + bufferedAtResume[0]);
            }
        }
    }

    /** close() with megabytes buffered flushes every byte, then sends EOF and delivers connectionLost(null). */
    @Test
    @Timeout(60)
    void shouldFlushBufferedBytesBeforeClosing() throws Exception {
        LinkedBlockingQueue<Recorder> accepted = new LinkedBlockingQueue<>();
        byte[] payload = Peers.payload(8 << 20);
        try (EventLoop loop = Peers.openIocp()) {
            Server server = listenInto(loop, accepted);
            try (Socket peer = Peers.peer(server)) {
                Recorder r = accepted.poll(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                Transport t = r.made.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                loop.submit(() -> {
                    for (int off = 0; off < payload.length; off += 1000) {
                        t.write(ByteBuffer.wrap(payload, off, Math.min(1000, payload.length - off)));
                    }
                    t.close();
                    assertTrue(t.isClosing());
                    return null;
                }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                assertArrayEquals(payload, Peers.readToEnd(peer.getInputStream()), "every byte, then EOF");
                assertNull(r.lost.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
            }
        }
    }

    /** abort() drops what is buffered and delivers connectionLost(null) before it returns; later completions are ignored. */
    @Test
    @Timeout(60)
    void shouldAbortAtOnce() throws Exception {
        LinkedBlockingQueue<Recorder> accepted = new LinkedBlockingQueue<>();
        try (EventLoop loop = Peers.openIocp()) {
            Server server = listenInto(loop, accepted);
            try (Socket peer = Peers.peer(server)) {
                Recorder r = accepted.poll(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                Transport t = r.made.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                List<String> atReturn = loop.submit(() -> {
                    t.write(new byte[32 * 1024]); // a write in flight (below the high mark: no pauseWriting)
                    t.abort();
                    List<String> kinds = r.kinds();
                    t.abort(); // idempotent
                    assertFalse(t.write(new byte[1]), "write after loss is refused");
                    return kinds;
                }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                assertEquals(List.of("made", "lost"), atReturn, "connectionLost before abort returned");
                assertNull(r.lost.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
                try {
                    Peers.readToEnd(peer.getInputStream()); // the peer sees EOF (no SO_LINGER here) or a reset
                } catch (SocketException reset) {
                    // also allowed by the contract
                }
                Peers.quietWindow(loop, 100); // the cancelled operations' completions come back and must be ignored
                assertEquals(List.of("made", "lost"), r.kinds(), "nothing after connectionLost");
            }
        }
    }

    /** Many small writes in one callback leave as gathered writes and arrive intact and in order. */
    @Test
    @Timeout(60)
    void shouldKeepOrderAcrossManySmallWrites() throws Exception {
        LinkedBlockingQueue<Recorder> accepted = new LinkedBlockingQueue<>();
        try (EventLoop loop = Peers.openIocp()) {
            Server server = listenInto(loop, accepted);
            try (Socket peer = Peers.peer(server)) {
                Recorder r = accepted.poll(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                Transport t = r.made.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                int count = 200_000;
                CompletableFuture<Void> writes = new CompletableFuture<>();
                loop.execute(() -> {
                    ByteBuffer b = ByteBuffer.allocate(4);
                    for (int i = 0; i < count; i++) {
                        b.clear();
                        b.putInt(i).flip();
                        t.write(b);
                    }
                    t.close();
                    writes.complete(null);
                });
                byte[] all = Peers.readToEnd(peer.getInputStream());
                writes.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                assertEquals(count * 4, all.length);
                ByteBuffer in = ByteBuffer.wrap(all);
                for (int i = 0; i < count; i++) {
                    assertEquals(i, in.getInt(), "value at " + i);
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }
}
