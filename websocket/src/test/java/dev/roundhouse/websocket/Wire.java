package dev.roundhouse.websocket;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A deliberately separate, plain frame writer and reader for tests, so that our codec is checked
 * against code that shares nothing with it.
 */
final class Wire {
    private Wire() {
    }

    record Frame(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : CloseCodes.NO_STATUS;
        }
    }

    /** Encodes a frame; {@code mask} null means unmasked. */
    static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload, byte[] mask) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        int m = mask == null ? 0 : 0x80;
        int n = payload.length;
        if (n < 126) {
            out.write(m | n);
        } else if (n < 65536) {
            out.write(m | 126);
            out.write(n >>> 8);
            out.write(n);
        } else {
            out.write(m | 127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) ((long) n >>> (8 * i)));
            }
        }
        if (mask != null) {
            out.write(mask, 0, 4);
            byte[] p = payload.clone();
            for (int i = 0; i < p.length; i++) {
                p[i] ^= mask[i & 3];
            }
            out.write(p, 0, p.length);
        } else {
            out.write(payload, 0, n);
        }
        return out.toByteArray();
    }

    static byte[] randomMask() {
        byte[] m = new byte[4];
        ThreadLocalRandom.current().nextBytes(m);
        return m;
    }

    /** A client frame (masked). */
    static byte[] client(boolean fin, int opcode, byte[] payload) {
        return frame(fin, 0, opcode, payload, randomMask());
    }

    static byte[] closePayload(int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[2 + r.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, r.length);
        return p;
    }

    /** Reads one frame, unmasking it; throws EOFException at end of stream. */
    static Frame read(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int b0 = d.read();
        if (b0 < 0) {
            throw new EOFException("end of stream");
        }
        int b1 = d.readUnsignedByte();
        long len = b1 & 0x7F;
        if (len == 126) {
            len = d.readUnsignedShort();
        } else if (len == 127) {
            len = d.readLong();
        }
        byte[] mask = null;
        if ((b1 & 0x80) != 0) {
            mask = new byte[4];
            d.readFully(mask);
        }
        byte[] p = new byte[(int) len];
        d.readFully(p);
        if (mask != null) {
            for (int i = 0; i < p.length; i++) {
                p[i] ^= mask[i & 3];
            }
        }
        return new Frame((b0 & 0x80) != 0, (b0 >>> 4) & 7, b0 & 0xF, mask != null, p);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }
}
