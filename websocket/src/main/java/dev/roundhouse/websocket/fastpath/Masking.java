package dev.roundhouse.websocket.fastpath;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * RFC 6455 §5.3 masking, eight bytes at a time: the 4-byte key is spread over a {@code long}
 * and XORed in one {@code long} load/store per 8 payload bytes (through a byte-array view
 * {@link VarHandle} in a loop the JIT vectorizes, or a direct buffer's {@code getLong}), with a
 * byte loop for the tail. Masking and unmasking are the same operation.
 *
 * <p>Why longs: Netty measured up to 50% over int-at-a-time by going to long (Netty PR #2955,
 * #12651); plain Java stays ahead of native calls for small buffers (ws PR #1348). The reference
 * {@link MaskingReference} is the byte-at-a-time definition the tests compare against.
 *
 * <p><b>Thread:</b> stateless, any thread. Allocates nothing.
 */
public final class Masking {
    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Masking() {
    }

    /**
     * XORs {@code buf[off, off+len)} with the mask key, in place.
     *
     * @param key the 4 key bytes in wire order, big-endian ({@code key >>> 24} is the first byte)
     * @param keyOffset how many payload bytes precede {@code off} in the frame (only {@code & 3}
     *     matters), so that a payload can be unmasked in chunks
     * @throws IndexOutOfBoundsException if the range is outside {@code buf}
     */
    public static void mask(byte[] buf, int off, int len, int key, long keyOffset) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        int rotated = Integer.rotateLeft(key, (int) (keyOffset & 3) * 8);
        // Little-endian long: byte i of the array sees bits 8i..8i+7, so put wire byte 0 lowest.
        int le = Integer.reverseBytes(rotated);
        long wide = (le & 0xFFFFFFFFL) | ((long) le << 32);
        // One long per step with a stride-1 counter, in a loop of its own: C2 can vectorize this
        // form (SuperWord), never the former 4-longs-per-step unroll (stride 32). Whether it does
        // depends on the compilation: up to ~110 GB/s at 1 MiB in a plain loop on JDK 17, but
        // ~37-45 GB/s (1 KiB, 1 MiB) in JMH's MaskingBenchmark, ~19-22 before; JDK 25: ~100-108.
        int longs = len >>> 3;
        xorLongs(buf, off, longs, wide);
        for (int i = off + (longs << 3), end = off + len, k = 0; i < end; i++, k++) {
            buf[i] ^= (byte) (rotated >>> (24 - 8 * (k & 3)));
        }
    }

    /**
     * XORs the buffer's remaining bytes with the mask key, in place, heap or direct; the position,
     * limit and byte order are left as they were.
     *
     * <p>Direct buffers: absolute {@code getLong}/{@code putLong}, one long per stride-1 step, with
     * the buffer switched to the platform's byte order for the duration (restored in a
     * {@code finally}), because in a big-endian buffer, the default, every long costs two byte swaps.
     * Plain loop, 1 MiB direct: 12.6 GB/s big-endian, 23.7 GB/s native order on JDK 17 (12.7 and
     * 44.4 on JDK 25). C2 does not vectorize either. A {@code LongBuffer} view would be vectorized,
     * but escape analysis did not always remove the view (56 B per call at 1 MiB in
     * {@code MaskingDirectBenchmark -prof gc}), so it is not used. As with the contents, no other
     * thread may use this buffer object meanwhile (its duplicates and views are unaffected).
     *
     * @throws java.nio.ReadOnlyBufferException if the buffer is read-only
     */
    public static void mask(java.nio.ByteBuffer buf, int key, long keyOffset) {
        if (buf.hasArray()) {
            mask(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining(), key, keyOffset);
            return;
        }
        if (buf.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        int rotated = Integer.rotateLeft(key, (int) (keyOffset & 3) * 8);
        ByteOrder callerOrder = buf.order();
        ByteOrder fast = ByteOrder.nativeOrder();
        int wireOrder = fast == ByteOrder.BIG_ENDIAN ? rotated : Integer.reverseBytes(rotated);
        long wide = (wireOrder & 0xFFFFFFFFL) | ((long) wireOrder << 32);
        int off = buf.position();
        int longs = buf.remaining() >>> 3;
        buf.order(fast);
        try {
            for (int j = 0; j < longs; j++) {
                int i = off + (j << 3);
                buf.putLong(i, buf.getLong(i) ^ wide);
            }
        } finally {
            buf.order(callerOrder);
        }
        for (int i = off + (longs << 3), end = buf.limit(), k = 0; i < end; i++, k++) {
            buf.put(i, (byte) (buf.get(i) ^ (byte) (rotated >>> (24 - 8 * (k & 3)))));
        }
    }

    private static void xorLongs(byte[] buf, int off, int longs, long wide) {
        for (int j = 0; j < longs; j++) {
            int i = off + (j << 3);
            LONGS.set(buf, i, (long) LONGS.get(buf, i) ^ wide);
        }
    }

    /** Copies {@code len} bytes from {@code src} to {@code dst} and masks the copy. */
    public static void maskCopy(byte[] src, int srcOff, byte[] dst, int dstOff, int len, int key, long keyOffset) {
        System.arraycopy(src, srcOff, dst, dstOff, len);
        mask(dst, dstOff, len, key, keyOffset);
    }
}
