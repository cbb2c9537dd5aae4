package dev.roundhouse.websocket;

import dev.roundhouse.websocket.fastpath.Masking;
import dev.roundhouse.loop.Transport;
import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * Writes RFC 6455 frames to a transport. A client masks every frame with a fresh key from a
 * {@link SecureRandom} (§5.3: keys must be unpredictable), drawn 4 bytes at a time from a
 * per-connection pool so that a frame costs no system call. Small frames are assembled in one
 * scratch buffer and written with a single {@code write}; large ones are written as header then
 * payload (a server) or masked in scratch-sized chunks (a client). Allocates nothing per frame
 * except for payloads in direct buffers.
 *
 * <p><b>Thread:</b> not thread-safe; the connection's loop thread.
 */
final class FrameEncoder {
    private static final SecureRandom KEYS = new SecureRandom();
    private static final int SCRATCH_BYTES = 8 * 1024;

    private final boolean client;
    private final byte[] scratch = new byte[SCRATCH_BYTES];
    private final ByteBuffer scratchBuffer = ByteBuffer.wrap(scratch);
    private final byte[] keyPool;
    private int keyPos;

    FrameEncoder(boolean client) {
        this.client = client;
        this.keyPool = client ? new byte[256] : null;
        this.keyPos = client ? 256 : 0;
    }

    /** The frame size on the wire for a payload of {@code len} bytes. */
    long frameBytes(long len) {
        return headerBytes(len) + len;
    }

    private int headerBytes(long len) {
        return (len < 126 ? 2 : len <= 0xFFFF ? 4 : 10) + (client ? 4 : 0);
    }

    /**
     * Writes one frame.
     *
     * @return {@code false} if the transport is already lost
     */
    boolean write(Transport transport, int opcode, boolean fin, boolean rsv1, byte[] payload, int off, int len) {
        int key = client ? nextKey() : 0;
        int h = encodeHeader(opcode, fin, rsv1, len, key);
        if (h + len <= SCRATCH_BYTES) {
            System.arraycopy(payload, off, scratch, h, len);
            if (client) {
                Masking.mask(scratch, h, len, key, 0);
            }
            return transport.write(scratchBuffer.clear().limit(h + len));
        }
        if (!transport.write(scratchBuffer.clear().limit(h))) {
            return false;
        }
        if (!client) {
            return transport.write(ByteBuffer.wrap(payload, off, len));
        }
        for (int done = 0; done < len; ) {
            int n = Math.min(SCRATCH_BYTES, len - done);
            Masking.maskCopy(payload, off + done, scratch, 0, n, key, done);
            if (!transport.write(scratchBuffer.clear().limit(n))) {
                return false;
            }
            done += n;
        }
        return true;
    }

    private int encodeHeader(int opcode, boolean fin, boolean rsv1, int len, int key) {
        byte[] s = scratch;
        s[0] = (byte) ((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
        int maskBit = client ? 0x80 : 0;
        int p;
        if (len < 126) {
            s[1] = (byte) (maskBit | len);
            p = 2;
        } else if (len <= 0xFFFF) {
            s[1] = (byte) (maskBit | 126);
            s[2] = (byte) (len >>> 8);
            s[3] = (byte) len;
            p = 4;
        } else {
            s[1] = (byte) (maskBit | 127);
            for (int i = 0; i < 8; i++) {
                s[2 + i] = (byte) ((long) len >>> (56 - 8 * i));
            }
            p = 10;
        }
        if (client) {
            s[p] = (byte) (key >>> 24);
            s[p + 1] = (byte) (key >>> 16);
            s[p + 2] = (byte) (key >>> 8);
            s[p + 3] = (byte) key;
            p += 4;
        }
        return p;
    }

    private int nextKey() {
        if (keyPos == keyPool.length) {
            KEYS.nextBytes(keyPool);
            keyPos = 0;
        }
        int k = ((keyPool[keyPos] & 0xFF) << 24) | ((keyPool[keyPos + 1] & 0xFF) << 16)
                | ((keyPool[keyPos + 2] & 0xFF) << 8) | (keyPool[keyPos + 3] & 0xFF);
        keyPos += 4;
        return k;
    }
}
