package dev.roundhouse.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.LoopAffinityException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Autobahn section 10 (misc) plus the opening handshake, timeouts and the handler contract, over every backend. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Section10MiscTest {

    private static String respond(ServerFixture s, String rawRequest) throws Exception {
        try (RawClient c = s.client()) {
            c.send(rawRequest.getBytes(StandardCharsets.ISO_8859_1));
            String head = c.readHead();
            return head.startsWith("HTTP/1.1 101 ") ? head : head + c.readAll();
        }
    }

    private static String upgrade(String path, String host, String headers) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
                + headers + "\r\n";
    }

    /** Each malformed or refused handshake gets its specific status and a reason in the body. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldRefuseBadHandshakesWithSpecificStatus(String backend) throws Exception {
        String key = "Sec-WebSocket-Key: " + RawClient.KEY + "\r\n";
        String v13 = "Sec-WebSocket-Version: 13\r\n";
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS)) {
            assertTrue(respond(s, upgrade("/echo", "h", v13)).startsWith("HTTP/1.1 400 "), "missing key");
            assertTrue(respond(s, upgrade("/echo", "h", v13 + "Sec-WebSocket-Key: c2hvcnQ=\r\n")).contains("16-byte"), "short key");
            String v8 = respond(s, upgrade("/echo", "h", key + "Sec-WebSocket-Version: 8\r\n"));
            assertTrue(v8.startsWith("HTTP/1.1 426 ") && v8.contains("Sec-WebSocket-Version: 13\r\n"), v8);
            assertTrue(respond(s, upgrade("/nowhere", "h", key + v13)).startsWith("HTTP/1.1 404 "), "no route");
            assertTrue(respond(s, upgrade("/echo", "h", key + v13).replace("GET", "POST")).startsWith("HTTP/1.1 405 "));
            assertTrue(respond(s, upgrade("/echo", "h", key + v13).replace("HTTP/1.1", "HTTP/1.0")).startsWith("HTTP/1.1 505 "));
            assertTrue(respond(s, upgrade("/echo", "h", key + v13 + "Host: again\r\n")).startsWith("HTTP/1.1 400 "), "two hosts");
            assertTrue(respond(s, upgrade("/echo", "h", key + v13 + "X-Fold: a\r\n  folded\r\n")).contains("obs-fold"));
            assertTrue(respond(s, upgrade("/echo", "h", key + v13).replace("\r\nUpgrade", "\nUpgrade")).contains("bare LF"));
            assertTrue(respond(s, upgrade("/echo", "h", key + v13 + "Bad Name: x\r\n")).startsWith("HTTP/1.1 400 "));
            assertTrue(respond(s, upgrade("/echo", "h", key + v13).replace("Connection: keep-alive, Upgrade", "Connection: close"))
                    .startsWith("HTTP/1.1 400 "));
            assertTrue(respond(s, "GET /echo HTTP/1.1\r\nHost: h\r\n\r\n").startsWith("HTTP/1.1 426 "), "plain GET");
        }
    }

    /** Cross-site WebSocket hijacking: a foreign Origin gets 403; the same origin and no origin are accepted. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldApplyTheDefaultOriginPolicy(String backend) throws Exception {
        String base = "Sec-WebSocket-Key: " + RawClient.KEY + "\r\nSec-WebSocket-Version: 13\r\n";
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS)) {
            String host = "127.0.0.1:" + s.port();
            assertTrue(respond(s, upgrade("/echo", host, base + "Origin: http://evil.example\r\n")).startsWith("HTTP/1.1 403 "));
            assertTrue(respond(s, upgrade("/echo", host, base + "Origin: null\r\n")).startsWith("HTTP/1.1 403 "));
            assertTrue(respond(s, upgrade("/echo", host, base + "Origin: http://" + host + "\r\n")).startsWith("HTTP/1.1 101 "));
            assertTrue(respond(s, upgrade("/echo", host, base)).startsWith("HTTP/1.1 101 "));
        }
    }

    /** The server picks its most preferred subprotocol among those offered, and none when there is no overlap. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldNegotiateSubprotocol(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS, b -> b.subprotocols("chat.v2", "chat.v1"))) {
            try (RawClient c = s.client()) {
                String head = c.handshake("Sec-WebSocket-Protocol: chat.v1, chat.v2\r\n");
                assertTrue(head.contains("Sec-WebSocket-Protocol: chat.v2\r\n"), head);
            }
            try (RawClient c = s.client()) {
                String head = c.handshake("Sec-WebSocket-Protocol: other\r\n");
                assertTrue(head.startsWith("HTTP/1.1 101") && !head.contains("Sec-WebSocket-Protocol"), head);
            }
        }
    }

    /** A configured page is served to a plain GET. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldServePages(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS,
                b -> b.page("/", "text/html", "<h1>hi</h1>".getBytes(StandardCharsets.UTF_8)))) {
            String r = respond(s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(r.startsWith("HTTP/1.1 200 OK") && r.endsWith("<h1>hi</h1>"), r);
        }
    }

    /** With only an idle timeout, a silent peer is closed with 1001. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldCloseIdleConnection(String backend) throws Exception {
        WebSocketOptions o = WebSocketOptions.builder().autoPingInterval(0, TimeUnit.SECONDS)
                .idleTimeout(300, TimeUnit.MILLISECONDS).build();
        try (ServerFixture s = new ServerFixture(backend, o); RawClient c = s.client().open()) {
            assertEquals(CloseCodes.GOING_AWAY, c.read().closeCode());
            c.sendFrame(true, Opcodes.CLOSE, Wire.closePayload(1001, ""));
            c.expectEof();
        }
    }

    /** Auto-ping sends pings to a silent peer; answering them keeps the connection alive past the idle timeout. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldAutoPingAndStayAliveWhenAnswered(String backend) throws Exception {
        WebSocketOptions o = WebSocketOptions.builder().autoPingInterval(100, TimeUnit.MILLISECONDS)
                .idleTimeout(400, TimeUnit.MILLISECONDS).build();
        try (ServerFixture s = new ServerFixture(backend, o); RawClient c = s.client().open()) {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1200);
            int pings = 0;
            while (System.nanoTime() < end) {
                Wire.Frame f = c.read();
                assertEquals(Opcodes.PING, f.opcode(), "only pings while alive");
                pings++;
                c.sendFrame(true, Opcodes.PONG, f.payload());
            }
            assertTrue(pings >= 2, "pings: " + pings);
            c.closeCleanly(CloseCodes.NORMAL);
        }
    }

    /** A handler that throws closes its connection with 1011, and the server keeps serving others. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldCloseWith1011WhenHandlerThrows(String backend) throws Exception {
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS, b -> b.route("/boom",
                () -> new WebSocketHandler() {
                    @Override
                    public void onText(WebSocket ws, String text) {
                        throw new IllegalStateException("handler bug (expected by the test)");
                    }
                }))) {
            try (RawClient c = s.client()) {
                c.send(RawClient.request("/boom", "").getBytes(StandardCharsets.ISO_8859_1));
                assertTrue(c.readHead().startsWith("HTTP/1.1 101"));
                c.sendText("x");
                c.expectClose(CloseCodes.INTERNAL_ERROR);
            }
            try (RawClient c = s.client().open()) {
                c.sendText("still serving");
                assertEquals("still serving", c.read().text());
                c.closeCleanly(CloseCodes.NORMAL);
            }
        }
    }

    /** Calling a WebSocket method off the loop thread throws LoopAffinityException naming both threads. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldEnforceLoopAffinity(String backend) throws Exception {
        CompletableFuture<WebSocket> opened = new CompletableFuture<>();
        try (ServerFixture s = new ServerFixture(backend, WebSocketOptions.DEFAULTS, b -> b.route("/hold",
                () -> new EchoHandler() {
                    @Override
                    public void onOpen(WebSocket ws) {
                        opened.complete(ws);
                    }
                })); RawClient c = s.client()) {
            c.send(RawClient.request("/hold", "").getBytes(StandardCharsets.ISO_8859_1));
            assertTrue(c.readHead().startsWith("HTTP/1.1 101"));
            WebSocket ws = opened.get(10, TimeUnit.SECONDS);
            LoopAffinityException e = org.junit.jupiter.api.Assertions.assertThrows(LoopAffinityException.class,
                    () -> ws.sendText("from the wrong thread"));
            assertTrue(e.getMessage().contains("ws-test-" + backend) && e.getMessage().contains(Thread.currentThread().getName()),
                    e.getMessage());
            assertFalse(e.getMessage().isEmpty());
            // The explicit way across threads works.
            ws.loop().execute(() -> ws.sendText("via execute"));
            assertEquals("via execute", c.read().text());
            c.closeCleanly(CloseCodes.NORMAL);
        }
    }
}
