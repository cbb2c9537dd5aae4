package dev.roundhouse.websocket.fastpath;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Incremental UTF-8 validation (RFC 3629): an ASCII skip of 16 bytes at a time, and for anything
 * else a shift-based DFA, one table load and one shift per byte. The state is a plain {@code int}
 * the caller carries from one fragment to the next, so invalid input fails in the middle of a
 * message split across frames, within 16 bytes of the byte that made it invalid.
 *
 * <p>The automaton is Björn Höhrmann's ("Flexible and Economical UTF-8 Decoder", the one Autobahn's
 * nvx and Netty's {@code Utf8Validator} use), with its tables kept below as the definition. They are
 * turned at class load into one {@code long} per input byte holding the next state for every
 * current state, 6 bits each (Per Vognsen's "shift-based DFA"): {@code next = ROWS[b] >>> state}.
 * Java masks a {@code long} shift count to its low 6 bits, so the state needs no masking between
 * bytes and the loop-carried dependency is a single shift, where Höhrmann's two-table form waits
 * for a load per byte. Measured with {@code Utf8Benchmark} (benchmarks module) on mixed 2/3/4-byte
 * text, 1 KiB: two-table DFA ~0.55 GB/s, byte-at-a-time reference ~0.5 GB/s, shift DFA ~3 GB/s
 * (JDK 17 and 25; BENCHMARKS.md, "WebSocket fast path").
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
    /** Bits of a shift-DFA state; the rest of the {@code long} is ignored by the next shift. */
    private static final int STATE_BITS = 0x3F;

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
    /**
     * Byte → the next state of each of the 9 states, as 6-bit fields: the field at bit {@code s}
     * holds the state that follows {@code s}. States are shift amounts (multiples of 6); Höhrmann's
     * states 0 and 1 (accept, reject) become 0 and 12 so that {@link #ACCEPT} and {@link #REJECT}
     * keep their values, and his state 2 takes 6.
     */
    private static final long[] ROWS = new long[256];

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
        for (int b = 0; b < 256; b++) {
            for (int from = 0; from < 9; from++) {
                int to = TRANSITION[from * 12 + CLASS[b]] / 12;
                ROWS[b] |= (long) shift(to) << shift(from);
            }
        }
    }

    private Utf8Validator() {
    }

    private static void fill(int from, int to, int cls) {
        for (int b = from; b <= to; b++) {
            CLASS[b] = (byte) cls;
        }
    }

    /** Höhrmann's state number → this class's state (a shift amount). */
    private static int shift(int hoehrmannState) {
        int swapped = hoehrmannState == 1 ? 2 : hoehrmannState == 2 ? 1 : hoehrmannState;
        return swapped * 6;
    }

    /**
     * Advances {@code state} over {@code buf[off, off+len)}.
     *
     * @param state {@link #ACCEPT} at the start of a message, else the value the previous call returned
     * @return the new state: {@link #REJECT} if a byte made the input invalid (at most the rest of
     *     its 16-byte block is read after it), {@link #ACCEPT} at a character boundary, another
     *     value inside a character
     */
    public static int validate(int state, byte[] buf, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        long s = state;
        int i = off;
        int end = off + len;
        for (int blockEnd = end - 15; i < blockEnd; i += 16) {
            // ASCII skip: 16 bytes per test (two longs ORed, as nvx skips 16).
            if ((((long) LONGS.get(buf, i) | (long) LONGS.get(buf, i + 8)) & HIGH_BITS) == 0) {
                if ((s & STATE_BITS) != ACCEPT) {
                    return REJECT; // an ASCII byte where a continuation byte was due
                }
                continue;
            }
            for (int k = 0; k < 16; k++) {
                s = ROWS[buf[i + k] & 0xFF] >>> s;
            }
            if ((s & STATE_BITS) == REJECT) {
                return REJECT;
            }
        }
        for (; i < end; i++) {
            s = ROWS[buf[i] & 0xFF] >>> s;
        }
        return (int) (s & STATE_BITS);
    }

    /**
     * Advances {@code state} over the buffer's remaining bytes (heap or direct) without moving its
     * position. Same contract as {@link #validate(int, byte[], int, int)}.
     */
    public static int validate(int state, java.nio.ByteBuffer buf) {
        if (buf.hasArray()) {
            return validate(state, buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
        }
        long s = state;
        int i = buf.position();
        int end = buf.limit();
        for (int blockEnd = end - 15; i < blockEnd; i += 16) {
            if ((((long) BUFFER_LONGS.get(buf, i) | (long) BUFFER_LONGS.get(buf, i + 8)) & HIGH_BITS) == 0) {
                if ((s & STATE_BITS) != ACCEPT) {
                    return REJECT;
                }
                continue;
            }
            for (int k = 0; k < 16; k++) {
                s = ROWS[buf.get(i + k) & 0xFF] >>> s;
            }
            if ((s & STATE_BITS) == REJECT) {
                return REJECT;
            }
        }
        for (; i < end; i++) {
            s = ROWS[buf.get(i) & 0xFF] >>> s;
        }
        return (int) (s & STATE_BITS);
    }

    /** Whether {@code buf[off, off+len)} is complete, valid UTF-8 on its own. */
    public static boolean isValid(byte[] buf, int off, int len) {
        return validate(ACCEPT, buf, off, len) == ACCEPT;
    }
}
