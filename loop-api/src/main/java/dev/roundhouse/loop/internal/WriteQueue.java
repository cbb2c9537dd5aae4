package dev.roundhouse.loop.internal;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The bytes a transport accepted but the OS has not taken yet: copies, in order, in chunks of
 * {@link BufferPool#WRITE_CHUNK_BYTES}. Writes fill the tail chunk before a new one is started, so many
 * tiny writes do not mean many buffers. Chunks are direct buffers from the loop's
 * write-chunk {@link BufferPool} (given back as they drain) while its budget lasts, else heap buffers.
 * A buffer handed over with {@link #addKept} is queued as it is, between the chunks, and given back
 * to its own pool once drained. Loop thread only.
 */
public final class WriteQueue {
    /** At most this many buffers per gathering write (well under IOV_MAX = 1024). */
    private static final int MAX_GATHER = 64;

    /** A gathering write: the OS side of {@link #writeTo}. */
    @FunctionalInterface
    public interface GatheringSink {
        /** Writes from {@code srcs[offset, offset+length)}; returns bytes written (0 if it would block). */
        long write(ByteBuffer[] srcs, int offset, int length) throws IOException;
    }

    private final BufferPool chunks;
    /** The chunks in order: a ring indexed without iterators (an iterator per write allocates on JDK 25). */
    private ByteBuffer[] ring = new ByteBuffer[16];
    /** Parallel to {@link #ring}: the pool of a kept buffer, {@code null} for a chunk of {@link #chunks}. */
    private BufferPool[] owners = new BufferPool[16];
    private int head;
    private int count;
    private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER];
    private ByteBuffer tail; // the last chunk, in write mode (position = end of data)
    private long bytes;

    /**
     * @param chunks the loop's write-chunk pool
     * @throws NullPointerException if {@code chunks} is null
     */
    public WriteQueue(BufferPool chunks) {
        this.chunks = java.util.Objects.requireNonNull(chunks, "chunks");
    }

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
        while (src.hasRemaining()) {
            if (tail == null || !tail.hasRemaining()) {
                if (tail != null) {
                    tail.flip();
                }
                tail = newChunk(src.remaining());
                addLast(tail);
            }
            int k = Math.min(tail.remaining(), src.remaining());
            tail.put(tail.position(), src, src.position(), k);
            tail.position(tail.position() + k);
            src.position(src.position() + k);
        }
    }

    /**
     * Queues {@code kept}'s remaining bytes without copying them: the queue holds {@code kept} itself
     * (moving its position as bytes are sent) until they are sent, then gives it back to
     * {@code owner}; {@link #clear} gives it back as never to be reused. The caller hands it over:
     * it must not use {@code kept} or change the memory under it afterwards.
     *
     * @throws NullPointerException if an argument is null
     */
    public void addKept(ByteBuffer kept, BufferPool owner) {
        java.util.Objects.requireNonNull(owner, "owner");
        int n = kept.remaining();
        if (n == 0) {
            owner.giveBack(kept, true);
            return;
        }
        if (tail != null) {
            tail.flip(); // what was copied before goes first; a later add starts a new chunk
            tail = null;
        }
        bytes += n;
        addLast(kept);
        owners[(head + count - 1) & (ring.length - 1)] = owner;
    }

    /** A direct chunk while the loop's budget lasts, else a heap buffer big enough for {@code want}. */
    private ByteBuffer newChunk(int want) {
        ByteBuffer c = chunks.take();
        return c != null ? c : ByteBuffer.allocate(Math.max(BufferPool.WRITE_CHUNK_BYTES, want));
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
        while (count > 0) {
            int n = Math.min(count, MAX_GATHER);
            for (int i = 0; i < n; i++) {
                gather[i] = ring[(head + i) & (ring.length - 1)];
            }
            long want = 0;
            for (int i = 0; i < n; i++) {
                want += gather[i].remaining();
            }
            long written = sink.write(gather, 0, n);
            java.util.Arrays.fill(gather, 0, n, null);
            total += written;
            bytes -= written;
            while (count > 0 && !ring[head].hasRemaining()) {
                giveBackFirst(true); // written: no operation reads it any more
            }
            if (written < want) {
                break;
            }
        }
        return total;
    }

    /**
     * Drops everything. The chunks leave the loop's budget but are not reused: a write of them may
     * still be in flight (a completion backend's connection aborted mid-write).
     */
    public void clear() {
        while (count > 0) {
            giveBackFirst(false);
        }
        head = 0;
        tail = null;
        bytes = 0;
    }

    private void addLast(ByteBuffer b) {
        if (count == ring.length) {
            ByteBuffer[] bigger = new ByteBuffer[ring.length * 2];
            BufferPool[] biggerOwners = new BufferPool[ring.length * 2];
            for (int i = 0; i < count; i++) {
                bigger[i] = ring[(head + i) & (ring.length - 1)];
                biggerOwners[i] = owners[(head + i) & (ring.length - 1)];
            }
            ring = bigger;
            owners = biggerOwners;
            head = 0;
        }
        ring[(head + count) & (ring.length - 1)] = b;
        count++;
    }

    /** Takes the first buffer off and gives it back to its pool ({@code reuse}: see {@link BufferPool#giveBack}). */
    private void giveBackFirst(boolean reuse) {
        ByteBuffer b = ring[head];
        BufferPool owner = owners[head];
        ring[head] = null;
        owners[head] = null;
        head = (head + 1) & (ring.length - 1);
        count--;
        (owner != null ? owner : chunks).giveBack(b, reuse);
    }
}
