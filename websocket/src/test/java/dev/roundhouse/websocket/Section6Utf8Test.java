package dev.roundhouse.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Autobahn section 6: UTF-8 handling, against our server over every backend. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Section6Utf8Test {
    static final String[] VALID = {"", "Hello-µ@ßöäüàá-UTF-8!!", "κόσμε", "\u0080", "\u07FF", "\u0800", "\uFFFD",
        "\uFFFF", "\uD800\uDC00", "\uDBFF\uDFFF", "日本語テキスト", "😀 emoji 🎉"};
    /** Invalid byte strings from Autobahn 6.3–6.21 and Markus Kuhn's stress test. */
    static final int[][] INVALID = {
        {0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5, 0xED, 0xA0, 0x80, 0x65, 0x64, 0x69, 0x74, 0x65, 0x64},
        {0x80}, {0xBF}, {0xC0, 0xAF}, {0xE0, 0x80, 0xAF}, {0xF0, 0x80, 0x80, 0xAF}, {0xF8, 0x88, 0x80, 0x80, 0xAF},
        {0xFC, 0x84, 0x80, 0x80, 0x80, 0xAF}, {0xC1, 0xBF}, {0xE0, 0x9F, 0xBF}, {0xED, 0xA0, 0x80}, {0xED, 0xBF, 0xBF},
        {0xED, 0xA0, 0x80, 0xED, 0xB0, 0x80}, {0xF4, 0x90, 0x80, 0x80}, {0xFE}, {0xFF}, {0xFE, 0xFE, 0xFF, 0xFF},
        {0xC0}, {0xE0, 0x80}, {0xF7, 0xBF, 0xBF}, {0x41, 0xC2}, {0xE2, 0x82}};

    /** Valid text in every UTF-8 length class, including the boundaries and supplementary planes, is echoed. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldAcceptValidText(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            for (String t : VALID) {
                c.sendText(t);
                assertEquals(t, c.read().text());
            }
            c.closeCleanly(CloseCodes.NORMAL);
        }
    }

    /** Valid text split into one-byte fragments, cutting every character, is echoed whole. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldAcceptValidTextSplitInsideCharacters(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            String t = "κόσμε 😀 日本";
            byte[] b = Wire.utf8(t);
            for (int i = 0; i < b.length; i++) {
                c.sendFrame(i == b.length - 1, i == 0 ? Opcodes.TEXT : Opcodes.CONTINUATION, new byte[] {b[i]});
            }
            assertEquals(t, c.read().text());
            c.closeCleanly(CloseCodes.NORMAL);
        }
    }

    /** Every invalid sequence in a text message fails with 1007. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectInvalidText(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS)) {
            for (int[] bad : INVALID) {
                try (RawClient c = s.client().open()) {
                    c.sendFrame(true, Opcodes.TEXT, Wire.bytes(bad));
                    c.expectClose(CloseCodes.INVALID_PAYLOAD);
                }
            }
        }
    }

    /** An invalid byte in the first fragment fails at once with 1007, without waiting for the message's end. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldFailFastOnInvalidByteMidMessage(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            c.sendFrame(false, Opcodes.TEXT, Wire.concat(Wire.utf8("valid prefix "), Wire.bytes(0xF4, 0x90)));
            c.expectClose(CloseCodes.INVALID_PAYLOAD); // the message never ends
        }
    }

    /** An invalid sequence split across two fragments fails with 1007 on the second, before FIN. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldFailFastAcrossFragments(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            c.sendFrame(false, Opcodes.TEXT, Wire.bytes('a', 0xE2, 0x82));
            c.sendFrame(false, Opcodes.CONTINUATION, Wire.bytes('b'));
            c.expectClose(CloseCodes.INVALID_PAYLOAD);
        }
    }

    /** An invalid byte in the middle of a large single frame fails before the rest of the frame is sent. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldFailFastInsideOneLargeFrame(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            byte[] payload = new byte[100_000];
            java.util.Arrays.fill(payload, (byte) 'a');
            payload[10] = (byte) 0xFF;
            byte[] frame = Wire.client(true, Opcodes.TEXT, payload);
            c.send(java.util.Arrays.copyOf(frame, 14 + 1000)); // header + first 1000 bytes only
            c.expectClose(CloseCodes.INVALID_PAYLOAD);
        }
    }

    /** A text message that ends inside a multi-byte sequence fails with 1007 at FIN. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectTruncatedSequenceAtEnd(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            c.sendFrame(false, Opcodes.TEXT, Wire.bytes('a', 0xF0, 0x9F));
            c.sendFrame(true, Opcodes.CONTINUATION, Wire.bytes(0x98));
            c.expectClose(CloseCodes.INVALID_PAYLOAD);
        }
    }
}
