package dev.roundhouse.loop.iouring;

import io.netty.channel.unix.Buffer;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The native addresses of the direct buffers a loop writes from, remembered per buffer. Netty's
 * {@code Buffer.memoryAddress} reads a field through {@code Unsafe} where it may, but on JDK 24 and
 * later Netty leaves {@code Unsafe} alone and goes through {@code MemorySegment.ofBuffer}, which
 * allocates two objects per call: once per write buffer per write, measured at 46-87 bytes per
 * echoed message on Temurin 25. The loop's write chunks are pooled, so the same few buffers come
 * back again and again.
 *
 * <p>Direct-mapped by identity hash, no allocation on a hit; it holds at most {@value #SIZE}
 * buffers strongly (those the loop wrote from last), which only delays their collection.
 *
 * <p><b>Thread:</b> the loop thread only.
 */
final class AddressCache {
    static final int SIZE = 256;
    private final ByteBuffer[] buffers = new ByteBuffer[SIZE];
    private final long[] addresses = new long[SIZE];

    /** The address of {@code b}'s first byte (not of its position). */
    long addressOf(ByteBuffer b) {
        int i = System.identityHashCode(b) & (SIZE - 1);
        if (buffers[i] != b) {
            addresses[i] = Buffer.memoryAddress(b);
            buffers[i] = b;
        }
        return addresses[i];
    }

    /** Forgets every buffer (the loop is ending). */
    void clear() {
        Arrays.fill(buffers, null);
    }
}
