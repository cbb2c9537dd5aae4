package dev.roundhouse.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Autobahn section 7: the close handshake, against our server over every backend. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Section7CloseTest {
    static final int[] VALID = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999};
    static final int[] INVALID = {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535};

    /** A close with 1000 is echoed with 1000, the server closes TCP, and the handler sees the peer's code. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldEchoNormalClose(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            c.sendFrame(true, Opcodes.CLOSE, Wire.closePayload(1000, "bye"));
            c.expectClose(1000);
            CloseStatus st = s.handlerClose();
            assertEquals(new CloseStatus(1000, "bye", true), st);
        }
    }

    /** A close without a body is echoed without a body and reported as 1005. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldEchoEmptyClose(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            c.sendFrame(true, Opcodes.CLOSE, new byte[0]);
            Wire.Frame f = c.read();
            assertEquals(Opcodes.CLOSE, f.opcode());
            assertEquals(0, f.payload().length);
            c.expectEof();
            assertEquals(CloseCodes.NO_STATUS, s.handlerClose().code());
        }
    }

    /** A close with a 1-byte body fails with 1002. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectOneByteClose(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            c.sendFrame(true, Opcodes.CLOSE, new byte[] {3});
            c.expectClose(CloseCodes.PROTOCOL_ERROR);
        }
    }

    /** Every code valid on the wire is echoed as is. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldEchoEveryValidCode(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS)) {
            for (int code : VALID) {
                try (RawClient c = s.client().open()) {
                    c.closeCleanly(code);
                }
            }
        }
    }

    /** Every code not valid on the wire (reserved, unassigned, out of range) fails with 1002. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectEveryInvalidCode(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS)) {
            for (int code : INVALID) {
                try (RawClient c = s.client().open()) {
                    c.sendFrame(true, Opcodes.CLOSE, Wire.closePayload(code, ""));
                    c.expectClose(CloseCodes.PROTOCOL_ERROR);
                }
            }
        }
    }

    /** A close reason that is not valid UTF-8 fails with 1007; a 123-byte valid reason is fine. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldValidateCloseReason(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS)) {
            try (RawClient c = s.client().open()) {
                c.sendFrame(true, Opcodes.CLOSE, Wire.concat(Wire.bytes(0x03, 0xE8), Wire.bytes(0xCE, 0xBA, 0xED, 0xA0, 0x80)));
                c.expectClose(CloseCodes.INVALID_PAYLOAD);
            }
            try (RawClient c = s.client().open()) {
                c.sendFrame(true, Opcodes.CLOSE, Wire.closePayload(1000, "r".repeat(123)));
                c.expectClose(1000);
            }
        }
    }

    /** Frames after the peer's close are ignored: only the close echo comes back. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldIgnoreFramesAfterClose(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            c.send(Wire.concat(Wire.client(true, Opcodes.CLOSE, Wire.closePayload(1000, "")),
                    Wire.client(true, Opcodes.TEXT, Wire.utf8("late")), Wire.client(true, Opcodes.PING, new byte[0])));
            Wire.Frame f = c.read();
            assertEquals(Opcodes.CLOSE, f.opcode());
            c.expectEof();
        }
    }

    /** A server-initiated close is answered by the client's echo, then the server closes TCP. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldCompleteServerInitiatedClose(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS, b -> b.route("/closer",
                () -> new EchoHandler() {
                    @Override
                    public void onText(WebSocket ws, String text) {
                        ws.close(4001, "closing: " + text);
                    }
                })); RawClient c = s.client()) {
            c.send(RawClient.request("/closer", "").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            assertTrue(c.readHead().startsWith("HTTP/1.1 101"));
            c.sendText("now");
            Wire.Frame f = c.read();
            assertEquals(4001, f.closeCode());
            assertEquals("closing: now", new String(f.payload(), 2, f.payload().length - 2, java.nio.charset.StandardCharsets.UTF_8));
            c.sendFrame(true, Opcodes.CLOSE, Wire.closePayload(4001, ""));
            c.expectEof();
        }
    }

    /** A peer that never answers our close is aborted after closeTimeout, so the socket is not pinned (netty PR #17574). */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldAbortWhenThePeerNeverAnswersClose(String backend) throws Exception {
        WebSocketOptions o = WebSocketOptions.builder().closeTimeout(300, TimeUnit.MILLISECONDS).build();
        try (ServerFixture s = new ServerFixture(backend, o, b -> b.route("/closer", () -> new EchoHandler() {
            @Override
            public void onOpen(WebSocket ws) {
                ws.close(1001, "going");
            }
        })); RawClient c = s.client()) {
            c.send(RawClient.request("/closer", "").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            assertTrue(c.readHead().startsWith("HTTP/1.1 101"));
            long t0 = System.nanoTime();
            assertEquals(1001, c.read().closeCode());
            c.expectEof(); // we never echo
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms >= 250 && ms < 5000, "aborted after " + ms + " ms");
        }
    }
}
