package dev.roundhouse.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Autobahn section 5: fragmentation, against our server over every backend. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Section5FragmentationTest {

    /** A text message in two fragments is delivered (and echoed) whole. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldAssembleTwoFragments(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            c.sendFrame(false, Opcodes.TEXT, Wire.utf8("frag"));
            c.sendFrame(true, Opcodes.CONTINUATION, Wire.utf8("ment"));
            Wire.Frame f = c.read();
            assertEquals("fragment", f.text());
            assertEquals(Opcodes.TEXT, f.opcode());
            c.closeCleanly(CloseCodes.NORMAL);
        }
    }

    /** A binary message in 100 one-byte fragments plus empty ones is delivered whole. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldAssembleManyTinyAndEmptyFragments(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            byte[] expected = new byte[100];
            c.sendFrame(false, Opcodes.BINARY, new byte[0]);
            for (int i = 0; i < 100; i++) {
                expected[i] = (byte) i;
                c.sendFrame(false, Opcodes.CONTINUATION, new byte[] {(byte) i});
            }
            c.sendFrame(true, Opcodes.CONTINUATION, new byte[0]);
            assertArrayEquals(expected, c.read().payload());
            c.closeCleanly(CloseCodes.NORMAL);
        }
    }

    /** A ping between fragments is answered at once, before the message completes (§5.4). */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldAnswerPingInterleavedWithFragments(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            c.sendFrame(false, Opcodes.TEXT, Wire.utf8("one "));
            c.sendFrame(true, Opcodes.PING, Wire.utf8("between"));
            Wire.Frame pong = c.read();
            assertEquals(Opcodes.PONG, pong.opcode());
            assertEquals("between", pong.text());
            c.sendFrame(true, Opcodes.CONTINUATION, Wire.utf8("two"));
            assertEquals("one two", c.read().text());
            c.closeCleanly(CloseCodes.NORMAL);
        }
    }

    /** A continuation frame with no message open fails with 1002. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectContinuationWithoutMessage(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            c.sendFrame(true, Opcodes.CONTINUATION, Wire.utf8("orphan"));
            c.expectClose(CloseCodes.PROTOCOL_ERROR);
        }
    }

    /** A new text frame while a fragmented message is open fails with 1002. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectNewMessageInsideFragmentedOne(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            c.sendFrame(false, Opcodes.TEXT, Wire.utf8("a"));
            c.sendFrame(true, Opcodes.TEXT, Wire.utf8("b"));
            c.expectClose(CloseCodes.PROTOCOL_ERROR);
        }
    }

    /** A close frame without FIN fails with 1002. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectFragmentedClose(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            c.sendFrame(false, Opcodes.CLOSE, Wire.closePayload(1000, ""));
            c.expectClose(CloseCodes.PROTOCOL_ERROR);
        }
    }

    /** One frame more than maxFragmentsPerMessage fails with 1009. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectMoreFragmentsThanTheLimit(String backend) throws Exception {
        WebSocketOptions o = WebSocketOptions.builder().maxFragmentsPerMessage(10).build();
        try (ServerFixture s = new ServerFixture(backend, o); RawClient c = s.client().open()) {
            c.sendFrame(false, Opcodes.TEXT, Wire.utf8("0"));
            for (int i = 1; i < 10; i++) {
                c.sendFrame(false, Opcodes.CONTINUATION, Wire.utf8("" + i));
            }
            c.sendFrame(true, Opcodes.CONTINUATION, Wire.utf8("x"));
            c.expectClose(CloseCodes.TOO_BIG);
        }
    }
}
