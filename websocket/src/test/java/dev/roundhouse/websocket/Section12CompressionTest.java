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

/** Autobahn sections 12 and 13: permessage-deflate, against our server over every backend. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Section12CompressionTest {
    static final WebSocketOptions DEFLATE = WebSocketOptions.builder().perMessageDeflate(true).build();

    private static String ext(RawClient c, String offer) throws Exception {
        String head = c.handshake("Sec-WebSocket-Extensions: " + offer + "\r\n");
        assertTrue(head.startsWith("HTTP/1.1 101 "), head);
        for (String line : head.split("\r\n")) {
            if (line.startsWith("Sec-WebSocket-Extensions: ")) {
                return line.substring(26);
            }
        }
        return "";
    }

    /** Offers are accepted, declined (window bits the JDK cannot honour, invalid parameters) or fall through to the next offer. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldNegotiateOffers(String backend) throws Exception {
        String[][] cases = {
            {"permessage-deflate", "permessage-deflate"},
            {"permessage-deflate; client_max_window_bits", "permessage-deflate"},
            {"permessage-deflate; server_no_context_takeover", "permessage-deflate; server_no_context_takeover"},
            {"permessage-deflate; client_no_context_takeover", "permessage-deflate; client_no_context_takeover"},
            {"permessage-deflate; server_max_window_bits=15", "permessage-deflate; server_max_window_bits=15"},
            {"permessage-deflate; server_max_window_bits=10", ""},
            {"permessage-deflate; server_max_window_bits=16", ""},
            {"permessage-deflate; server_max_window_bits=7", ""},
            {"permessage-deflate; client_max_window_bits=99", ""},
            {"permessage-deflate; foo=1", ""},
            {"permessage-deflate; server_no_context_takeover; server_no_context_takeover", ""},
            {"permessage-deflate; server_max_window_bits=9, permessage-deflate", "permessage-deflate"},
            {"x-webkit-deflate-frame", ""},
        };
        try (ServerFixture s = new ServerFixture(backend, DEFLATE)) {
            for (String[] c : cases) {
                try (RawClient rc = s.client()) {
                    assertEquals(c[1], ext(rc, c[0]), c[0]);
                }
            }
        }
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS); RawClient rc = s.client()) {
            assertEquals("", ext(rc, "permessage-deflate"), "off by default");
        }
    }

    /** Compressed messages of many sizes round-trip with context takeover on both sides and come back compressed. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldEchoCompressedMessagesWithContextTakeover(String backend) throws Exception {
        roundTrip(backend, "permessage-deflate", false);
    }

    /** The same with no context takeover on both sides. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldEchoCompressedMessagesWithoutContextTakeover(String backend) throws Exception {
        roundTrip(backend, "permessage-deflate; server_no_context_takeover; client_no_context_takeover", true);
    }

    private static void roundTrip(String backend, String offer, boolean reset) throws Exception {
        Random rnd = new Random(12);
        int[] sizes = {0, 1, 16, 64, 1000, 65536, 500_000};
        try (ServerFixture s = new ServerFixture(backend, DEFLATE); RawClient c = s.client()) {
            ext(c, offer);
            Deflate mine = new Deflate();
            for (int round = 0; round < 3; round++) {
                for (int size : sizes) {
                    StringBuilder sb = new StringBuilder();
                    while (sb.length() < size) {
                        sb.append("word").append(rnd.nextInt(50)).append(' ');
                    }
                    byte[] text = Wire.utf8(sb.substring(0, size));
                    c.send(Wire.frame(true, 4, Opcodes.TEXT, mine.compress(text), Wire.randomMask()));
                    if (reset) {
                        mine.deflater.reset();
                    }
                    Wire.Frame f = c.read();
                    assertEquals(Opcodes.TEXT, f.opcode(), () -> "size " + size + ": " + f.closeCode() + " " + f.text());
                    byte[] plain = f.rsv() == 4 ? mine.decompress(f.payload()) : f.payload();
                    if (reset && f.rsv() == 4) {
                        mine.inflater.reset();
                    }
                    assertArrayEquals(text, plain, "size " + size);
                    if (size >= 1000) {
                        assertEquals(4, f.rsv(), "large replies are compressed");
                    }
                }
            }
            c.closeCleanly(CloseCodes.NORMAL);
        }
    }

    /** A compressed message split over fragments (RSV1 on the first only) is inflated whole. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldInflateFragmentedCompressedMessage(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, DEFLATE); RawClient c = s.client()) {
            ext(c, "permessage-deflate");
            byte[] text = Wire.utf8("fragmented and compressed ".repeat(100));
            byte[] z = new Deflate().compress(text);
            int half = z.length / 2;
            c.send(Wire.frame(false, 4, Opcodes.TEXT, java.util.Arrays.copyOf(z, half), Wire.randomMask()));
            c.send(Wire.frame(true, 0, Opcodes.CONTINUATION, java.util.Arrays.copyOfRange(z, half, z.length), Wire.randomMask()));
            Wire.Frame f = c.read();
            assertArrayEquals(text, f.rsv() == 4 ? new Deflate().decompress(f.payload()) : f.payload());
            c.closeCleanly(CloseCodes.NORMAL);
        }
    }

    /** RSV1 on a continuation frame fails with 1002 even when deflate is negotiated. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectRsv1OnContinuation(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, DEFLATE); RawClient c = s.client()) {
            ext(c, "permessage-deflate");
            c.send(Wire.frame(false, 0, Opcodes.TEXT, Wire.utf8("a"), Wire.randomMask()));
            c.send(Wire.frame(true, 4, Opcodes.CONTINUATION, Wire.utf8("b"), Wire.randomMask()));
            c.expectClose(CloseCodes.PROTOCOL_ERROR);
        }
    }

    /** Garbage claiming to be deflate data fails with 1002. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRejectInvalidDeflateData(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, DEFLATE); RawClient c = s.client()) {
            ext(c, "permessage-deflate");
            c.send(Wire.frame(true, 4, Opcodes.BINARY, Wire.bytes(0xFF, 0xFF, 0xFF, 0xFF, 0x12), Wire.randomMask()));
            c.expectClose(CloseCodes.PROTOCOL_ERROR);
        }
    }

    /**
     * Netty CVE-2020-11612: a 100 MiB bomb (about 100 KiB compressed) fails with 1009 while inflating,
     * never allocating more than the limit.
     */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldStopDecompressionBombAtTheLimit(String backend) throws Exception {
        WebSocketOptions o = WebSocketOptions.builder().perMessageDeflate(true).maxInflatedBytes(1 << 20).build();
        Deflate d = new Deflate(9);
        java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream();
        byte[] zeros = new byte[1 << 20];
        for (int i = 0; i < 100; i++) {
            byte[] part = d.compress(zeros);
            z.write(part, 0, part.length);
            z.write(new byte[] {0, 0, (byte) 0xFF, (byte) 0xFF}, 0, 4);
        }
        byte[] bomb = z.toByteArray();
        assertTrue(bomb.length < 1 << 20, "bomb is small: " + bomb.length);
        try (ServerFixture s = new ServerFixture(backend, o); RawClient c = s.client()) {
            ext(c, "permessage-deflate");
            c.send(Wire.frame(true, 4, Opcodes.BINARY, bomb, Wire.randomMask()));
            c.expectClose(CloseCodes.TOO_BIG);
        }
        assertFalse(bomb.length == 0);
    }

    /** Invalid UTF-8 inside a compressed text message fails with 1007 after inflation. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldValidateUtf8AfterInflation(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, DEFLATE); RawClient c = s.client()) {
            ext(c, "permessage-deflate");
            c.send(Wire.frame(true, 4, Opcodes.TEXT, new Deflate().compress(Wire.bytes('o', 'k', 0xED, 0xA0, 0x80)), Wire.randomMask()));
            c.expectClose(CloseCodes.INVALID_PAYLOAD);
        }
    }
}
