package dev.roundhouse.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Autobahn section 1: framing, against our server over every backend. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Section1FramingTest {
    static final int[] LENGTHS = {0, 1, 125, 126, 127, 128, 65535, 65536, 65537, 1 << 20};

    /** Text messages at every length-encoding boundary come back unchanged in one unmasked, minimally encoded frame. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldEchoTextAtEveryLengthBoundary(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            for (int len : LENGTHS) {
                String text = "x".repeat(len);
                c.sendText(text);
                Wire.Frame f = c.read();
                assertEquals(Opcodes.TEXT, f.opcode());
                assertTrue(f.fin());
                assertFalse(f.masked(), "server frames are never masked");
                assertEquals(text, f.text(), "length " + len);
            }
            c.closeCleanly(CloseCodes.NORMAL);
        }
    }

    /** Binary messages at every length-encoding boundary come back byte for byte. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldEchoBinaryAtEveryLengthBoundary(String backend) throws Exception {
        Random rnd = new Random(1);
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            for (int len : LENGTHS) {
                byte[] b = new byte[len];
                rnd.nextBytes(b);
                c.sendFrame(true, Opcodes.BINARY, b);
                Wire.Frame f = c.read();
                assertEquals(Opcodes.BINARY, f.opcode());
                assertArrayEquals(b, f.payload(), "length " + len);
            }
            c.closeCleanly(CloseCodes.NORMAL);
        }
    }

    /** A frame delivered one byte per TCP segment parses the same as one delivered whole. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldParseFramesArrivingOneByteAtATime(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            byte[] frame = Wire.client(true, Opcodes.TEXT, Wire.utf8("héllo wörld ".repeat(20)));
            for (byte b : frame) {
                c.send(new byte[] {b});
            }
            assertEquals("héllo wörld ".repeat(20), c.read().text());
            c.closeCleanly(CloseCodes.NORMAL);
        }
    }

    /** A hundred frames in one write are all answered, in order. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldParseManyFramesInOneWrite(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            byte[][] parts = new byte[100][];
            for (int i = 0; i < 100; i++) {
                parts[i] = Wire.client(true, Opcodes.TEXT, Wire.utf8("m" + i));
            }
            c.send(Wire.concat(parts));
            for (int i = 0; i < 100; i++) {
                assertEquals("m" + i, c.read().text());
            }
            c.closeCleanly(CloseCodes.NORMAL);
        }
    }

    /** An unmasked client frame fails the connection with 1002 (RFC 6455 §5.1). */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectUnmaskedClientFrame(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            c.send(Wire.frame(true, 0, Opcodes.TEXT, Wire.utf8("hi"), null));
            c.expectClose(CloseCodes.PROTOCOL_ERROR);
            assertEquals(CloseCodes.PROTOCOL_ERROR, s.handlerClose().code());
        }
    }

    /** A 16-bit length below 126 is not minimal and fails with 1002. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectNonMinimal16BitLength(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            c.send(Wire.bytes(0x81, 0x80 | 126, 0, 5, 1, 2, 3, 4, 'a', 'b', 'c', 'd', 'e'));
            c.expectClose(CloseCodes.PROTOCOL_ERROR);
        }
    }

    /** A 64-bit length below 65536 is not minimal and fails with 1002. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectNonMinimal64BitLength(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            c.send(Wire.bytes(0x81, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 'a', 'b', 'c', 'd', 'e'));
            c.expectClose(CloseCodes.PROTOCOL_ERROR);
        }
    }

    /** A 64-bit length with its most significant bit set fails with 1002 (§5.2). */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectLengthWithMostSignificantBitSet(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            c.send(Wire.bytes(0x82, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4));
            c.expectClose(CloseCodes.PROTOCOL_ERROR);
        }
    }
}
