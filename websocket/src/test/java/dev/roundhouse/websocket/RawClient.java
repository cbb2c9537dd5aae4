package dev.roundhouse.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A blocking, hand-driven client that writes exactly the bytes a test asks for. */
final class RawClient implements AutoCloseable {
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    final Socket socket;
    final InputStream in;
    final OutputStream out;

    RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    static String request(String path, String extraHeaders) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
    }

    /** Sends an upgrade for /echo with extra header lines, returns the response head. */
    String handshake(String extraHeaders) throws IOException {
        send(request("/echo", extraHeaders).getBytes(StandardCharsets.ISO_8859_1));
        return readHead();
    }

    /** Upgrades and asserts 101. */
    RawClient open() throws IOException {
        return open("");
    }

    RawClient open(String extraHeaders) throws IOException {
        String head = handshake(extraHeaders);
        assertTrue(head.startsWith("HTTP/1.1 101 "), head);
        assertTrue(head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), head);
        return this;
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

    /** Reads everything until EOF (for HTTP error responses). */
    String readAll() throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    void send(byte[] b) throws IOException {
        out.write(b);
        out.flush();
    }

    void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
        send(Wire.client(fin, opcode, payload));
    }

    void sendText(String s) throws IOException {
        sendFrame(true, Opcodes.TEXT, Wire.utf8(s));
    }

    Wire.Frame read() throws IOException {
        return Wire.read(in);
    }

    /** Expects the server to send a close frame with {@code code} (and then to close TCP). */
    void expectClose(int code) throws IOException {
        Wire.Frame f = read();
        while (f.opcode() != Opcodes.CLOSE) {
            f = read();
        }
        assertEquals(code, f.closeCode(), "close code");
        expectEof();
    }

    /** Expects the server to close the TCP connection (EOF or reset) within the socket timeout. */
    void expectEof() throws IOException {
        try {
            while (in.read() >= 0) {
                // drain
            }
        } catch (SocketTimeoutException e) {
            fail("server did not close the connection");
        } catch (SocketException | EOFException e) {
            // reset counts as closed
        }
    }

    /** Sends a close frame and expects the echo with the same code and a TCP close. */
    void closeCleanly(int code) throws IOException {
        sendFrame(true, Opcodes.CLOSE, Wire.closePayload(code, ""));
        expectClose(code);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
