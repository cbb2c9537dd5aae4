package dev.roundhouse.websocket.fastpath;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MaskingTest {

    /** The long-at-a-time masking equals the byte-at-a-time definition for every length, offset and key phase. */
    @Test
    void shouldMatchReferenceOnEveryShortShape() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int len = 0; len <= 70; len++) {
            for (int off = 0; off < 9; off++) {
                for (int phase = 0; phase < 5; phase++) {
                    byte[] data = random(rnd, off + len + 3);
                    int key = rnd.nextInt();
                    byte[] fast = data.clone();
                    byte[] ref = data.clone();
                    Masking.mask(fast, off, len, key, phase);
                    MaskingReference.mask(ref, off, len, key, phase);
                    assertArrayEquals(ref, fast, "len=" + len + " off=" + off + " phase=" + phase);
                }
            }
        }
    }

    /** Masking a payload in arbitrary chunks, passing each chunk's payload offset, equals masking it whole. */
    @Test
    void shouldMaskInChunksLikeWhole() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int round = 0; round < 500; round++) {
            byte[] data = random(rnd, rnd.nextInt(1, 5000));
            int key = rnd.nextInt();
            byte[] whole = data.clone();
            MaskingReference.mask(whole, 0, whole.length, key, 0);
            byte[] chunked = data.clone();
            int pos = 0;
            while (pos < chunked.length) {
                int n = Math.min(chunked.length - pos, rnd.nextInt(1, 40));
                Masking.mask(chunked, pos, n, key, pos);
                pos += n;
            }
            assertArrayEquals(whole, chunked);
        }
    }

    /** Masking twice restores the input (XOR is an involution), also on a 1 MiB buffer. */
    @Test
    void shouldRoundTripLargeBuffer() {
        byte[] data = random(new SplittableRandom(1), 1 << 20);
        byte[] copy = data.clone();
        Masking.mask(copy, 0, copy.length, 0xCAFEBABE, 3);
        Masking.mask(copy, 0, copy.length, 0xCAFEBABE, 3);
        assertArrayEquals(data, copy);
    }

    /** The ByteBuffer form (direct and heap, any position) equals the reference. */
    @Test
    void shouldMaskDirectAndHeapBuffersLikeReference() {
        SplittableRandom rnd = new SplittableRandom(77);
        for (int round = 0; round < 2000; round++) {
            int len = rnd.nextInt(0, 100);
            int pos = rnd.nextInt(0, 9);
            byte[] data = random(rnd, pos + len);
            int key = rnd.nextInt();
            long phase = rnd.nextInt(4);
            byte[] ref = data.clone();
            MaskingReference.mask(ref, pos, len, key, phase);
            java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(data.length).put(data);
            direct.position(pos).limit(pos + len);
            Masking.mask(direct, key, phase);
            byte[] got = new byte[data.length];
            direct.clear().get(got);
            assertArrayEquals(ref, got);
            java.nio.ByteBuffer heap = java.nio.ByteBuffer.wrap(data.clone(), pos, len);
            Masking.mask(heap, key, phase);
            assertArrayEquals(ref, heap.array());
        }
    }

    /** Out-of-range arguments are rejected rather than corrupting memory around the range. */
    @Test
    void shouldRejectRangesOutsideTheArray() {
        assertThrows(IndexOutOfBoundsException.class, () -> Masking.mask(new byte[8], 4, 5, 1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Masking.mask(new byte[8], -1, 2, 1, 0));
    }

    static byte[] random(SplittableRandom rnd, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) rnd.nextInt();
        }
        return b;
    }
}
