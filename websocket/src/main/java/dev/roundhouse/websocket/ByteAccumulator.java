package dev.roundhouse.websocket;

import java.nio.ByteBuffer;

/**
 * A growable byte array reused from message to message (it never shrinks below what the largest
 * message needed, up to the limit, so steady traffic allocates nothing), with a reusable
 * {@link ByteBuffer} view for handing messages to callbacks.
 */
final class ByteAccumulator {
    private byte[] buf;
    private int size;
    private ByteBuffer view;

    ByteAccumulator(int initialBytes) {
        buf = new byte[initialBytes];
        view = ByteBuffer.wrap(buf);
    }

    byte[] array() {
        return buf;
    }

    int size() {
        return size;
    }

    void clear() {
        size = 0;
    }

    void setSize(int n) {
        size = n;
    }

    /** Appends bytes; the caller has checked the limit. */
    void append(byte[] src, int off, int len) {
        ensureSpare(len);
        System.arraycopy(src, off, buf, size, len);
        size += len;
    }

    /** Ensures at least {@code n} bytes of spare capacity after {@link #size()}. */
    void ensureSpare(int n) {
        long need = (long) size + n;
        if (need > buf.length) {
            long cap = Math.max(need, Math.min(Integer.MAX_VALUE - 8, (long) buf.length * 2));
            buf = java.util.Arrays.copyOf(buf, (int) cap);
            view = ByteBuffer.wrap(buf);
        }
    }

    /** A view of the content, valid until the next change. */
    ByteBuffer view() {
        return view.clear().limit(size);
    }
}
