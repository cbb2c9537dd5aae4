package dev.roundhouse.loop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class WriteQueueTest {

    /** Random writes drained by a sink that takes random amounts reproduce the byte stream exactly. */
    @Test
    void shouldDeliverBytesInOrderThroughPartialWrites() throws Exception {
        Random rnd = new Random(7);
        WriteQueue q = new WriteQueue();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        ByteArrayOutputStream actual = new ByteArrayOutputStream();
        WriteQueue.GatheringSink sink = (srcs, off, len) -> {
            long budget = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(70_000);
            long took = 0;
            for (int i = off; i < off + len && took < budget; i++) {
                ByteBuffer b = srcs[i];
                int n = (int) Math.min(b.remaining(), budget - took);
                byte[] chunk = new byte[n];
                b.get(chunk);
                actual.write(chunk);
                took += n;
            }
            return took;
        };
        for (int i = 0; i < 5_000; i++) {
            byte[] data = new byte[rnd.nextInt(10) == 0 ? rnd.nextInt(100_000) : rnd.nextInt(300)];
            rnd.nextBytes(data);
            expected.write(data);
            ByteBuffer src = ByteBuffer.wrap(data);
            q.add(src);
            assertEquals(0, src.remaining());
            if (rnd.nextBoolean()) {
                q.writeTo(sink);
            }
            assertEquals(expected.size() - actual.size(), q.size());
        }
        while (!q.isEmpty()) {
            q.writeTo(sink);
        }
        assertArrayEquals(expected.toByteArray(), actual.toByteArray());
        assertTrue(q.isEmpty());
    }
}
