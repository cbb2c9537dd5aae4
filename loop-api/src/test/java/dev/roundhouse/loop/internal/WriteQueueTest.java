package dev.roundhouse.loop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class WriteQueueTest {

    /** Random writes drained by a sink that takes random amounts reproduce the byte stream exactly. */
    @Test
    void shouldDeliverBytesInOrderThroughPartialWrites() throws Exception {
        Random rnd = new Random(7);
        BufferPool chunks = BufferPool.writeChunks();
        WriteQueue q = new WriteQueue(chunks);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        ByteArrayOutputStream actual = new ByteArrayOutputStream();
        WriteQueue.GatheringSink sink = (srcs, off, len) -> {
            long budget = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(70_000);
            long took = 0;
            for (int i = off; i < off + len && took < budget; i++) {
                ByteBuffer b = srcs[i];
                int n = (int) Math.min(b.remaining(), budget - took);
                byte[] chunk = new byte[n];
                b.get(chunk);
                actual.write(chunk);
                took += n;
            }
            return took;
        };
        for (int i = 0; i < 5_000; i++) {
            byte[] data = new byte[rnd.nextInt(10) == 0 ? rnd.nextInt(100_000) : rnd.nextInt(300)];
            rnd.nextBytes(data);
            expected.write(data);
            ByteBuffer src = ByteBuffer.wrap(data);
            q.add(src);
            assertEquals(0, src.remaining());
            if (rnd.nextBoolean()) {
                q.writeTo(sink);
            }
            assertEquals(expected.size() - actual.size(), q.size());
        }
        while (!q.isEmpty()) {
            q.writeTo(sink);
        }
        assertArrayEquals(expected.toByteArray(), actual.toByteArray());
        assertTrue(q.isEmpty());
        assertEquals(0, chunks.out(), "every drained chunk went back");
        assertTrue(chunks.free() > 0);
    }

    /** Drained chunks are reused: a steady stream of writes allocates no new buffer. */
    @Test
    void shouldReuseDrainedChunks() throws Exception {
        BufferPool chunks = BufferPool.writeChunks();
        WriteQueue q = new WriteQueue(chunks);
        java.util.Set<ByteBuffer> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        WriteQueue.GatheringSink sink = (srcs, off, len) -> {
            long took = 0;
            for (int i = off; i < off + len; i++) {
                assertTrue(srcs[i].isDirect(), "a chunk within the budget is direct");
                seen.add(srcs[i]);
                took += srcs[i].remaining();
                srcs[i].position(srcs[i].limit());
            }
            return took;
        };
        byte[] data = new byte[40_000]; // three chunks per write
        for (int i = 0; i < 1_000; i++) {
            q.add(ByteBuffer.wrap(data));
            q.writeTo(sink);
        }
        assertEquals(3, seen.size(), "buffers allocated over 1,000 writes");
        assertEquals(0, chunks.out());
        assertEquals(3, chunks.free());
    }

    /** Past the loop's budget the queue copies into heap buffers; the bytes are the same. */
    @Test
    void shouldFallBackToHeapPastTheDirectBudget() throws Exception {
        BufferPool chunks = BufferPool.writeChunks();
        WriteQueue q = new WriteQueue(chunks);
        int direct = 1024 * BufferPool.WRITE_CHUNK_BYTES;
        byte[] data = new byte[direct + 100_000];
        new Random(3).nextBytes(data);
        q.add(ByteBuffer.wrap(data));
        assertEquals(1024, chunks.out());
        assertEquals(null, chunks.take(), "the budget is spent");
        ByteArrayOutputStream actual = new ByteArrayOutputStream();
        int[] heap = new int[1];
        q.writeTo((srcs, off, len) -> {
            long took = 0;
            for (int i = off; i < off + len; i++) {
                if (!srcs[i].isDirect()) {
                    heap[0]++;
                }
                byte[] b = new byte[srcs[i].remaining()];
                srcs[i].get(b);
                actual.write(b);
                took += b.length;
            }
            return took;
        });
        assertArrayEquals(data, actual.toByteArray());
        assertEquals(1, heap[0], "one heap buffer holds what did not fit the budget");
        assertEquals(0, chunks.out());
        assertEquals(64, chunks.free(), "the free list is bounded");
    }

    /**
     * clear() gives the chunks back to the budget but never for reuse: an aborted completion
     * backend's write may still be reading them.
     */
    @Test
    void shouldNotReuseChunksDroppedByClear() {
        BufferPool chunks = BufferPool.writeChunks();
        WriteQueue q = new WriteQueue(chunks);
        q.add(ByteBuffer.wrap(new byte[50_000]));
        assertEquals(4, chunks.out());
        q.clear();
        assertEquals(0, chunks.out());
        assertEquals(0, chunks.free());
        assertTrue(q.isEmpty());
    }

    @Test
    void shouldIgnoreBuffersItDidNotHandOut() {
        BufferPool chunks = BufferPool.writeChunks();
        ByteBuffer mine = chunks.take();
        chunks.giveBack(ByteBuffer.allocate(BufferPool.WRITE_CHUNK_BYTES), true);
        chunks.giveBack(ByteBuffer.allocateDirect(100), true);
        assertEquals(1, chunks.out());
        chunks.giveBack(mine, true);
        assertEquals(0, chunks.out());
        assertEquals(1, chunks.free());
    }

    /** Read-buffer budgets are bytes: a large read buffer size means few buffers, never none. */
    @Test
    void shouldBudgetReadBuffersInBytes() {
        BufferPool small = BufferPool.readBuffers(64 * 1024);
        for (int i = 0; i < 1024; i++) {
            assertTrue(small.take() != null, "buffer " + i);
        }
        assertEquals(null, small.take(), "64 MiB lent at the default size");
        BufferPool large = BufferPool.readBuffers(16 << 20);
        for (int i = 0; i < 4; i++) {
            assertTrue(large.take() != null);
        }
        assertEquals(null, large.take(), "64 MiB lent at the largest size");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> BufferPool.readBuffers(0));
    }
}
