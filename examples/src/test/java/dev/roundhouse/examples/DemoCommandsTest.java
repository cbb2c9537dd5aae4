package dev.roundhouse.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.examples.ws.ChatCommand;
import dev.roundhouse.examples.ws.ChatRoom;
import dev.roundhouse.examples.ws.WsEchoCommand;
import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Loops;
import dev.roundhouse.loop.Server;
import dev.roundhouse.websocket.WebSocket;
import dev.roundhouse.websocket.WebSocketClient;
import dev.roundhouse.websocket.WebSocketHandler;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class DemoCommandsTest {

    /** ws-echo sends every text message back unchanged. */
    @Test
    void shouldEchoWebSocketTextMessages() throws Exception {
        try (EventLoop loop = Loops.open()) {
            Server s = WsEchoCommand.server().listen(loop, new InetSocketAddress("127.0.0.1", 0)).get(10, TimeUnit.SECONDS);
            CompletableFuture<String> echoed = new CompletableFuture<>();
            WebSocket ws = WebSocketClient.builder(loop).build()
                    .connect(uri(s, "/echo"), new WebSocketHandler() {
                        @Override
                        public void onText(WebSocket w, String text) {
                            echoed.complete(text);
                        }
                    }).get(10, TimeUnit.SECONDS);
            loop.execute(() -> ws.sendText("héllo, roundhouse"));
            assertEquals("héllo, roundhouse", echoed.get(10, TimeUnit.SECONDS));
        }
    }

    /** chat serves its page over HTTP and relays a line from one member to another. */
    @Test
    void shouldServeThePageAndRelayChatLines() throws Exception {
        try (EventLoop loop = Loops.open()) {
            Server s = ChatCommand.server(new ChatRoom()).listen(loop, new InetSocketAddress("127.0.0.1", 0))
                    .get(10, TimeUnit.SECONDS);
            String page = httpGet(s, "/");
            assertTrue(page.startsWith("HTTP/1.1 200"), page.lines().findFirst().orElse(""));
            assertTrue(page.contains("WebSocket"), "the page carries the browser client");

            LinkedBlockingQueue<String> bob = new LinkedBlockingQueue<>();
            WebSocketClient client = WebSocketClient.builder(loop).build();
            WebSocket alice = client.connect(uri(s, "/chat"), new WebSocketHandler() { }).get(10, TimeUnit.SECONDS);
            client.connect(uri(s, "/chat"), new WebSocketHandler() {
                @Override
                public void onText(WebSocket w, String text) {
                    bob.add(text);
                }
            }).get(10, TimeUnit.SECONDS);
            loop.execute(() -> alice.sendText("the 7:15 is on time"));
            String line;
            do {
                line = bob.poll(10, TimeUnit.SECONDS);
            } while (line != null && !line.contains("the 7:15 is on time"));
            assertTrue(line != null, "bob received alice's line");
        }
    }

    private static URI uri(Server s, String path) {
        return URI.create("ws://127.0.0.1:" + ((InetSocketAddress) s.localAddress()).getPort() + path);
    }

    private static String httpGet(Server s, String path) throws Exception {
        try (Socket c = new Socket()) {
            c.connect(s.localAddress(), 5000);
            c.setSoTimeout(10_000);
            OutputStream out = c.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = c.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
