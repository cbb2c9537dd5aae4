package dev.roundhouse.websocket.fastpath;

/**
 * The byte-at-a-time definition of RFC 6455 §5.3 masking: {@code out[i] = in[i] ^ key[(j) % 4]}
 * where {@code j} is the byte's index in the frame payload. Kept beside {@link Masking} so that
 * tests and benchmarks can compare the two.
 *
 * <p><b>Thread:</b> stateless, any thread.
 */
public final class MaskingReference {
    private MaskingReference() {
    }

    /** Same contract as {@link Masking#mask(byte[], int, int, int, long)}. */
    public static void mask(byte[] buf, int off, int len, int key, long keyOffset) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        for (int i = 0; i < len; i++) {
            int j = (int) ((keyOffset + i) & 3);
            buf[off + i] ^= (byte) (key >>> (24 - 8 * j));
        }
    }
}
