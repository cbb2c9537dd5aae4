package dev.roundhouse.websocket.fastpath;

/**
 * The byte-at-a-time definition of UTF-8 validity, written straight from the table in RFC 3629
 * §4 (well-formed byte sequences), independent of {@link Utf8Validator}'s DFA. Its incremental
 * state packs the number of continuation bytes still needed and the bounds allowed for the next
 * one; {@link #ACCEPT} and {@link #REJECT} mean the same as the fast validator's.
 *
 * <p><b>Thread:</b> stateless, any thread.
 */
public final class Utf8Reference {
    /** Between characters. */
    public static final int ACCEPT = 0;
    /** Invalid input seen. */
    public static final int REJECT = -1;

    private Utf8Reference() {
    }

    /** Same contract as {@link Utf8Validator#validate}, with this class's state encoding. */
    public static int validate(int state, byte[] buf, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        for (int i = off; i < off + len; i++) {
            state = step(state, buf[i] & 0xFF);
            if (state == REJECT) {
                return REJECT;
            }
        }
        return state;
    }

    private static int step(int state, int b) {
        int need = state & 0xFF;
        if (need == 0) {
            if (b <= 0x7F) {
                return ACCEPT;
            } else if (b >= 0xC2 && b <= 0xDF) {
                return pack(1, 0x80, 0xBF);
            } else if (b == 0xE0) {
                return pack(2, 0xA0, 0xBF);
            } else if (b >= 0xE1 && b <= 0xEC || b == 0xEE || b == 0xEF) {
                return pack(2, 0x80, 0xBF);
            } else if (b == 0xED) {
                return pack(2, 0x80, 0x9F); // no UTF-16 surrogates
            } else if (b == 0xF0) {
                return pack(3, 0x90, 0xBF);
            } else if (b >= 0xF1 && b <= 0xF3) {
                return pack(3, 0x80, 0xBF);
            } else if (b == 0xF4) {
                return pack(3, 0x80, 0x8F); // nothing above U+10FFFF
            }
            return REJECT;
        }
        int lower = (state >>> 8) & 0xFF;
        int upper = (state >>> 16) & 0xFF;
        if (b < lower || b > upper) {
            return REJECT;
        }
        return need == 1 ? ACCEPT : pack(need - 1, 0x80, 0xBF);
    }

    private static int pack(int need, int lower, int upper) {
        return need | lower << 8 | upper << 16;
    }

    /** Whether {@code buf[off, off+len)} is complete, valid UTF-8. */
    public static boolean isValid(byte[] buf, int off, int len) {
        return validate(ACCEPT, buf, off, len) == ACCEPT;
    }
}
