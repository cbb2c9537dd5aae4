package dev.roundhouse.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Protocol;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Send futures, water marks and the pending-bytes limit, driven through an in-memory transport. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BackpressureTest {
    EventLoop loop;
    FakeTransport transport;
    WebSocket ws;
    final List<Boolean> writability = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        loop = TestBackends.open(TestBackends.names().get(0));
        WebSocketOptions o = WebSocketOptions.builder().writeWaterMarks(1000, 100).maxPendingOutboundBytes(50_000).build();
        CompletableFuture<WebSocket> opened = new CompletableFuture<>();
        WebSocketServer server = WebSocketServer.builder().options(o).route("/echo", () -> new WebSocketHandler() {
            @Override
            public void onOpen(WebSocket s) {
                opened.complete(s);
            }

            @Override
            public void onWritabilityChanged(WebSocket s, boolean writable) {
                writability.add(writable);
                if (!writable) {
                    s.sendText("slow down"); // a send from the callback must never split another frame
                }
            }
        }).build();
        loop.submit(() -> {
            Protocol p = server.protocolFactory().newProtocol();
            transport = new FakeTransport(loop, p);
            p.connectionMade(transport);
            p.dataReceived(ByteBuffer.wrap(RawClient.request("/echo", "").getBytes(StandardCharsets.ISO_8859_1)));
            transport.drain();
            transport.takeWritten();
            return null;
        }).get(10, TimeUnit.SECONDS);
        ws = opened.get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws Exception {
        TestBackends.close(loop);
    }

    /** A send that stays under the high-water mark completes at once; one that crosses it completes when the buffer drains. */
    @Test
    void shouldCompleteSendsWhenTheBufferDrains() throws Exception {
        CompletableFuture<Void> small = loop.submit(() -> ws.sendBinary(new byte[500])).get();
        assertTrue(small.isDone(), "under the mark: done at once");
        CompletableFuture<Void> big = loop.submit(() -> ws.sendBinary(new byte[800])).get();
        assertFalse(big.isDone(), "over the mark: waits");
        assertFalse(loop.submit(() -> ws.isWritable()).get());
        assertEquals(List.of(false), loop.submit(() -> List.copyOf(writability)).get());
        loop.submit(() -> {
            transport.drain();
            return null;
        }).get();
        big.get(1, TimeUnit.SECONDS);
        assertTrue(loop.submit(() -> ws.isWritable()).get());
        assertEquals(List.of(false, true), loop.submit(() -> List.copyOf(writability)).get());
    }

    /**
     * The high-water mark crossed while writing a frame's header does not let a send from
     * onWritabilityChanged land between that header and its payload: the stream stays well-formed.
     */
    @Test
    void shouldNeverInterleaveFramesWhenTheCallbackSends() throws Exception {
        loop.submit(() -> ws.sendBinary(new byte[995])).get(); // 997 buffered: just under the mark
        loop.submit(() -> ws.sendBinary(new byte[20_000])).get(); // the 4-byte header crosses it
        loop.submit(() -> null).get(); // let the queued writability report run
        byte[] out = loop.submit(() -> transport.takeWritten()).get();
        java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(out);
        assertEquals(995, Wire.read(in).payload().length);
        assertEquals(20_000, Wire.read(in).payload().length);
        assertEquals("slow down", Wire.read(in).text());
        assertEquals(0, in.available());
    }

    /** A send that would pass maxPendingOutboundBytes fails its future and leaves the connection open. */
    @Test
    void shouldFailSendOverThePendingLimit() throws Exception {
        loop.submit(() -> ws.sendBinary(new byte[40_000])).get();
        loop.submit(() -> null).get(); // the handler's "slow down" (11 bytes on the wire) goes out here
        CompletableFuture<Void> over = loop.submit(() -> ws.sendBinary(new byte[20_000])).get();
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> over.get(1, TimeUnit.SECONDS));
        assertInstanceOf(WebSocketException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("maxPendingOutboundBytes=50000"), e.getCause().getMessage());
        assertTrue(loop.submit(() -> ws.isOpen()).get());
        assertEquals(40_000 + 4 + 11, loop.submit(() -> ws.bufferedBytes()).get());
    }

    /** Futures waiting for a drain fail when the connection is lost, and later sends fail without throwing. */
    @Test
    void shouldFailWaitingSendsWhenConnectionIsLost() throws Exception {
        CompletableFuture<Void> waiting = loop.submit(() -> ws.sendBinary(new byte[2000])).get();
        loop.submit(() -> {
            transport.lose(new java.io.IOException("reset (simulated)"));
            return null;
        }).get();
        assertThrows(waiting);
        CompletableFuture<Void> late = loop.submit(() -> ws.sendText("late")).get();
        assertThrows(late);
        assertEquals(CloseCodes.ABNORMAL, ws.closeFuture().get(1, TimeUnit.SECONDS).code());
    }

    /** After close() sends fail their futures; close() is idempotent and returns the same future. */
    @Test
    void shouldRefuseSendsAfterClose() throws Exception {
        CompletableFuture<CloseStatus> a = loop.submit(() -> ws.close(1000, "bye")).get();
        CompletableFuture<CloseStatus> b = loop.submit(() -> ws.close(4000, "again")).get();
        assertTrue(a == b);
        assertThrows(loop.submit(() -> ws.sendText("after close")).get());
        byte[] out = loop.submit(() -> transport.takeWritten()).get();
        assertEquals(2 + 2 + 3, out.length, "exactly one close frame: header, code, \"bye\"");
    }

    private static void assertThrows(CompletableFuture<?> f) {
        org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> f.get(1, TimeUnit.SECONDS));
    }
}
