package dev.roundhouse.loop.internal;

import java.nio.ByteBuffer;

/**
 * Direct buffers of one size for one loop: a free list and a budget.
 *
 * <p><b>Why.</b> Allocating a direct buffer is slow (zeroed native memory, a cleaner, and near the
 * direct-memory limit a {@code System.gc()} inside {@code allocateDirect}), and it is freed only
 * when the collector finds it. Heap buffers are cheap to allocate but cost a copy on every
 * channel operation: the JDK moves their bytes through a temporary direct buffer. A loop that
 * reuses its own direct buffers pays neither. The engine keeps two pools per loop:
 * <ul>
 *   <li>{@link #writeChunks()}: 16 KiB chunks for the write queues ({@link WriteQueue}), where the
 *       bytes a transport could not hand to the OS at once are copied (on iocp every write);
 *   <li>{@link #readBuffers(int)}: per-connection read buffers for completion backends, whose
 *       reads are in flight per connection and cannot share the loop's read buffer.
 * </ul>
 *
 * <p><b>Limits.</b> At most {@code maxOut} buffers are out at once; past that {@link #take} returns
 * {@code null} and the caller falls back to a heap buffer, so many slow readers or idle
 * connections cannot exhaust direct memory. Up to {@code maxFree} returned buffers are kept for
 * reuse; the rest, and all of them when the loop ends, are left to the collector (their cleaner
 * frees the memory).
 *
 * <p><b>Thread:</b> the loop thread only.
 */
public final class BufferPool {
    /** The size of a write chunk. */
    public static final int WRITE_CHUNK_BYTES = 16 * 1024;
    /** Direct read-buffer bytes a loop may lend at once. */
    private static final int READ_BYTES_OUT = 64 << 20;
    /** Direct read-buffer bytes a loop keeps for reuse. */
    private static final int READ_BYTES_KEPT = 4 << 20;

    private final int bufferBytes;
    private final int maxOut;
    private final ByteBuffer[] free;
    private int freeCount;
    private int out;
    /** The buffer of this pool a transport is delivering to its protocol now ({@link #lend}). */
    private ByteBuffer lent;
    /**
     * The buffer a write kept ({@link #keepLent}) and its lender has not yet been told of
     * ({@link #endLend}). The buffer itself, not a flag: a delivery inside another could not then
     * make the outer one believe its kept buffer was still its own.
     */
    private ByteBuffer kept;

    /** @throws IllegalArgumentException if a size or limit is not positive, or {@code maxFree > maxOut} */
    private BufferPool(int bufferBytes, int maxOut, int maxFree) {
        if (bufferBytes <= 0 || maxOut <= 0 || maxFree <= 0 || maxFree > maxOut) {
            throw new IllegalArgumentException("need 0 < maxFree <= maxOut and a positive size, got "
                    + bufferBytes + " B, maxOut " + maxOut + ", maxFree " + maxFree);
        }
        this.bufferBytes = bufferBytes;
        this.maxOut = maxOut;
        this.free = new ByteBuffer[maxFree];
    }

    /** Write-queue chunks: 16 KiB, at most 1,024 out (16 MiB), 64 kept (1 MiB). */
    public static BufferPool writeChunks() {
        return new BufferPool(WRITE_CHUNK_BYTES, 1024, 64);
    }

    /**
     * Completion reads: budgets in bytes, 64 MiB out and 4 MiB kept (1,024 and 64 buffers at the
     * default 64 KiB; 4 and 1 at the largest read buffer, 16 MiB), at least one buffer each.
     *
     * @throws IllegalArgumentException if {@code bufferBytes} is not positive
     */
    public static BufferPool readBuffers(int bufferBytes) {
        if (bufferBytes <= 0) {
            throw new IllegalArgumentException("bufferBytes must be positive, got " + bufferBytes);
        }
        int maxOut = Math.max(1, READ_BYTES_OUT / bufferBytes);
        int maxFree = Math.max(1, Math.min(64, READ_BYTES_KEPT / bufferBytes));
        return new BufferPool(bufferBytes, maxOut, maxFree);
    }

    /**
     * A cleared direct buffer of this pool's size, or {@code null} when {@code maxOut} are
     * already out (the caller falls back to a heap buffer).
     */
    public ByteBuffer take() {
        if (out >= maxOut) {
            return null;
        }
        out++;
        if (freeCount > 0) {
            ByteBuffer b = free[--freeCount];
            free[freeCount] = null;
            return b.clear();
        }
        return ByteBuffer.allocateDirect(bufferBytes);
    }

    /**
     * Gives back a buffer its holder no longer uses; anything {@link #take} did not hand out (a heap
     * fallback) is ignored.
     *
     * @param reuse {@code false} if an operation may still use the buffer (a write or read in flight
     *     when its connection was aborted): it then leaves the budget but is never handed out again
     * @throws NullPointerException if {@code buffer} is null
     */
    public void giveBack(ByteBuffer buffer, boolean reuse) {
        if (!buffer.isDirect() || buffer.capacity() != bufferBytes || out == 0) {
            return;
        }
        out--;
        if (reuse && freeCount < free.length) {
            free[freeCount++] = buffer;
        }
    }

    /** Whether {@link #take} would hand out a direct buffer now (the budget is not spent). */
    public boolean canTake() {
        return out < maxOut;
    }

    /**
     * Marks {@code buffer}, one of this pool's, as the one a transport is delivering to its
     * protocol now: until {@link #endLend}, a write of that very object to any transport of the
     * loop may keep it ({@link #keepLent}). Deliveries do not nest (a delivery's writes only
     * post); one that did would end the outer lending early, which only costs a copy.
     */
    public void lend(ByteBuffer buffer) {
        lent = buffer;
    }

    /**
     * Ends the delivery of {@code buffer} begun by {@link #lend}.
     *
     * @return {@code true} if a write kept {@code buffer}: the lender no longer owns it (it comes
     *     back to this pool once sent) and must read into another next
     */
    public boolean endLend(ByteBuffer buffer) {
        lent = null;
        if (kept != buffer) {
            return false;
        }
        kept = null;
        return true;
    }

    /**
     * Hands the lent buffer over to a write queue if {@code data} is that very object, has
     * {@code minBytes} or more remaining, and this pool could replace it for the lender's next read.
     *
     * @return a view of {@code data} (same memory, position and limit) for the queue, which gives
     *     it back to this pool once sent; {@code null} if the bytes are to be copied
     */
    public ByteBuffer keepLent(ByteBuffer data, int minBytes) {
        if (data != lent || data.remaining() < minBytes || !canTake()) {
            return null;
        }
        lent = null; // kept once: a second write of the same bytes is copied
        kept = data;
        return data.duplicate();
    }

    /** Buffers taken and not given back yet. Loop thread (tests and diagnostics). */
    public int out() {
        return out;
    }

    /** Returned buffers waiting for reuse. Loop thread (tests and diagnostics). */
    public int free() {
        return freeCount;
    }
}
