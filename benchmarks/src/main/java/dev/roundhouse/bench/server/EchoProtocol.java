package dev.roundhouse.bench.server;

import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.Transport;
import java.nio.ByteBuffer;

/**
 * Echoes every byte back. Back-pressure: when the transport's write buffer rises above its
 * high-water mark, reading pauses until it drains, so a client that does not read cannot make the
 * server buffer without bound (the Netty servers here do the same through the client's window).
 *
 * <p>Grammar: {@code connectionMade -> dataReceived* -> eofReceived? -> connectionLost}.
 * <p><b>Thread:</b> loop thread only, like every {@link Protocol}.
 */
final class EchoProtocol implements Protocol {
    private Transport transport;

    @Override
    public void connectionMade(Transport transport) {
        this.transport = transport;
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        // data is ours only during the call: a readiness transport copies what the socket does not
        // take now, a completion transport keeps the buffer itself (4 KiB and up) and reads into another
        transport.write(data);
    }

    @Override
    public void connectionLost(Throwable cause) {
        transport = null;
    }

    @Override
    public void pauseWriting() {
        transport.pauseReading();
    }

    @Override
    public void resumeWriting() {
        transport.resumeReading();
    }
}
