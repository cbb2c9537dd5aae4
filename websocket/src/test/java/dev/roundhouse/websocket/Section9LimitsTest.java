package dev.roundhouse.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Autobahn section 9 (large messages) and our limits, against our server over every backend. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Section9LimitsTest {

    /** A frame declaring more than maxFrameBytes fails with 1009 as soon as its header arrives. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectOversizedFrameFromItsHeader(String backend) throws Exception {
        WebSocketOptions o = WebSocketOptions.builder().maxFrameBytes(1000).build();
        try (ServerFixture s = new ServerFixture(backend, o); RawClient c = s.client().open()) {
            byte[] frame = Wire.client(true, Opcodes.BINARY, new byte[1001]);
            c.send(java.util.Arrays.copyOf(frame, 8)); // header and mask only
            c.expectClose(CloseCodes.TOO_BIG);
        }
    }

    /** Fragments that together pass maxMessageBytes fail with 1009. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectMessageOverLimitAcrossFragments(String backend) throws Exception {
        WebSocketOptions o = WebSocketOptions.builder().maxMessageBytes(1000).build();
        try (ServerFixture s = new ServerFixture(backend, o); RawClient c = s.client().open()) {
            c.sendFrame(false, Opcodes.BINARY, new byte[600]);
            c.sendFrame(true, Opcodes.CONTINUATION, new byte[401]);
            c.expectClose(CloseCodes.TOO_BIG);
        }
    }

    /**
     * gorilla CVE-2020-27813: a continuation declaring 2^63-1 bytes after a small first fragment must
     * not overflow the running total and slip past the limit; it fails with 1009.
     */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldNotOverflowTheMessageTotal(String backend) throws Exception {
        WebSocketOptions o = WebSocketOptions.builder().maxFrameBytes(Integer.MAX_VALUE).build();
        try (ServerFixture s = new ServerFixture(backend, o); RawClient c = s.client().open()) {
            c.sendFrame(false, Opcodes.BINARY, new byte[10]);
            c.send(Wire.bytes(0x80, 0x80 | 127, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4));
            c.expectClose(CloseCodes.TOO_BIG);
        }
    }

    /** Messages exactly at the limits (4 MiB message in 1 MiB frames) pass. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldAcceptMessageExactlyAtTheLimit(String backend) throws Exception {
        byte[] data = new byte[4 << 20];
        new Random(9).nextBytes(data);
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            for (int i = 0; i < 4; i++) {
                c.sendFrame(i == 3, i == 0 ? Opcodes.BINARY : Opcodes.CONTINUATION,
                        java.util.Arrays.copyOfRange(data, i << 20, (i + 1) << 20));
            }
            assertArrayEquals(data, c.read().payload());
            c.closeCleanly(CloseCodes.NORMAL);
        }
    }

    /** With raised limits a 16 MiB text message round-trips (what ws-echo promises). */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldEchoSixteenMebibytesWithRaisedLimits(String backend) throws Exception {
        WebSocketOptions o = WebSocketOptions.builder().maxFrameBytes(17 << 20).maxMessageBytes(17 << 20)
                .maxInflatedBytes(17 << 20).maxPendingOutboundBytes(64L << 20).build();
        String text = "0123456789abcdef".repeat(1 << 20);
        try (ServerFixture s = new ServerFixture(backend, o); RawClient c = s.client().open()) {
            c.sendText(text);
            assertEquals(text, c.read().text());
            c.closeCleanly(CloseCodes.NORMAL);
        }
    }

    /** ws CVE-2024-37890: a request with thousands of headers is refused with 431, and the server stays up. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRefuseHeaderFlood(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS)) {
            try (RawClient c = s.client()) {
                StringBuilder h = new StringBuilder();
                for (int i = 0; i < 100; i++) {
                    h.append("X-H").append(i).append(": v\r\n");
                }
                String head = c.handshake(h.toString());
                assertTrue(head.startsWith("HTTP/1.1 431 "), head);
            }
            try (RawClient c = s.client()) {
                c.send(("GET /echo HTTP/1.1\r\nX: " + "a".repeat(20_000)).getBytes(StandardCharsets.ISO_8859_1));
                assertTrue(c.readHead().startsWith("HTTP/1.1 431 "));
            }
            try (RawClient c = s.client().open()) {
                c.closeCleanly(CloseCodes.NORMAL);
            }
        }
    }

    /** A connection that never completes its handshake is closed after handshakeTimeout. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldCloseSlowHandshake(String backend) throws Exception {
        WebSocketOptions o = WebSocketOptions.builder().handshakeTimeout(300, TimeUnit.MILLISECONDS).build();
        try (ServerFixture s = new ServerFixture(backend, o); RawClient c = s.client()) {
            c.send("GET /echo HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
            long t0 = System.nanoTime();
            c.expectEof();
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 5000);
        }
    }

    /** ws CVE-2026-48779: an endless trickle of empty fragments is cut off at maxFragmentsPerMessage with 1009. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldCutOffEmptyFragmentFlood(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient c = s.client().open()) {
            byte[][] frames = new byte[2000][];
            frames[0] = Wire.client(false, Opcodes.TEXT, new byte[0]);
            for (int i = 1; i < frames.length; i++) {
                frames[i] = Wire.client(false, Opcodes.CONTINUATION, new byte[0]);
            }
            c.send(Wire.concat(frames));
            c.expectClose(CloseCodes.TOO_BIG);
        }
    }
}
