package dev.roundhouse.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Loops;
import dev.roundhouse.loop.Server;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MainTest {

    /** Unknown commands and bad options are usage errors (exit 2), not crashes. */
    @Test
    void shouldRejectUnknownCommandsAndBadOptions() {
        assertEquals(2, Main.run(new String[] {"no-such-command"}));
        assertEquals(2, Main.run(new String[] {"echo", "--port", "70000"}));
        assertEquals(2, Main.run(new String[] {"echo", "--colour", "blue"}));
        assertEquals(2, Main.run(new String[0]));
    }

    /** {@code backends} lists at least one available backend and succeeds. */
    @Test
    void shouldListBackends() {
        assertEquals(0, Main.run(new String[] {"backends"}));
    }

    /** The echo protocol returns 1 MiB byte for byte on every available backend. */
    @Test
    void shouldEchoOnEveryAvailableBackend() throws Exception {
        for (var b : Loops.backends()) {
            if (!b.available()) {
                continue;
            }
            try (EventLoop loop = Loops.open(LoopOptions.builder().backend(b.name()).build())) {
                Server s = loop.listen(new InetSocketAddress("127.0.0.1", 0), EchoCommand.EchoProtocol::new)
                        .get(10, TimeUnit.SECONDS);
                byte[] payload = new byte[1 << 20];
                new Random(3).nextBytes(payload);
                try (Socket c = new Socket()) {
                    c.connect(s.localAddress(), 5000);
                    c.setSoTimeout(20_000);
                    Thread writer = new Thread(() -> {
                        try {
                            OutputStream out = c.getOutputStream();
                            out.write(payload);
                            out.flush();
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    });
                    writer.start();
                    byte[] back = new byte[payload.length];
                    new DataInputStream(c.getInputStream()).readFully(back);
                    writer.join();
                    assertArrayEquals(payload, back, "backend " + b.name());
                }
            }
        }
    }
}
