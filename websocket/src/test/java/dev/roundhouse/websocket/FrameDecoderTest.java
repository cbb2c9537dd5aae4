package dev.roundhouse.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The frame decoder on its own: any split of the input gives the same frames. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FrameDecoderTest {

    static final class Recorder implements FrameListener {
        final List<String> events = new ArrayList<>();
        ByteArrayOutputStream payload = new ByteArrayOutputStream();

        @Override
        public boolean onFrameStart(int opcode, boolean fin, boolean rsv1, long length) {
            payload = new ByteArrayOutputStream();
            events.add("start " + opcode + " " + fin + " " + length);
            return true;
        }

        @Override
        public boolean onFramePayload(byte[] buf, int off, int len) {
            payload.write(buf, off, len);
            return true;
        }

        @Override
        public boolean onFrameEnd() {
            events.add("end " + java.util.Arrays.hashCode(payload.toByteArray()));
            return true;
        }

        @Override
        public void onFrameError(int closeCode, String reason) {
            events.add("error " + closeCode);
        }
    }

    /** Random frame sequences fed in random chunk sizes decode to the same events as fed whole. */
    @Test
    void shouldDecodeTheSameUnderAnySplit() {
        Random rnd = new Random(8);
        for (int round = 0; round < 200; round++) {
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            for (int i = 0; i < 10; i++) {
                int len = rnd.nextInt(4) == 0 ? rnd.nextInt(70_000) : rnd.nextInt(200);
                byte[] p = new byte[len];
                rnd.nextBytes(p);
                byte[] f = rnd.nextBoolean() ? Wire.client(true, Opcodes.BINARY, p)
                        : Wire.client(true, Opcodes.PING, java.util.Arrays.copyOf(p, Math.min(len, 125)));
                stream.write(f, 0, f.length);
            }
            byte[] all = stream.toByteArray();
            Recorder whole = new Recorder();
            new FrameDecoder(true, 1 << 20, 16, whole).feed(ByteBuffer.wrap(all));
            Recorder split = new Recorder();
            FrameDecoder d = new FrameDecoder(true, 1 << 20, 16, split);
            for (int pos = 0; pos < all.length; ) {
                int n = Math.min(all.length - pos, 1 + rnd.nextInt(rnd.nextBoolean() ? 3 : 5000));
                d.feed(ByteBuffer.wrap(all, pos, n));
                pos += n;
            }
            assertEquals(whole.events, split.events);
            assertEquals(20, whole.events.size());
        }
    }

    /** After an error the decoder stops and ignores everything after it. */
    @Test
    void shouldStopAfterAnError() {
        Recorder r = new Recorder();
        FrameDecoder d = new FrameDecoder(true, 100, 16, r);
        d.feed(ByteBuffer.wrap(Wire.concat(Wire.client(true, 3, new byte[0]), Wire.client(true, Opcodes.TEXT, new byte[1]))));
        assertEquals(List.of("error 1002"), r.events);
    }
}
