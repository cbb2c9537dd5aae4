package dev.roundhouse.bench.websocket;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Deterministic benchmark inputs: random bytes for masking, and valid UTF-8 text of an exact byte
 * length for validation. The same seed every run, so two runs (or two JDKs) see the same bytes.
 */
final class Payloads {
    /** The mask key every benchmark uses: arbitrary, with all four bytes distinct and non-zero. */
    static final int KEY = 0x37FA213D;

    private static final long SEED = 0x5EED_6455L;

    private Payloads() {
    }

    static byte[] randomBytes(int sizeBytes) {
        byte[] b = new byte[sizeBytes];
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < sizeBytes; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }

    /**
     * Valid UTF-8 of exactly {@code sizeBytes} bytes. {@code "ascii"}: printable ASCII.
     * {@code "mixed"}: characters drawn evenly from four kinds, ASCII letters, 2-byte (Cyrillic),
     * 3-byte (CJK) and 4-byte (emoji), so that about 1 byte in 10 is ASCII and sequences of every
     * length alternate unpredictably; the tail is padded with ASCII to the exact length.
     */
    static byte[] text(String kind, int sizeBytes) {
        SplittableRandom random = new SplittableRandom(SEED);
        StringBuilder sb = new StringBuilder();
        int bytes = 0;
        while (true) {
            int cp;
            if (kind.equals("ascii")) {
                cp = 0x20 + random.nextInt(0x5F);
            } else if (kind.equals("mixed")) {
                switch (random.nextInt(4)) {
                    case 0 -> cp = 'a' + random.nextInt(26);
                    case 1 -> cp = 0x0410 + random.nextInt(0x40);
                    case 2 -> cp = 0x4E00 + random.nextInt(0x5000);
                    default -> cp = 0x1F600 + random.nextInt(0x50);
                }
            } else {
                throw new IllegalArgumentException("text kind " + kind);
            }
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > sizeBytes) {
                break;
            }
            sb.appendCodePoint(cp);
            bytes += n;
        }
        while (bytes++ < sizeBytes) {
            sb.append('x');
        }
        byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
        if (b.length != sizeBytes) {
            throw new AssertionError(b.length + " != " + sizeBytes);
        }
        return b;
    }
}
