package dev.roundhouse.loop.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The bytes a transport accepted but the OS has not taken yet: copies, in order. Small writes are
 * appended into the tail chunk so that many tiny writes do not mean many buffers.
 * Loop thread only.
 */
public final class WriteQueue {
    /** Writes smaller than this share chunks of this size. */
    static final int CHUNK_BYTES = 16 * 1024;
    /** At most this many buffers per gathering write (well under IOV_MAX = 1024). */
    private static final int MAX_GATHER = 64;

    /** A gathering write: the OS side of {@link #writeTo}. */
    @FunctionalInterface
    public interface GatheringSink {
        /** Writes from {@code srcs[offset, offset+length)}; returns bytes written (0 if it would block). */
        long write(ByteBuffer[] srcs, int offset, int length) throws IOException;
    }

    private final ArrayDeque<ByteBuffer> buffers = new ArrayDeque<>();
    private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER];
    private ByteBuffer tail; // the last chunk, in write mode (position = end of data)
    private long bytes;

    /** The number of bytes queued. */
    public long size() {
        return bytes;
    }

    public boolean isEmpty() {
        return bytes == 0;
    }

    /** Copies {@code src}'s remaining bytes in; its position moves to its limit. */
    public void add(ByteBuffer src) {
        int n = src.remaining();
        if (n == 0) {
            return;
        }
        bytes += n;
        if (tail != null && tail.remaining() >= n) {
            tail.put(src);
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate(Math.max(n, n < CHUNK_BYTES / 4 ? CHUNK_BYTES : n));
        copy.put(src);
        if (tail != null) {
            tail.flip();
        }
        buffers.addLast(copy);
        tail = copy;
    }

    /**
     * Writes as much as the sink takes.
     *
     * @return the number of bytes written
     */
    public long writeTo(GatheringSink sink) throws IOException {
        long total = 0;
        if (tail != null) {
            tail.flip();
            tail = null;
        }
        while (!buffers.isEmpty()) {
            int n = 0;
            for (ByteBuffer b : buffers) {
                gather[n++] = b;
                if (n == MAX_GATHER) {
                    break;
                }
            }
            long want = 0;
            for (int i = 0; i < n; i++) {
                want += gather[i].remaining();
            }
            long written = sink.write(gather, 0, n);
            java.util.Arrays.fill(gather, 0, n, null);
            total += written;
            bytes -= written;
            while (!buffers.isEmpty() && !buffers.peekFirst().hasRemaining()) {
                buffers.pollFirst();
            }
            if (written < want) {
                break;
            }
        }
        return total;
    }

    /** Drops everything. */
    public void clear() {
        buffers.clear();
        tail = null;
        bytes = 0;
    }
}
