package dev.roundhouse.websocket.fastpath;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Incremental UTF-8 validation (RFC 3629) with an ASCII skip of 16, then 8 bytes at a time, and Björn Höhrmann's DFA
 * ("Flexible and Economical UTF-8 Decoder", the table Autobahn's nvx also uses). The state is a
 * plain {@code int} the caller carries from one fragment to the next, so invalid input fails on
 * the first byte that makes it invalid, even in the middle of a message split across frames.
 *
 * <p>Usage: {@code state = ACCEPT; for each chunk: state = validate(state, ...); if (state ==
 * REJECT) fail; at the end of the message: state == ACCEPT}, otherwise the text ended inside a
 * sequence.
 *
 * <p><b>Thread:</b> stateless, any thread. Allocates nothing.
 */
public final class Utf8Validator {
    /** The state between complete characters: the input so far is valid and complete. */
    public static final int ACCEPT = 0;
    /** The sink state: the input is invalid; it stays here. */
    public static final int REJECT = 12;

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BUFFER_LONGS =
            MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    /** Byte → character class (Höhrmann's first table). */
    private static final byte[] CLASS = new byte[256];
    /** (state + class) → next state, states pre-multiplied by 12 (Höhrmann's second table). */
    private static final byte[] TRANSITION = {
        0, 12, 24, 36, 60, 96, 84, 12, 12, 12, 48, 72, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,
        12, 0, 12, 12, 12, 12, 12, 0, 12, 0, 12, 12, 12, 24, 12, 12, 12, 12, 12, 24, 12, 24, 12, 12,
        12, 12, 12, 12, 12, 12, 12, 24, 12, 12, 12, 12, 12, 24, 12, 12, 12, 12, 12, 12, 12, 24, 12, 12,
        12, 12, 12, 12, 12, 12, 12, 36, 12, 36, 12, 12, 12, 36, 12, 12, 12, 12, 12, 36, 12, 36, 12, 12,
        12, 36, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,
    };

    static {
        fill(0x80, 0x8F, 1);
        fill(0x90, 0x9F, 9);
        fill(0xA0, 0xBF, 7);
        fill(0xC0, 0xC1, 8);
        fill(0xC2, 0xDF, 2);
        fill(0xE0, 0xE0, 10);
        fill(0xE1, 0xEC, 3);
        fill(0xED, 0xED, 4);
        fill(0xEE, 0xEF, 3);
        fill(0xF0, 0xF0, 11);
        fill(0xF1, 0xF3, 6);
        fill(0xF4, 0xF4, 5);
        fill(0xF5, 0xFF, 8);
    }

    private Utf8Validator() {
    }

    private static void fill(int from, int to, int cls) {
        for (int b = from; b <= to; b++) {
            CLASS[b] = (byte) cls;
        }
    }

    /**
     * Advances {@code state} over {@code buf[off, off+len)}.
     *
     * @return the new state: {@link #REJECT} as soon as a byte makes the input invalid (the rest is
     *     not read), {@link #ACCEPT} at a character boundary, another value inside a character
     */
    public static int validate(int state, byte[] buf, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        int i = off;
        int end = off + len;
        while (i < end) {
            if (state == ACCEPT) {
                // ASCII skip: 16 bytes per test (two longs ORed, as nvx skips 16), then 8, then 1.
                for (int pairEnd = end - 15; i < pairEnd
                        && (((long) LONGS.get(buf, i) | (long) LONGS.get(buf, i + 8)) & HIGH_BITS) == 0; ) {
                    i += 16;
                }
                int longEnd = end - 7;
                while (i < longEnd && ((long) LONGS.get(buf, i) & HIGH_BITS) == 0) {
                    i += 8;
                }
                while (i < end && buf[i] >= 0) {
                    i++;
                }
                if (i == end) {
                    return ACCEPT;
                }
            }
            state = TRANSITION[state + CLASS[buf[i] & 0xFF]];
            if (state == REJECT) {
                return REJECT;
            }
            i++;
        }
        return state;
    }

    /**
     * Advances {@code state} over the buffer's remaining bytes (heap or direct) without moving its
     * position. Same contract as {@link #validate(int, byte[], int, int)}.
     */
    public static int validate(int state, java.nio.ByteBuffer buf) {
        if (buf.hasArray()) {
            return validate(state, buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
        }
        int i = buf.position();
        int end = buf.limit();
        while (i < end) {
            if (state == ACCEPT) {
                for (int pairEnd = end - 15; i < pairEnd
                        && (((long) BUFFER_LONGS.get(buf, i) | (long) BUFFER_LONGS.get(buf, i + 8)) & HIGH_BITS) == 0; ) {
                    i += 16;
                }
                int longEnd = end - 7;
                while (i < longEnd && ((long) BUFFER_LONGS.get(buf, i) & HIGH_BITS) == 0) {
                    i += 8;
                }
                while (i < end && buf.get(i) >= 0) {
                    i++;
                }
                if (i == end) {
                    return ACCEPT;
                }
            }
            state = TRANSITION[state + CLASS[buf.get(i) & 0xFF]];
            if (state == REJECT) {
                return REJECT;
            }
            i++;
        }
        return state;
    }

    /** Whether {@code buf[off, off+len)} is complete, valid UTF-8 on its own. */
    public static boolean isValid(byte[] buf, int off, int len) {
        return validate(ACCEPT, buf, off, len) == ACCEPT;
    }
}
