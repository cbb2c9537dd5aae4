package dev.roundhouse.examples;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Loops;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.Transport;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code roundhouse echo --port N [--backend NAME]}: a TCP echo server on 127.0.0.1 until Ctrl-C. */
public final class EchoCommand {
    private EchoCommand() {
    }

    /** Writes back what it receives; pauses reading while the peer is not reading its echoes. */
    public static final class EchoProtocol implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }

        @Override
        public void pauseWriting() {
            transport.pauseReading();
        }

        @Override
        public void resumeWriting() {
            transport.resumeReading();
        }

        @Override
        public void connectionLost(Throwable cause) {
            transport = null;
        }
    }

    public static int run(String[] args) throws Exception {
        Args a = new Args(args, "port", "backend");
        int port = a.port(7007);
        EventLoop loop = Loops.open(LoopOptions.builder().backend(a.get("backend", null)).build());
        Server server = loop.listen(new InetSocketAddress("127.0.0.1", port), EchoProtocol::new)
                .get(10, TimeUnit.SECONDS);
        System.out.println("roundhouse echo: listening on " + server.localAddress() + " with the "
                + loop.backendName() + " backend (Ctrl-C stops)");
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            loop.close();
            stop.countDown();
        }, "roundhouse-echo-stop"));
        stop.await();
        return 0;
    }
}
