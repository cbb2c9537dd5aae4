package dev.roundhouse.loop.tck;

import static dev.roundhouse.loop.tck.ProtocolRecorder.Kind.DATA_RECEIVED;
import static dev.roundhouse.loop.tck.ProtocolRecorder.Kind.PAUSE_WRITING;
import static dev.roundhouse.loop.tck.ProtocolRecorder.Kind.RESUME_WRITING;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Transport;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Flow control (DESIGN.md, "Transport contract"): write-buffer water marks drive
 * {@code pauseWriting}/{@code resumeWriting}, and {@code pauseReading}/{@code resumeReading} stop
 * and restart {@code dataReceived} and {@code eofReceived}. Needs TCP.
 */
public abstract class FlowControlTck extends TcpTck {
    private static final long HIGH_BYTES = 256 * 1024;
    private static final long LOW_BYTES = 64 * 1024;
    /** Far more than loopback socket buffers take: a peer that does not read must cause a pause before this. */
    private static final long MAX_WRITE_BYTES = 256L << 20;

    /** Water marks: pauseWriting above the high mark toward a peer that does not read, resumeWriting at the low mark once it does. */
    @Test
    @Timeout(60)
    void shouldPauseAndResumeWritingAtWaterMarks() throws Exception {
        EventLoop loop = openLoop();
        List<Long> bufferedAtPause = new CopyOnWriteArrayList<>();
        List<Long> bufferedAtResume = new CopyOnWriteArrayList<>();
        CompletableFuture<Long> totalWritten = new CompletableFuture<>();
        Accepted server = listen(loop, i -> {
            ProtocolRecorder p = new ProtocolRecorder("water-marks");
            p.onPause(() -> bufferedAtPause.add(p.transport().writeBufferSize()));
            p.onResume(() -> {
                bufferedAtResume.add(p.transport().writeBufferSize());
                p.transport().close();
            });
            return p.onMade(t -> totalWritten.complete(writeUntilPaused(t, bufferedAtPause)));
        });
        Socket peer = peer(server.server());
        long total = Await.get(totalWritten, "writes until pauseWriting");
        assertEquals(1, bufferedAtPause.size(), "pauseWriting once the buffer rose above the high mark");
        assertTrue(bufferedAtPause.get(0) > HIGH_BYTES, "buffered at pauseWriting: " + bufferedAtPause);
        byte[] all = readToEnd(peer.getInputStream()); // reading lets the buffer drain to the low mark
        assertEquals(total, all.length, "every accepted byte reaches the peer");
        ProtocolRecorder p = server.next();
        p.awaitLost();
        assertEquals(1, bufferedAtResume.size(), "resumeWriting once");
        assertTrue(bufferedAtResume.get(0) <= LOW_BYTES, "buffered at resumeWriting: " + bufferedAtResume);
        assertEquals(List.of(PAUSE_WRITING, RESUME_WRITING), p.kinds().stream()
                .filter(k -> k == PAUSE_WRITING || k == RESUME_WRITING).toList());
        p.assertGrammar(Await.loopThread(loop));
    }

    private static long writeUntilPaused(Transport t, List<Long> pauses) {
        t.setWriteBufferLimits(HIGH_BYTES, LOW_BYTES);
        assertEquals(HIGH_BYTES, t.writeBufferHighBytes());
        assertEquals(LOW_BYTES, t.writeBufferLowBytes());
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        long total = 0;
        while (pauses.isEmpty() && total < MAX_WRITE_BYTES) {
            chunk.clear();
            t.write(chunk);
            total += chunk.capacity();
        }
        return total;
    }

    /** Water marks: invalid limits are rejected with IllegalArgumentException. */
    @Test
    @Timeout(30)
    void shouldRejectInvalidWaterMarks() throws Exception {
        EventLoop loop = openLoop();
        Accepted server = listen(loop, i -> new ProtocolRecorder("limits"));
        peer(server.server());
        Transport t = Await.get(server.next().made(), "connectionMade");
        assertTrue(Await.thrownOnLoop(loop, () -> t.setWriteBufferLimits(10, 20)) instanceof IllegalArgumentException,
                "low above high");
        assertTrue(Await.thrownOnLoop(loop, () -> t.setWriteBufferLimits(10, -1)) instanceof IllegalArgumentException,
                "negative low");
    }

    /** pauseReading: no dataReceived nor eofReceived while paused; resumeReading delivers them. */
    @Test
    @Timeout(30)
    void shouldNotDeliverDataOrEofWhileReadingPaused() throws Exception {
        EventLoop loop = openLoop();
        List<Boolean> reading = new CopyOnWriteArrayList<>();
        Accepted server = listen(loop, i -> new ProtocolRecorder("paused").onMade(t -> {
            t.pauseReading();
            t.pauseReading(); // idempotent
            reading.add(t.isReading());
        }));
        Socket peer = peer(server.server());
        peer.getOutputStream().write("abc".getBytes(US_ASCII));
        peer.shutdownOutput();
        ProtocolRecorder p = server.next();
        Transport t = Await.get(p.made(), "connectionMade");
        Await.quiet(loop);
        assertEquals(List.of(ProtocolRecorder.Kind.CONNECTION_MADE), p.kinds(), "nothing delivered while paused");
        assertEquals(List.of(false), reading, "isReading while paused");
        assertTrue(Await.call(loop, () -> {
            t.resumeReading();
            return t.isReading();
        }), "isReading after resume");
        assertEquals(-1, peer.getInputStream().read(), "EOF handled after resume: the server closes");
        assertArrayEquals("abc".getBytes(US_ASCII), p.received());
        p.awaitLost();
        p.assertGrammar(Await.loopThread(loop));
    }

    /** pauseReading from inside dataReceived stops further deliveries until resumeReading. */
    @Test
    @Timeout(30)
    void shouldPauseReadingFromInsideDataReceived() throws Exception {
        EventLoop loop = openLoop();
        Accepted server = listen(loop, i -> new ProtocolRecorder("pause-in-data").onData((t, d) -> t.pauseReading()));
        Socket peer = peer(server.server());
        ProtocolRecorder p = server.next();
        Transport t = Await.get(p.made(), "connectionMade");
        peer.getOutputStream().write("first".getBytes(US_ASCII));
        p.awaitReceived(1);
        long deliveries = p.count(DATA_RECEIVED);
        peer.getOutputStream().write("second".getBytes(US_ASCII));
        Await.quiet(loop);
        assertEquals(deliveries, p.count(DATA_RECEIVED), "no dataReceived after pauseReading");
        assertFalse(Await.call(loop, t::isReading));
        InputStream in = peer.getInputStream();
        Await.run(loop, t::resumeReading);
        assertArrayEquals("firstsecond".getBytes(US_ASCII), p.awaitReceived(11), "delivery resumes intact");
        Await.run(loop, t::close);
        assertEquals(-1, in.read());
        p.awaitLost();
        p.assertGrammar(Await.loopThread(loop));
    }
}
