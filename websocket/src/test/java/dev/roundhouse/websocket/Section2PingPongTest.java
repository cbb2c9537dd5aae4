package dev.roundhouse.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Autobahn section 2: ping and pong, against our server over every backend. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Section2PingPongTest {

    /** A ping with 0, 1, binary and 125-byte payloads is answered by a pong with the same payload. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldAnswerPingWithSamePayload(String backend) throws Exception {
        byte[][] payloads = {new byte[0], Wire.utf8("x"), Wire.bytes(0, 0xFF, 0xFE, 0x80, 0x7F), new byte[125]};
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            for (byte[] p : payloads) {
                c.sendFrame(true, Opcodes.PING, p);
                Wire.Frame f = c.read();
                assertEquals(Opcodes.PONG, f.opcode());
                assertArrayEquals(p, f.payload());
            }
            c.closeCleanly(CloseCodes.NORMAL);
        }
    }

    /** A ping whose payload exceeds 125 bytes fails with 1002 (§5.5). */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectPingOver125Bytes(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            c.sendFrame(true, Opcodes.PING, new byte[126]);
            c.expectClose(CloseCodes.PROTOCOL_ERROR);
        }
    }

    /** An unsolicited pong is ignored and the connection keeps working. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldIgnoreUnsolicitedPong(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            c.sendFrame(true, Opcodes.PONG, Wire.utf8("unsolicited"));
            c.sendText("still here");
            assertEquals("still here", c.read().text());
            c.closeCleanly(CloseCodes.NORMAL);
        }
    }

    /** Ten pings sent back to back get ten pongs, in order. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldAnswerTenPingsInOrder(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            byte[][] frames = new byte[10][];
            for (int i = 0; i < 10; i++) {
                frames[i] = Wire.client(true, Opcodes.PING, Wire.utf8("p" + i));
            }
            c.send(Wire.concat(frames));
            for (int i = 0; i < 10; i++) {
                assertEquals("p" + i, c.read().text());
            }
            c.closeCleanly(CloseCodes.NORMAL);
        }
    }

    /** A ping without FIN (a fragmented control frame) fails with 1002. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectFragmentedPing(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            c.sendFrame(false, Opcodes.PING, Wire.utf8("a"));
            c.expectClose(CloseCodes.PROTOCOL_ERROR);
        }
    }
}
