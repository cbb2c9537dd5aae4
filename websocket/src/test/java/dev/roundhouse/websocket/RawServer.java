package dev.roundhouse.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.roundhouse.loop.EventLoop;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A hand-driven server for testing our client: a loop on one backend runs the client, and the
 * test thread plays the server byte by byte.
 */
final class RawServer implements AutoCloseable {
    final EventLoop loop;
    final ServerSocket listener;
    EchoHandler handler = new EchoHandler();
    CompletableFuture<WebSocket> opened;
    Socket peer;
    InputStream in;
    OutputStream out;
    String request;

    RawServer(String backend) throws IOException {
        loop = TestBackends.open(backend);
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        listener.setSoTimeout(10_000);
    }

    /** Starts our client with {@code options}, accepts it, and answers with {@code respond(request)}. */
    RawServer connect(WebSocketOptions options, UnaryOperator<String> respond, String... subprotocols) throws Exception {
        opened = WebSocketClient.builder(loop).options(options).subprotocols(subprotocols).build()
                .connect(URI.create("ws://127.0.0.1:" + listener.getLocalPort() + "/chat?room=1"), handler);
        peer = listener.accept();
        peer.setSoTimeout(10_000);
        in = peer.getInputStream();
        out = peer.getOutputStream();
        request = readHead();
        String response = respond.apply(request);
        if (response != null) {
            send(response.getBytes(StandardCharsets.ISO_8859_1));
        }
        return this;
    }

    /** Connects and completes a plain valid handshake, asserting the client opened. */
    RawServer open(WebSocketOptions options) throws Exception {
        connect(options, req -> accept(req, ""));
        opened.get(10, TimeUnit.SECONDS);
        return this;
    }

    /** Drops the current peer and opens a fresh client connection (new handler) on the same loop. */
    RawServer reopen(WebSocketOptions options) throws Exception {
        if (peer != null) {
            peer.close();
        }
        handler = new EchoHandler();
        return open(options);
    }

    static String keyOf(String request) {
        for (String line : request.split("\r\n")) {
            if (line.regionMatches(true, 0, "Sec-WebSocket-Key:", 0, 18)) {
                return line.substring(18).trim();
            }
        }
        throw new AssertionError("no key in " + request);
    }

    /** A valid 101 for {@code request} plus extra header lines. */
    static String accept(String request, String extraHeaders) {
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
                + Handshakes.accept(keyOf(request)) + "\r\n" + extraHeaders + "\r\n";
    }

    String readHead() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    void send(byte[] b) throws IOException {
        out.write(b);
        out.flush();
    }

    /** Sends an unmasked (server) frame. */
    void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
        send(Wire.frame(fin, 0, opcode, payload, null));
    }

    Wire.Frame read() throws IOException {
        Wire.Frame f = Wire.read(in);
        assertEquals(true, f.masked(), "client frames are always masked");
        return f;
    }

    /** Expects the client's close frame with {@code code}, answers it, closes TCP, and checks the client saw the close. */
    void expectClose(int code) throws Exception {
        Wire.Frame f = read();
        while (f.opcode() != Opcodes.CLOSE) {
            f = read();
        }
        assertEquals(code, f.closeCode(), "client's close code");
        peer.close();
        handler.closed.get(10, TimeUnit.SECONDS);
    }

    /** Expects the client to close TCP (EOF or reset). */
    void expectEof() throws IOException {
        try {
            while (in.read() >= 0) {
                // drain
            }
        } catch (SocketTimeoutException e) {
            fail("client did not close the connection");
        } catch (SocketException e) {
            // reset
        }
    }

    @Override
    public void close() {
        try {
            if (peer != null) {
                peer.close();
            }
            listener.close();
            TestBackends.close(loop);
        } catch (Exception e) {
            throw new IllegalStateException("raw server did not close cleanly", e);
        }
    }
}
