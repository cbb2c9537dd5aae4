package dev.roundhouse.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** permessage-deflate negotiation and codec, without sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PerMessageDeflateTest {
    static final WebSocketOptions ON = WebSocketOptions.builder().perMessageDeflate(true).build();

    private static PerMessageDeflate server(String offer) {
        return PerMessageDeflate.serverAccept(Tokens.extensions(offer), ON, new java.util.ArrayList<>());
    }

    /** Our compressor and inflater round-trip a sequence of messages (empty ones included) with shared context. */
    @Test
    void shouldRoundTripMessagesIncludingEmptyOnes() throws Exception {
        PerMessageDeflate a = server("permessage-deflate");
        PerMessageDeflate b = server("permessage-deflate");
        Random rnd = new Random(4);
        int[] sizes = {0, 1, 0, 100, 5000, 0, 70000, 3};
        for (int size : sizes) {
            byte[] msg = new byte[size];
            for (int i = 0; i < size; i++) {
                msg[i] = (byte) ('a' + rnd.nextInt(4));
            }
            ByteAccumulator z = a.compress(msg, 0, msg.length);
            byte[] wire = java.util.Arrays.copyOf(z.array(), z.size());
            ByteAccumulator out = new ByteAccumulator(16);
            assertTrue(b.inflate(wire, 0, wire.length, out, 1 << 20));
            assertTrue(b.finishMessage(out, 1 << 20));
            assertArrayEquals(msg, java.util.Arrays.copyOf(out.array(), out.size()), "size " + size);
        }
        a.close();
        b.close();
    }

    /** The test-side compressor's single 0x00 byte for an empty message (RFC 7692 §7.2.3.6) inflates to nothing, and the stream continues. */
    @Test
    void shouldInflateEmptyBlockThenContinue() throws Exception {
        PerMessageDeflate b = server("permessage-deflate");
        Deflate d = new Deflate();
        for (String s : new String[] {"", "w", "", "hello hello hello"}) {
            byte[] z = d.compress(Wire.utf8(s));
            ByteAccumulator out = new ByteAccumulator(16);
            assertTrue(b.inflate(z, 0, z.length, out, 1000), s);
            assertTrue(b.finishMessage(out, 1000), s);
            assertEquals(s, new String(out.array(), 0, out.size(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** Inflation stops as soon as the output passes the limit. */
    @Test
    void shouldStopInflatingAtTheLimit() throws Exception {
        PerMessageDeflate a = server("permessage-deflate");
        PerMessageDeflate b = server("permessage-deflate");
        byte[] zeros = new byte[1 << 20];
        ByteAccumulator z = a.compress(zeros, 0, zeros.length);
        ByteAccumulator out = new ByteAccumulator(16);
        assertFalse(b.inflate(z.array(), 0, z.size(), out, 10_000));
        assertTrue(out.size() <= 10_001 && out.array().length <= 20_002, "output capped: " + out.array().length);
    }

    /** A client fails the handshake on a server_max_window_bits outside 8..15 (undici CVE-2026-2229) and on unoffered parameters. */
    @Test
    void shouldValidateServerResponseOnTheClient() {
        for (String bad : new String[] {"permessage-deflate; server_max_window_bits=7",
            "permessage-deflate; server_max_window_bits=16", "permessage-deflate; server_max_window_bits=0",
            "permessage-deflate; server_max_window_bits=", "permessage-deflate; server_max_window_bits=99999999999999",
            "permessage-deflate; server_max_window_bits", "permessage-deflate; client_max_window_bits=10",
            "permessage-deflate; unknown", "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate, permessage-deflate", "other-extension", "permessage-deflate; server_no_context_takeover=1"}) {
            assertThrows(HandshakeException.class, () -> PerMessageDeflate.clientAccept(bad, ON), bad);
        }
        for (int bits = 8; bits <= 15; bits++) {
            PerMessageDeflate.clientAccept("permessage-deflate; server_max_window_bits=" + bits, ON).close();
        }
        assertThrows(HandshakeException.class, () -> PerMessageDeflate.clientAccept("permessage-deflate", WebSocketOptions.DEFAULTS));
    }

    /** A server declines, and says why, an offer whose server_max_window_bits is below 15. */
    @Test
    void shouldDeclineWindowBitsTheJdkCannotHonour() {
        List<String> why = new java.util.ArrayList<>();
        assertNull(PerMessageDeflate.serverAccept(Tokens.extensions("permessage-deflate; server_max_window_bits=12"), ON, why));
        assertTrue(why.get(0).contains("Deflater"), why.toString());
    }
}
