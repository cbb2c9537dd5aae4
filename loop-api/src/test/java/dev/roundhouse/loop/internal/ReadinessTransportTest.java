package dev.roundhouse.loop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.Transport;
import java.io.ByteArrayOutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * The readiness transport's interest changes during a readiness callback wait for the callback to
 * return and are applied once, the last one winning, and not at all once the socket is closed;
 * changes outside a callback apply at once. Driven directly over a scripted socket, without a loop:
 * the socket records each interest it is given that differs from the one before (as the backends
 * make a system call only for those).
 */
class ReadinessTransportTest {
    private static final Interest READ_WRITE = Interest.of(true, true);

    /** An end of stream the protocol answers by closing: the socket is closed, never taken out of the set first. */
    @Test
    void shouldCloseOnEndOfStreamWithoutRemovingTheSocketFromTheSetFirst() {
        ScriptedSocket io = new ScriptedSocket();
        ReadinessTransport t = start(io, (tr, data) -> tr.write(data));
        io.reads.add(bytes("hello"));
        t.onReady(Interest.READ);
        assertEquals("hello", io.written());
        io.reads.add(-1);
        t.onReady(Interest.READ);
        assertTrue(io.closed, "closed at the end of stream");
        assertEquals(List.of(Interest.READ), io.changes, "interests given to the socket");
    }

    /** A flush that empties the queue and a write queued again in the same callback: WRITE stays armed, untouched. */
    @Test
    void shouldLeaveWriteArmedWhenTheCallbackThatFlushedQueuesAgain() {
        ScriptedSocket io = new ScriptedSocket();
        ReadinessTransport t = start(io, (tr, data) -> tr.write(data));
        io.writable = 0;
        t.write(bytes("queued")); // outside a callback: WRITE is armed at once
        assertEquals(List.of(Interest.READ, READ_WRITE), io.changes);

        io.writable = "queued".length(); // the flush sends it all, and the echo below finds the socket full
        io.reads.add(bytes("ping"));
        t.onReady(READ_WRITE);
        assertEquals("queued", io.written());
        assertEquals(List.of(Interest.READ, READ_WRITE), io.changes, "WRITE neither disarmed nor re-armed");

        io.writable = Integer.MAX_VALUE;
        t.onReady(Interest.WRITE);
        assertEquals("queuedping", io.written());
        assertEquals(List.of(Interest.READ, READ_WRITE, Interest.READ), io.changes, "disarmed once the queue is empty");
    }

    /** A pause inside dataReceived stops the reads at once and reaches the socket once; a resume outside at once. */
    @Test
    void shouldStopReadingAtOnceWhenPausedInACallbackAndApplyItWhenTheCallbackReturns() {
        ScriptedSocket io = new ScriptedSocket();
        List<String> received = new ArrayList<>();
        ReadinessTransport t = start(io, (tr, data) -> {
            received.add(StandardCharsets.US_ASCII.decode(data).toString());
            tr.pauseReading();
            tr.pauseReading();
            tr.resumeReading();
            tr.pauseReading(); // the last change wins
        });
        io.reads.add(new byte[64 * 1024]); // a full buffer: the transport would read again
        io.reads.add(bytes("later"));
        t.onReady(Interest.READ);
        assertEquals(1, received.size(), "reads after the pause");
        assertEquals(List.of(Interest.READ, Interest.NONE), io.changes);

        t.resumeReading(); // outside a callback
        assertEquals(List.of(Interest.READ, Interest.NONE, Interest.READ), io.changes);
        t.onReady(Interest.READ);
        assertEquals("later", received.get(1));
    }

    private static ReadinessTransport start(ScriptedSocket io, BiConsumer<Transport, ByteBuffer> onData) {
        StubLoopContext ctx = new StubLoopContext(BufferPool.readBuffers(64 * 1024), BufferPool.writeChunks(),
                ByteBuffer.allocateDirect(64 * 1024));
        ReadinessTransport t = new ReadinessTransport(ctx, io, DataProtocol.of(onData), SocketOptions.DEFAULTS,
                new LoopResources());
        t.start();
        return t;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A socket that reads what the test scripts and takes as many bytes as it is told to. */
    private static final class ScriptedSocket implements SocketIo {
        /** Each read: a {@code byte[]} of data, or an {@code Integer} result (0 would block, -1 end of stream). */
        final Deque<Object> reads = new ArrayDeque<>();
        /** Bytes the writes from here on accept in all. */
        int writable = Integer.MAX_VALUE;
        /** Each interest given that differs from the one before. */
        final List<Interest> changes = new ArrayList<>();
        boolean closed;
        private Interest interest = Interest.NONE;
        private final ByteArrayOutputStream sent = new ByteArrayOutputStream();

        String written() {
            return sent.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public int read(ByteBuffer dst) {
            Object next = reads.poll();
            if (next == null) {
                return 0;
            }
            if (next instanceof Integer) {
                return (Integer) next;
            }
            byte[] b = (byte[]) next;
            dst.put(b);
            return b.length;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(src.remaining(), writable);
            byte[] b = new byte[n];
            src.get(b);
            sent.writeBytes(b);
            writable -= n;
            return n;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            long n = 0;
            for (int i = offset; i < offset + length; i++) {
                n += write(srcs[i]);
            }
            return n;
        }

        @Override
        public void setInterest(Interest next) {
            assertTrue(!closed, "interest " + next + " given to a closed socket");
            if (next != interest) {
                interest = next;
                changes.add(next);
            }
        }

        @Override
        public void close(boolean reset) {
            closed = true;
        }

        @Override
        public void configure(SocketOptions options) {
        }

        @Override
        public boolean connect(SocketAddress remote) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean finishConnect() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void shutdownOutput() {
        }

        @Override
        public void bind(IoReadyListener listener) {
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
