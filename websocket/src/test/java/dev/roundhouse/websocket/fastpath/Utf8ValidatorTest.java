package dev.roundhouse.websocket.fastpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Utf8ValidatorTest {

    /** Fast DFA, byte-at-a-time reference and the JDK's strict decoder agree on random byte strings. */
    @Test
    void shouldAgreeWithReferenceAndJdkOnRandomBytes() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int round = 0; round < 200_000; round++) {
            byte[] b = new byte[rnd.nextInt(0, 12)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) rnd.nextInt();
            }
            assertThreeAgree(b);
        }
    }

    /** The three agree on strings built from interesting bytes (boundaries of every RFC 3629 row). */
    @Test
    void shouldAgreeOnAdversarialBytes() {
        int[] interesting = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
            0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFE, 0xFF};
        byte[] b = new byte[4];
        // every 1..4-byte string over the interesting alphabet
        for (int len = 1; len <= 4; len++) {
            int total = (int) Math.pow(interesting.length, len);
            for (int n = 0; n < total; n++) {
                int x = n;
                for (int i = 0; i < len; i++) {
                    b[i] = (byte) interesting[x % interesting.length];
                    x /= interesting.length;
                }
                assertThreeAgree(java.util.Arrays.copyOf(b, len));
            }
        }
    }

    /** The three agree on long mostly-ASCII text with an error or a multibyte char at every position, so the 8-byte skip hands over correctly. */
    @Test
    void shouldAgreeWhenTheOddByteSitsAtEveryPositionOfALongRun() {
        byte[][] odd = {{(byte) 0xC3, (byte) 0xA9}, {(byte) 0xE2, (byte) 0x82, (byte) 0xAC},
            {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80}, {(byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xE2, (byte) 0x82}};
        for (byte[] o : odd) {
            for (int pos = 0; pos < 40; pos++) {
                byte[] b = new byte[48];
                java.util.Arrays.fill(b, (byte) 'a');
                System.arraycopy(o, 0, b, pos, o.length);
                assertThreeAgree(b);
                assertThreeAgree(java.util.Arrays.copyOf(b, pos + o.length));
            }
        }
    }

    /** Random valid text split at every byte position validates the same as whole (state carried across fragments). */
    @Test
    void shouldCarryStateAcrossSplits() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int round = 0; round < 2000; round++) {
            byte[] b = randomText(rnd, rnd.nextInt(1, 60)).getBytes(StandardCharsets.UTF_8);
            if (rnd.nextInt(3) == 0) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt();
            }
            boolean whole = Utf8Reference.isValid(b, 0, b.length);
            for (int cut = 0; cut <= b.length; cut++) {
                int s = Utf8Validator.validate(Utf8Validator.ACCEPT, b, 0, cut);
                if (s != Utf8Validator.REJECT) {
                    s = Utf8Validator.validate(s, b, cut, b.length - cut);
                }
                assertEquals(whole, s == Utf8Validator.ACCEPT, "cut at " + cut);
            }
        }
    }

    /** Invalid input is rejected on the very byte that makes it invalid (fail fast), as the reference does. */
    @Test
    void shouldRejectOnTheFirstBadByte() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[rnd.nextInt(1, 10)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) rnd.nextInt();
            }
            int fastAt = firstReject(b, true);
            int refAt = firstReject(b, false);
            assertEquals(refAt, fastAt, () -> hex(b));
        }
        // Surrogate U+D800 is rejected at its second byte, before the message ends.
        assertEquals(1, firstReject(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, true));
        // Above U+10FFFF is rejected at the second byte.
        assertEquals(1, firstReject(new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, true));
    }

    /** The direct-ByteBuffer form agrees with the array form on random mostly-ASCII and random bytes. */
    @Test
    void shouldValidateDirectBuffersLikeArrays() {
        SplittableRandom rnd = new SplittableRandom(21);
        for (int round = 0; round < 20_000; round++) {
            byte[] b = round % 2 == 0 ? randomText(rnd, rnd.nextInt(0, 40)).getBytes(StandardCharsets.UTF_8) : new byte[rnd.nextInt(0, 20)];
            if (round % 2 == 1) {
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) rnd.nextInt();
                }
            } else if (b.length > 0 && rnd.nextInt(4) == 0) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt();
            }
            ByteBuffer direct = ByteBuffer.allocateDirect(b.length + 3);
            direct.position(3);
            direct.put(b).position(3);
            assertEquals(Utf8Validator.validate(0, b, 0, b.length), Utf8Validator.validate(0, direct));
            assertEquals(3, direct.position(), "position unchanged");
        }
    }

    /** A truncated sequence is not rejected early but never reaches ACCEPT. */
    @Test
    void shouldLeaveTruncatedSequenceIncomplete() {
        int s = Utf8Validator.validate(Utf8Validator.ACCEPT, new byte[] {'a', (byte) 0xE2, (byte) 0x82}, 0, 3);
        assertTrue(s != Utf8Validator.ACCEPT && s != Utf8Validator.REJECT);
        assertFalse(Utf8Validator.isValid(new byte[] {(byte) 0xF0}, 0, 1));
    }

    private static int firstReject(byte[] b, boolean fast) {
        int s = 0;
        for (int i = 0; i < b.length; i++) {
            s = fast ? Utf8Validator.validate(s, b, i, 1) : Utf8Reference.validate(s, b, i, 1);
            if (s == (fast ? Utf8Validator.REJECT : Utf8Reference.REJECT)) {
                return i;
            }
        }
        return -1;
    }

    private static void assertThreeAgree(byte[] b) {
        boolean fast = Utf8Validator.isValid(b, 0, b.length);
        boolean ref = Utf8Reference.isValid(b, 0, b.length);
        boolean jdk = jdkValid(b);
        if (fast != ref || ref != jdk) {
            throw new AssertionError("disagree on " + hex(b) + ": fast=" + fast + " ref=" + ref + " jdk=" + jdk);
        }
    }

    static boolean jdkValid(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    static String randomText(SplittableRandom rnd, int codePoints) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            int kind = rnd.nextInt(4);
            int cp = switch (kind) {
                case 0 -> rnd.nextInt(0x80);
                case 1 -> rnd.nextInt(0x80, 0x800);
                case 2 -> rnd.nextInt(0x800, 0xD800);
                default -> rnd.nextInt(0x10000, 0x110000);
            };
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x ", x));
        }
        return sb.toString();
    }
}
