package dev.roundhouse.loop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.Transport;
import java.io.ByteArrayOutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * A completion transport hands the read buffer it lent to {@code dataReceived} over to a write
 * queue when the protocol writes that very buffer, back or to another transport of the loop
 * ({@link StreamTransport#fireLentData}): when it does, when it copies instead, the order of kept
 * and copied bytes, and where a kept buffer goes once sent or dropped. Driven directly, without a
 * loop or socket.
 */
class LentBufferTest {
    private BufferPool readBuffers = BufferPool.readBuffers(64 * 1024);
    private final BufferPool writeChunks = BufferPool.writeChunks();

    @Test
    void shouldKeepTheLentBufferAnEchoWritesBackAndGiveItBackOnceSent() throws Exception {
        Completion t = new Completion((tr, data) -> tr.write(data));
        ByteBuffer read = lentRead(20_000);
        ByteBuffer lent = read;

        assertTrue(t.fireLentData(lent), "an echo of 20,000 bytes is kept");
        assertEquals(read.limit(), read.position(), "the protocol's buffer looks written: position at its limit");
        assertEquals(0, writeChunks.out(), "nothing copied into a chunk");
        assertEquals(20_000, t.writeBufferSize());
        assertEquals(1, readBuffers.out(), "the kept buffer is still out of its pool");

        read.clear().position(100).limit(200); // the caller may move its position and limit (not change the bytes)
        assertArrayEquals(bytes(0, 20_000), t.drain(), "the bytes as they were when written");
        assertEquals(0, readBuffers.out(), "sent: given back");
        assertEquals(1, readBuffers.free(), "and reusable");
    }

    @Test
    void shouldCopyWhatIsNotTheLentBufferItselfOrIsSmall() throws Exception {
        Completion viaDuplicate = new Completion((tr, data) -> tr.write(data.duplicate()));
        assertFalse(viaDuplicate.fireLentData(lentRead(20_000)), "a duplicate is another buffer: copied");
        assertEquals(2, writeChunks.out(), "20,000 bytes in two 16 KiB chunks");
        assertArrayEquals(bytes(0, 20_000), viaDuplicate.drain());

        Completion small = new Completion((tr, data) -> tr.write(data));
        int under = StreamTransport.KEEP_MIN_BYTES - 1;
        assertFalse(small.fireLentData(lentRead(under)), "under KEEP_MIN_BYTES: copied");
        assertArrayEquals(bytes(0, under), small.drain());
    }

    @Test
    void shouldCopyWhenThePoolCouldNotReplaceTheBuffer() throws Exception {
        readBuffers = BufferPool.readBuffers(16 << 20); // 4 out at most
        ByteBuffer[] out = {readBuffers.take(), readBuffers.take(), readBuffers.take(), readBuffers.take()};
        assertFalse(readBuffers.canTake());
        out[3].put(bytes(0, 8192)).flip();
        Completion t = new Completion((tr, data) -> tr.write(data));
        assertFalse(t.fireLentData(out[3]), "kept, the next read would have no direct buffer");
        assertArrayEquals(bytes(0, 8192), t.drain());
        assertEquals(4, readBuffers.out(), "the lent buffer stays the caller's");
    }

    @Test
    void shouldSendKeptAndCopiedBytesInTheOrderWritten() throws Exception {
        Completion t = new Completion((tr, data) -> {
            tr.write(new byte[] {'<'}); // copied into a chunk
            int from = data.position();
            tr.write(data); // kept
            data.position(from);
            tr.write(data); // the same bytes again: no longer lent, so copied
            tr.write(new byte[] {'>'}); // a new chunk after the kept buffer
        });
        ByteBuffer another = readBuffers.take(); // a connection's read in flight elsewhere
        assertTrue(t.fireLentData(lentRead(5000)));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write('<');
        expected.write(bytes(0, 5000));
        expected.write(bytes(0, 5000));
        expected.write('>');
        assertArrayEquals(expected.toByteArray(), t.drain());
        assertEquals(1, readBuffers.out(), "the kept buffer given back once, the other still out");
        assertEquals(1, readBuffers.free(), "kept once: the same memory is never in the free list twice");
        assertEquals(0, writeChunks.out());
        readBuffers.giveBack(another, true);
    }

    @Test
    void shouldCopyAWriteOfTheBufferAfterTheCallbackReturned() throws Exception {
        ByteBuffer[] held = new ByteBuffer[1];
        Completion t = new Completion((tr, data) -> held[0] = data); // a contract breach: kept past the call
        assertFalse(t.fireLentData(lentRead(8192)));
        t.write(held[0]);
        assertEquals(1, writeChunks.out(), "copied: the buffer is the reader's again");
        assertArrayEquals(bytes(0, 8192), t.drain());
    }

    @Test
    void shouldKeepALentBufferRelayedToAnotherTransportOfTheLoop() throws Exception {
        Completion[] to = new Completion[1];
        Completion from = new Completion((tr, data) -> to[0].write(data));
        to[0] = new Completion((tr, data) -> { });
        ByteBuffer read = lentRead(30_000);

        assertTrue(from.fireLentData(read), "relayed on the same loop: kept by the other transport's queue");
        assertEquals(0, from.writeBufferSize());
        assertEquals(30_000, to[0].writeBufferSize());
        assertEquals(0, writeChunks.out(), "nothing copied");
        assertArrayEquals(bytes(0, 30_000), to[0].drain());
        assertEquals(0, readBuffers.out(), "sent: back in the read pool");
    }

    @Test
    void shouldGiveAKeptBufferBackForGoodWhenTheConnectionIsAborted() {
        Completion t = new Completion((tr, data) -> {
            tr.write(data);
            tr.abort();
        });
        assertTrue(t.fireLentData(lentRead(8192)));
        assertEquals(0, readBuffers.out(), "out of the budget");
        assertEquals(0, readBuffers.free(), "but never handed out again: a write of it may be in flight");
        assertTrue(t.socketClosed);
    }

    /**
     * A delivery inside another (none of ours nests, but the pool must not depend on it): the
     * inner one cannot make the outer lender believe its kept buffer is still its own, which would
     * read into memory a write queue is sending from.
     */
    @Test
    void shouldTellEachLenderOfItsOwnKeptBufferWhenDeliveriesNest() {
        ByteBuffer outer = lentRead(20_000);
        ByteBuffer inner = lentRead(20_000);
        readBuffers.lend(outer);
        ByteBuffer view = readBuffers.keepLent(outer, StreamTransport.KEEP_MIN_BYTES);
        assertTrue(view != null, "the outer buffer is kept");
        readBuffers.lend(inner);
        assertFalse(readBuffers.endLend(inner), "the inner buffer was not kept");
        assertTrue(readBuffers.endLend(outer), "the outer lender learns its buffer was kept");
        assertFalse(readBuffers.endLend(outer), "and only once");
    }

    /** A buffer of the read pool holding {@code n} bytes of the pattern, flipped as a read leaves it. */
    private ByteBuffer lentRead(int n) {
        ByteBuffer b = readBuffers.take();
        b.put(bytes(0, n)).flip();
        return b;
    }

    private static byte[] bytes(int from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ((from + i) * 31 + 7);
        }
        return b;
    }

    /** A completion backend's transport, minus the socket: writes wait for {@link #drain}. */
    private final class Completion extends StreamTransport {
        private boolean flushing;
        boolean socketClosed;

        Completion(BiConsumer<Transport, ByteBuffer> onData) {
            super(new StubLoopContext(readBuffers, writeChunks, null), DataProtocol.of(onData), SocketOptions.DEFAULTS, new LoopResources());
            start();
        }

        /** Completes writes until the queue is empty; the bytes sent. */
        byte[] drain() throws Exception {
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            while (!queue.isEmpty()) {
                queue.writeTo((srcs, offset, length) -> {
                    long n = 0;
                    for (int i = offset; i < offset + length; i++) {
                        byte[] b = new byte[srcs[i].remaining()];
                        srcs[i].get(b);
                        sent.write(b);
                        n += b.length;
                    }
                    return n;
                });
            }
            flushing = false;
            return sent.toByteArray();
        }

        @Override
        protected void writeNow(ByteBuffer data) {
        }

        @Override
        protected void startFlush() {
            flushing = true;
        }

        @Override
        protected boolean flushPending() {
            return flushing;
        }

        @Override
        protected void setReading(boolean on) {
        }

        @Override
        protected void shutdownOutputNow() {
        }

        @Override
        protected void closeSocket(boolean reset) {
            socketClosed = true;
        }

        @Override
        public SocketAddress localAddress() {
            return null;
        }

        @Override
        public SocketAddress remoteAddress() {
            return null;
        }
    }
}
