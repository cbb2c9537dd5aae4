package dev.roundhouse.loop.tck;

import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.SocketOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;

/**
 * The base of the TCP transport cases: skips them on backends without {@link Capability#TCP},
 * and offers a loopback server whose accepted protocols are {@link ProtocolRecorder}s, and plain
 * blocking JDK sockets as independent peers.
 */
public abstract class TcpTck extends BackendTck {
    /** The blocking peers' read timeout: a peer never waits longer than a case would. */
    protected static final int PEER_TIMEOUT_MS = (int) Await.TIMEOUT_MS;

    /** Skips the class's cases on backends without TCP. */
    @BeforeEach
    final void requireTcp() {
        requireCapability(Capability.TCP);
    }

    /** The loopback address with port 0. */
    protected static InetSocketAddress anyLoopbackPort() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /** A server on 127.0.0.1 that gives each connection a recorder made by {@code protocol}. */
    protected static final class Accepted {
        private final LinkedBlockingQueue<ProtocolRecorder> queue = new LinkedBlockingQueue<>();
        private final Server server;

        Accepted(EventLoop loop, SocketAddress local, Function<Integer, ProtocolRecorder> protocol,
                 SocketOptions options) {
            int[] n = {0};
            server = Await.get(loop.listen(local, () -> {
                ProtocolRecorder p = protocol.apply(n[0]++);
                queue.add(p);
                return p;
            }, options), "listen on " + local);
        }

        /** The server. */
        public Server server() {
            return server;
        }

        /** Waits (bounded) for the next accepted connection's protocol. */
        public ProtocolRecorder next() throws InterruptedException {
            ProtocolRecorder p = queue.poll(Await.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (p == null) {
                throw new AssertionError("no connection accepted within " + Await.TIMEOUT_MS + " ms");
            }
            return p;
        }

        /** The accepted protocols not taken yet. */
        public int pending() {
            return queue.size();
        }
    }

    /** Listens on 127.0.0.1 with default options, making {@code protocol.apply(connectionIndex)} per connection. */
    protected final Accepted listen(EventLoop loop, Function<Integer, ProtocolRecorder> protocol) {
        return new Accepted(loop, anyLoopbackPort(), protocol, SocketOptions.DEFAULTS);
    }

    /** Listens on 127.0.0.1 with an echo protocol per connection. */
    protected final Accepted listenEcho(EventLoop loop) {
        return listen(loop, i -> ProtocolRecorder.echo("server-" + i));
    }

    /** A blocking JDK socket connected to {@code server}, closed after the case. */
    protected final Socket peer(Server server) throws IOException {
        Socket s = closeLater(new Socket());
        s.connect(server.localAddress(), PEER_TIMEOUT_MS);
        s.setSoTimeout(PEER_TIMEOUT_MS);
        return s;
    }

    /** Reads exactly {@code n} bytes. */
    protected static byte[] readFully(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new AssertionError("end of stream after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    /** Reads until end-of-stream. */
    protected static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    /** A deterministic payload of {@code n} bytes (not a repeating short pattern). */
    protected static byte[] payload(int n) {
        byte[] b = new byte[n];
        int x = 0x2545F491;
        for (int i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            b[i] = (byte) x;
        }
        return b;
    }
}
