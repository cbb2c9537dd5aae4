package dev.roundhouse.bench.server;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Loops;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.SocketOptions;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The Roundhouse echo server on any backend, by name: one loop (one thread), the loop's shared
 * direct read buffer, TCP_NODELAY. A backend joins the benchmark matrix as soon as
 * {@link Loops#backends()} reports it available; nothing here names a backend.
 *
 * <p>{@code -Droundhouse.bench.stallThresholdMs=N} sets the loop's stall threshold ({@code 0}: the
 * loop is not watched, so no watchdog thread runs beside it), for A/B runs of the watchdog's cost;
 * without it the default.
 */
final class RoundhouseEchoServer implements EchoServer {
    private final String backend;
    private EventLoop loop;

    RoundhouseEchoServer(String backend) {
        this.backend = backend;
    }

    @Override
    public String start(int port) throws Exception {
        LoopOptions.Builder loopOptions = LoopOptions.builder().backend(backend).threadName("bench-" + backend);
        Long stallMs = Long.getLong("roundhouse.bench.stallThresholdMs");
        if (stallMs != null) {
            loopOptions.stallThreshold(stallMs, TimeUnit.MILLISECONDS);
        }
        loop = Loops.open(loopOptions.build());
        SocketOptions options = SocketOptions.builder().tcpNoDelay(true).build();
        Server server = loop.listen(new InetSocketAddress("127.0.0.1", port), EchoProtocol::new, options)
                .get(10, TimeUnit.SECONDS);
        return "roundhouse " + loop.backendName() + " on " + server.localAddress();
    }

    @Override
    public void stop() {
        if (loop != null) {
            loop.close();
        }
    }
}
