package dev.roundhouse.websocket;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Server;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A loop on one backend with a WebSocket echo server at {@code /echo}; closing it checks the loop terminates. */
final class ServerFixture implements AutoCloseable {
    final EventLoop loop;
    final Server server;
    final EchoHandler lastHandler[] = new EchoHandler[1];

    ServerFixture(String backend, WebSocketOptions options) throws Exception {
        this(backend, options, b -> { });
    }

    ServerFixture(String backend, WebSocketOptions options, Consumer<WebSocketServer.Builder> customize) throws Exception {
        loop = TestBackends.open(backend);
        WebSocketServer.Builder b = WebSocketServer.builder().options(options)
                .route("/echo", () -> {
                    EchoHandler h = new EchoHandler();
                    lastHandler[0] = h;
                    return h;
                });
        customize.accept(b);
        server = b.build().listen(loop, new InetSocketAddress("127.0.0.1", 0)).get(10, TimeUnit.SECONDS);
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    RawClient client() throws Exception {
        return new RawClient(port());
    }

    /** The last connection's handler once it has closed. */
    CloseStatus handlerClose() throws Exception {
        return lastHandler[0].closed.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        try {
            server.close().get(10, TimeUnit.SECONDS);
            TestBackends.close(loop);
        } catch (Exception e) {
            throw new IllegalStateException("fixture did not close cleanly", e);
        }
    }
}
