package dev.roundhouse.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Server;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Interop with peers no one here wrote: the npm {@code ws} library (as client against our server
 * and as server for our client) and headless Chromium (Debian's package, driven by playwright-core).
 * Needs {@code bash websocket/interop/setup.sh}; without it these tests are skipped with the reason,
 * unless {@code ROUNDHOUSE_REQUIRE_INTEROP=1}, which turns a missing peer into a failure (CI).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class InteropTest {
    static final Path DIR = Path.of(System.getProperty("user.dir"), "interop").toAbsolutePath();
    static final WebSocketOptions BIG = WebSocketOptions.builder().perMessageDeflate(true)
            .maxFrameBytes(17 << 20).maxMessageBytes(17 << 20).maxInflatedBytes(17 << 20)
            .maxFragmentsPerMessage(1 << 16).maxPendingOutboundBytes(128L << 20).build();
    static final int[] SIZES = {0, 1, 125, 126, 127, 65535, 65536, 1 << 20, 16 << 20};

    private static void require(boolean ok, String reason) {
        if (!ok) {
            if ("1".equals(System.getenv("ROUNDHOUSE_REQUIRE_INTEROP"))) {
                fail(reason + " (ROUNDHOUSE_REQUIRE_INTEROP=1; run bash websocket/interop/setup.sh)");
            }
            Assumptions.abort(reason + "; run bash websocket/interop/setup.sh");
        }
    }

    private static void requireNode() {
        require(onPath("node"), "node is not installed");
        require(Files.isDirectory(DIR.resolve("node_modules/ws")), "npm packages not installed in " + DIR);
    }

    private static boolean onPath(String cmd) {
        for (String p : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(p, cmd))) {
                return true;
            }
        }
        return false;
    }

    /** Our interop server: echo at /echo ("close:CODE" closes with CODE), the Chromium page at /. */
    static Server startServer(EventLoop loop) throws Exception {
        byte[] page;
        try (InputStream in = InteropTest.class.getResourceAsStream("/interop-page.html")) {
            page = in.readAllBytes();
        }
        return WebSocketServer.builder().options(BIG).page("/", "text/html; charset=utf-8", page)
                .route("/echo", () -> new EchoHandler() {
                    @Override
                    public void onText(WebSocket ws, String text) {
                        if (text.startsWith("close:") && text.length() < 16) {
                            ws.close(Integer.parseInt(text.substring(6)), "roundhouse closing");
                        } else {
                            ws.sendText(text);
                        }
                    }
                }).build().listen(loop, new InetSocketAddress("127.0.0.1", 0)).get(10, TimeUnit.SECONDS);
    }

    /** Runs a command in the interop folder, echoing its output; returns its exit code. */
    static int run(long timeoutSeconds, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(DIR.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    System.out.println("[" + cmd[1] + "] " + line);
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        pump.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s");
        }
        pump.join(5000);
        return p.exitValue();
    }

    /** npm ws as a client: text, binary 0 B–16 MiB, fragmented, deflate on and off, close codes both ways. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldPassWsClientMatrixAgainstOurServer(String backend) throws Exception {
        requireNode();
        EventLoop loop = TestBackends.open(backend);
        try {
            Server server = startServer(loop);
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            assertEquals(0, run(240, "node", "ws-client.mjs", "ws://127.0.0.1:" + port + "/echo"), "ws-client.mjs checks");
            server.close().get(10, TimeUnit.SECONDS);
        } finally {
            TestBackends.close(loop);
        }
    }

    /** Headless Chromium opens our page, negotiates permessage-deflate and exchanges text and binary up to 1 MiB. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldPassChromiumPageAgainstOurServer(String backend) throws Exception {
        requireNode();
        require(Files.isExecutable(Path.of("/usr/bin/chromium")), "/usr/bin/chromium is not installed");
        require(Files.isDirectory(DIR.resolve("node_modules/playwright-core")), "playwright-core not installed");
        Path shots = Path.of(System.getProperty("user.dir"), "target", "interop");
        Files.createDirectories(shots);
        EventLoop loop = TestBackends.open(backend);
        try {
            Server server = startServer(loop);
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            Path shot = shots.resolve("chromium-" + backend + ".png");
            assertEquals(0, run(180, "node", "browser.mjs", "http://127.0.0.1:" + port + "/", shot.toString()),
                    "browser.mjs: page checks");
            assertTrue(Files.size(shot) > 0, "screenshot saved to " + shot);
            server.close().get(10, TimeUnit.SECONDS);
        } finally {
            TestBackends.close(loop);
        }
    }

    /** Our client against npm ws as a server: the same matrix, deflate on and off, close codes both ways. */
    @ParameterizedTest
    @MethodSource("dev.roundhouse.websocket.TestBackends#names")
    void shouldPassOurClientMatrixAgainstWsServer(String backend) throws Exception {
        requireNode();
        Process node = new ProcessBuilder("node", "ws-server.mjs").directory(DIR.toFile()).redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    System.out.println("[ws-server] " + line);
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // ended
            }
        });
        pump.start();
        EventLoop loop = TestBackends.open(backend);
        try {
            String first = lines.poll(30, TimeUnit.SECONDS);
            assertTrue(first != null && first.startsWith("PORT "), "ws server started: " + first);
            URI uri = URI.create("ws://127.0.0.1:" + first.substring(5).trim() + "/");
            for (boolean deflate : new boolean[] {false, true}) {
                clientMatrix(loop, uri, deflate, lines);
            }
        } finally {
            node.getOutputStream().close();
            node.destroy();
            node.waitFor(10, TimeUnit.SECONDS);
            TestBackends.close(loop);
        }
    }

    static final class Collector extends EchoHandler {
        final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        final CompletableFuture<String> pong = new CompletableFuture<>();

        @Override
        public void onText(WebSocket ws, String text) {
            inbox.add(text);
        }

        @Override
        public void onBinary(WebSocket ws, ByteBuffer data) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            inbox.add(b);
        }

        @Override
        public void onPong(WebSocket ws, ByteBuffer payload) {
            pong.complete(StandardCharsets.UTF_8.decode(payload).toString());
        }
    }

    private static void clientMatrix(EventLoop loop, URI uri, boolean deflate, BlockingQueue<String> serverLines)
            throws Exception {
        WebSocketOptions o = WebSocketOptions.builder().perMessageDeflate(deflate).maxFrameBytes(17 << 20)
                .maxMessageBytes(17 << 20).maxInflatedBytes(17 << 20).maxPendingOutboundBytes(128L << 20).build();
        WebSocketClient client = WebSocketClient.builder(loop).options(o).build();
        Collector h = new Collector();
        WebSocket ws = client.connect(uri, h).get(10, TimeUnit.SECONDS);
        assertEquals(deflate, ws.extensions().contains("permessage-deflate"), "extensions: " + ws.extensions());
        Random rnd = new Random(deflate ? 1 : 2);
        for (int n : SIZES) {
            String text = "é€😀" + "y".repeat(n);
            loop.submit(() -> ws.sendText(text)).get();
            assertEquals(text, h.inbox.poll(60, TimeUnit.SECONDS), "text " + n);
            byte[] bin = new byte[n];
            rnd.nextBytes(bin);
            loop.submit(() -> ws.sendBinary(bin)).get();
            assertArrayEquals(bin, (byte[]) h.inbox.poll(60, TimeUnit.SECONDS), "binary " + n);
        }
        List<byte[]> parts = new ArrayList<>(List.of(new byte[1000], new byte[70_000], new byte[1]));
        parts.forEach(rnd::nextBytes);
        loop.submit(() -> {
            for (int i = 0; i < parts.size(); i++) {
                ws.sendFragment(false, ByteBuffer.wrap(parts.get(i)), i == parts.size() - 1);
            }
            return null;
        }).get();
        byte[] joined = new byte[71_001];
        int pos = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, joined, pos, p.length);
            pos += p.length;
        }
        assertArrayEquals(joined, (byte[]) h.inbox.poll(60, TimeUnit.SECONDS), "fragmented binary");
        loop.submit(() -> ws.ping(ByteBuffer.wrap("hi ws".getBytes(StandardCharsets.UTF_8)))).get();
        assertEquals("hi ws", h.pong.get(10, TimeUnit.SECONDS));
        CloseStatus ours = loop.submit(() -> ws.close(4002, "roundhouse bye")).get().get(10, TimeUnit.SECONDS);
        assertEquals(4002, ours.code(), "ws echoed our close code");
        assertTrue(waitFor(serverLines, "\"event\":\"close\",\"code\":4002"), "ws server saw close 4002");

        Collector h2 = new Collector();
        WebSocket ws2 = client.connect(uri, h2).get(10, TimeUnit.SECONDS);
        loop.submit(() -> ws2.sendText("close:4003")).get();
        assertEquals(new CloseStatus(4003, "ws closing", true), h2.closed.get(10, TimeUnit.SECONDS));
    }

    private static boolean waitFor(BlockingQueue<String> lines, String fragment) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            String l = lines.poll(1, TimeUnit.SECONDS);
            if (l != null && l.contains(fragment)) {
                return true;
            }
        }
        return false;
    }
}
