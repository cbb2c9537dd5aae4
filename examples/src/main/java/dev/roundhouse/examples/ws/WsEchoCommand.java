package dev.roundhouse.examples.ws;

import dev.roundhouse.examples.Args;
import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Loops;
import dev.roundhouse.loop.Server;
import dev.roundhouse.websocket.OriginPolicy;
import dev.roundhouse.websocket.WebSocket;
import dev.roundhouse.websocket.WebSocketHandler;
import dev.roundhouse.websocket.WebSocketOptions;
import dev.roundhouse.websocket.WebSocketServer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code roundhouse ws-echo --port N [--backend NAME]}: a WebSocket echo server on 127.0.0.1 that
 * sends every text and binary message back as it came, accepts permessage-deflate, and allows
 * messages up to 16 MiB (plus headroom), at {@code /} and {@code /echo}. Runs until Ctrl-C.
 */
public final class WsEchoCommand {
    /** 16 MiB messages plus room for framing and fragments. */
    static final int MAX_BYTES = 17 << 20;

    private WsEchoCommand() {
    }

    /** The options ws-echo uses: deflate on, limits for 16 MiB messages. */
    public static WebSocketOptions options() {
        return WebSocketOptions.builder().perMessageDeflate(true).maxFrameBytes(MAX_BYTES)
                .maxMessageBytes(MAX_BYTES).maxInflatedBytes(MAX_BYTES).maxFragmentsPerMessage(1 << 16)
                .maxPendingOutboundBytes(4L * MAX_BYTES).build();
    }

    /** Echoes; stops reading while the peer is not reading its echoes, so memory stays bounded. */
    public static final class EchoHandler implements WebSocketHandler {
        @Override
        public void onText(WebSocket ws, String text) {
            ws.sendText(text);
        }

        @Override
        public void onBinary(WebSocket ws, ByteBuffer data) {
            ws.sendBinary(data);
        }

        @Override
        public void onWritabilityChanged(WebSocket ws, boolean writable) {
            if (writable) {
                ws.resumeReading();
            } else {
                ws.pauseReading();
            }
        }
    }

    /** Builds the echo server (at / and /echo); no origin check, since an echo holds no user data. */
    public static WebSocketServer server() {
        WebSocketServer.Builder b = WebSocketServer.builder().options(options()).originPolicy(OriginPolicy.any());
        for (String path : new String[] {"/", "/echo"}) {
            b.route(path, EchoHandler::new);
        }
        return b.build();
    }

    public static int run(String[] args) throws Exception {
        Args a = new Args(args, "port", "backend");
        int port = a.port(9001);
        EventLoop loop = Loops.open(LoopOptions.builder().backend(a.get("backend", null)).threadName("ws-echo").build());
        Server server = server().listen(loop, new InetSocketAddress("127.0.0.1", port)).get(10, TimeUnit.SECONDS);
        int bound = ((InetSocketAddress) server.localAddress()).getPort();
        System.out.println("roundhouse ws-echo: ws://127.0.0.1:" + bound + "/ (backend " + loop.backendName()
                + ", permessage-deflate accepted, messages up to 16 MiB; Ctrl-C stops)");
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            loop.close();
            stop.countDown();
        }, "roundhouse-ws-echo-stop"));
        stop.await();
        return 0;
    }
}
