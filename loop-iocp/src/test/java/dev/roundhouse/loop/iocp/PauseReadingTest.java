package dev.roundhouse.loop.iocp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.Transport;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pausing reading never cancels the read in flight: a read that completes while paused is held
 * and delivered on resume, in order, and the connection keeps reading afterwards (bpo-33694).
 */
class PauseReadingTest {
    /** Long enough for a loopback write to complete the pending read many times over. */
    private static final long SETTLE_MS = 200;

    /** A read in flight when pausing completes while paused; its bytes arrive on resume, then later bytes follow in order. */
    @Test
    @Timeout(30)
    void shouldHoldReadCompletedWhilePausedAndDeliverItOnResume() throws Exception {
        LinkedBlockingQueue<Recorder> accepted = new LinkedBlockingQueue<>();
        try (EventLoop loop = Peers.openIocp()) {
            Server server = Peers.listen(loop, () -> {
                Recorder r = new Recorder();
                accepted.add(r);
                return r;
            });
            try (Socket peer = Peers.peer(server)) {
                Recorder r = accepted.poll(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                Transport t = r.made.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                // connectionMade posted the first read: pause while it is in flight
                loop.submit(() -> {
                    t.pauseReading();
                    return null;
                }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                OutputStream out = peer.getOutputStream();
                out.write("first".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Peers.quietWindow(loop, SETTLE_MS); // a negative window: nothing may be delivered while paused
                assertEquals(List.of("made"), r.kinds(), "nothing delivered while paused");
                loop.submit(() -> {
                    t.resumeReading();
                    return null;
                }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                assertArrayEquals("first".getBytes(StandardCharsets.US_ASCII), r.awaitReceived(5));
                out.write("second".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertArrayEquals("firstsecond".getBytes(StandardCharsets.US_ASCII), r.awaitReceived(11),
                        "the channel still reads after a pause: the pending read was not cancelled");
                peer.shutdownOutput();
                assertNull(r.lost.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
                assertEquals(1, r.threads().size(), "every callback on the loop thread: " + r.threads());
            }
        }
    }

    /** Data and EOF that arrive while paused are both held, and on resume come in order: data, then EOF. */
    @Test
    @Timeout(30)
    void shouldDeliverHeldDataThenEofOnResume() throws Exception {
        LinkedBlockingQueue<Recorder> accepted = new LinkedBlockingQueue<>();
        try (EventLoop loop = Peers.openIocp()) {
            Server server = Peers.listen(loop, () -> {
                Recorder r = new Recorder() {
                    @Override
                    public synchronized void dataReceived(java.nio.ByteBuffer data) {
                        super.dataReceived(data);
                        transport().pauseReading(); // pause from inside the callback, after every chunk
                    }
                };
                accepted.add(r);
                return r;
            });
            byte[] payload = Peers.payload(1 << 20);
            try (Socket peer = Peers.peer(server)) {
                Recorder r = accepted.poll(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                Transport t = r.made.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                Peers.writeAndShutdown(peer, payload).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                // every dataReceived pauses again, so each resume yields one more callback (data, eof or lost)
                while (!r.lost.isDone()) {
                    int seen = r.kinds().size();
                    loop.submit(() -> {
                        t.resumeReading();
                        return null;
                    }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    r.awaitEventCount(seen + 1);
                }
                assertNull(r.lost.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
                assertArrayEquals(payload, r.received(), "every byte, in order");
                List<String> kinds = r.kinds();
                assertEquals(List.of("eof", "lost"), kinds.subList(kinds.size() - 2, kinds.size()));
            }
        }
    }

    /** pauseReading and resumeReading inside dataReceived neither clobber the buffer being delivered nor post a second read. */
    @Test
    @Timeout(30)
    void shouldAllowPauseAndResumeInsideDataReceived() throws Exception {
        byte[] payload = Peers.payload(1 << 20);
        try (EventLoop loop = Peers.openIocp()) {
            Server server = Peers.listen(loop, () -> new Recorder() {
                @Override
                public synchronized void dataReceived(java.nio.ByteBuffer data) {
                    transport().pauseReading();
                    transport().resumeReading();
                    transport().write(data); // echo after the pair: the bytes must still be there
                }

                @Override
                public synchronized boolean eofReceived() {
                    return false;
                }
            });
            try (Socket peer = Peers.peer(server)) {
                java.util.concurrent.CompletableFuture<Void> writing = Peers.writeAndShutdown(peer, payload);
                byte[] back = Peers.readToEnd(peer.getInputStream());
                writing.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                assertArrayEquals(payload, back, "echoed intact");
            }
        }
    }
}
