package dev.roundhouse.websocket;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Autobahn section 4: reserved opcodes, against our server over every backend. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Section4OpcodesTest {

    /** Reserved data opcodes 3–7 fail with 1002, with and without payload. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectReservedDataOpcodes(String backend) throws Exception {
        rejectAll(backend, new int[] {3, 4, 5, 6, 7});
    }

    /** Reserved control opcodes 11–15 fail with 1002, with and without payload. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectReservedControlOpcodes(String backend) throws Exception {
        rejectAll(backend, new int[] {11, 12, 13, 14, 15});
    }

    private static void rejectAll(String backend, int[] opcodes) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS)) {
            for (int op : opcodes) {
                for (byte[] payload : new byte[][] {new byte[0], Wire.utf8("payload")}) {
                    try (RawClient c = s.client().open()) {
                        c.sendFrame(true, op, payload);
                        c.expectClose(CloseCodes.PROTOCOL_ERROR);
                    }
                }
            }
        }
    }
}
