package dev.roundhouse.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Fragment (streaming) delivery with {@link WebSocketOptions#streamFragments()}, over every backend. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamingTest {

    /** Reports "N fragments: text" once the last fragment of a message arrives. */
    static final class Streamer extends EchoHandler {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int fragments;

        @Override
        public void onFragment(WebSocket ws, boolean text, ByteBuffer data, boolean last) {
            fragments++;
            byte[] b = new byte[data.remaining()];
            data.get(b);
            bytes.write(b, 0, b.length);
            if (last) {
                ws.sendText(fragments + (text ? " text" : " binary") + " fragments: " + bytes.toString(StandardCharsets.UTF_8));
                fragments = 0;
                bytes.reset();
            }
        }
    }

    private static ServerFixture server(String backend, boolean deflate) throws Exception {
        WebSocketOptions o = WebSocketOptions.builder().streamFragments(true).perMessageDeflate(deflate).build();
        return new ServerFixture(backend, o, b -> b.route("/stream", Streamer::new));
    }

    private static RawClient open(ServerFixture s, String headers) throws Exception {
        RawClient c = s.client();
        c.send(RawClient.request("/stream", headers).getBytes(StandardCharsets.ISO_8859_1));
        String head = c.readHead();
        assertEquals(true, head.startsWith("HTTP/1.1 101"), head);
        return c;
    }

    /** Each frame is delivered as it arrives, a character split across frames included; the last one is marked. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldDeliverEachFrame(String backend) throws Exception {
        try (ServerFixture s = server(backend, false); RawClient c = open(s, "")) {
            byte[] b = Wire.utf8("ab€cd");
            c.sendFrame(false, Opcodes.TEXT, java.util.Arrays.copyOfRange(b, 0, 3)); // cuts the euro sign
            c.sendFrame(false, Opcodes.CONTINUATION, java.util.Arrays.copyOfRange(b, 3, 5));
            c.sendFrame(true, Opcodes.CONTINUATION, java.util.Arrays.copyOfRange(b, 5, b.length));
            assertEquals("3 text fragments: ab€cd", c.read().text());
            c.sendFrame(true, Opcodes.BINARY, Wire.utf8("one"));
            assertEquals("1 binary fragments: one", c.read().text());
            c.closeCleanly(CloseCodes.NORMAL);
        }
    }

    /** Invalid UTF-8 still fails with 1007 at the bad byte in streaming mode. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldStillValidateUtf8(String backend) throws Exception {
        try (ServerFixture s = server(backend, false); RawClient c = open(s, "")) {
            c.sendFrame(false, Opcodes.TEXT, Wire.bytes('a', 0xC0));
            c.expectClose(CloseCodes.INVALID_PAYLOAD);
        }
    }

    /** Compressed fragments are delivered inflated. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldInflateEachFrame(String backend) throws Exception {
        try (ServerFixture s = server(backend, true); RawClient c = open(s, "Sec-WebSocket-Extensions: permessage-deflate\r\n")) {
            String text = "streamed and compressed ".repeat(40);
            byte[] z = new Deflate().compress(Wire.utf8(text));
            int third = z.length / 3;
            c.send(Wire.frame(false, 4, Opcodes.TEXT, java.util.Arrays.copyOf(z, third), Wire.randomMask()));
            c.send(Wire.frame(false, 0, Opcodes.CONTINUATION, java.util.Arrays.copyOfRange(z, third, 2 * third), Wire.randomMask()));
            c.send(Wire.frame(true, 0, Opcodes.CONTINUATION, java.util.Arrays.copyOfRange(z, 2 * third, z.length), Wire.randomMask()));
            Wire.Frame f = c.read();
            String reply = f.rsv() == 4 ? new String(new Deflate().decompress(f.payload()), StandardCharsets.UTF_8) : f.text();
            assertEquals("3 text fragments: " + text, reply);
        }
    }
}
