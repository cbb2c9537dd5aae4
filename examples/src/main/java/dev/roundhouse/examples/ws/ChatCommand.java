package dev.roundhouse.examples.ws;

import dev.roundhouse.examples.Args;
import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Loops;
import dev.roundhouse.loop.Server;
import dev.roundhouse.websocket.WebSocketOptions;
import dev.roundhouse.websocket.WebSocketServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code roundhouse chat [--port N] [--backend NAME]}: serves a small chat page over HTTP at
 * {@code /} and the chat itself over WebSocket at {@code /chat}, on 127.0.0.1, until Ctrl-C. Open
 * the printed URL in two browser tabs. The default origin policy applies: only pages served by
 * this server (same host and port) may open the socket.
 */
public final class ChatCommand {
    private ChatCommand() {
    }

    /** The chat page (HTML, CSS and the browser client in one file). */
    public static byte[] page() {
        return ChatPage.HTML.getBytes(StandardCharsets.UTF_8);
    }

    /** The chat server: page at /, socket at /chat, small limits (chat lines are short). */
    public static WebSocketServer server(ChatRoom room) {
        WebSocketOptions o = WebSocketOptions.builder().perMessageDeflate(true).maxFrameBytes(64 * 1024)
                .maxMessageBytes(64 * 1024).maxInflatedBytes(64 * 1024).build();
        return WebSocketServer.builder().options(o)
                .page("/", "text/html; charset=utf-8", page())
                .route("/chat", room::join)
                .build();
    }

    public static int run(String[] args) throws Exception {
        Args a = new Args(args, "port", "backend");
        int port = a.port(8080);
        EventLoop loop = Loops.open(LoopOptions.builder().backend(a.get("backend", null)).threadName("chat").build());
        Server server = server(new ChatRoom()).listen(loop, new InetSocketAddress("127.0.0.1", port)).get(10, TimeUnit.SECONDS);
        int bound = ((InetSocketAddress) server.localAddress()).getPort();
        System.out.println("roundhouse chat: open http://127.0.0.1:" + bound + "/ in a browser (backend "
                + loop.backendName() + "; Ctrl-C stops)");
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            loop.close();
            stop.countDown();
        }, "roundhouse-chat-stop"));
        stop.await();
        return 0;
    }
}
