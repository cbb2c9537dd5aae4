package dev.roundhouse.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Autobahn section 3: reserved bits, against our server over every backend. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Section3ReservedBitsTest {

    /** Each of RSV1..3 (and all together) on a text, binary, ping or close frame without an extension fails with 1002. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectEveryReservedBitWithoutExtension(String backend) throws Exception {
        int[] opcodes = {Opcodes.TEXT, Opcodes.BINARY, Opcodes.PING, Opcodes.CLOSE};
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS)) {
            for (int rsv = 1; rsv <= 7; rsv++) {
                for (int op : opcodes) {
                    try (RawClient c = s.client().open()) {
                        c.send(Wire.frame(true, rsv, op, op == Opcodes.CLOSE ? Wire.closePayload(1000, "") : Wire.utf8("x"),
                                Wire.randomMask()));
                        c.expectClose(CloseCodes.PROTOCOL_ERROR);
                    }
                }
            }
        }
    }

    /** A valid message sent before the bad frame is still echoed before the 1002 close. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldEchoEarlierMessageBeforeFailingOnReservedBits(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            c.send(Wire.concat(Wire.client(true, Opcodes.TEXT, Wire.utf8("ok")),
                    Wire.frame(true, 2, Opcodes.TEXT, Wire.utf8("bad"), Wire.randomMask())));
            assertEquals("ok", c.read().text());
            c.expectClose(CloseCodes.PROTOCOL_ERROR);
        }
    }
}
