package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.Transport;
import java.nio.ByteBuffer;
import java.util.function.BiConsumer;

/** A protocol that hands each {@code dataReceived} to a test's callback, with its transport. */
final class DataProtocol {
    private DataProtocol() {
    }

    /** A new protocol calling {@code onData} with the transport and the bytes (valid during the call only). */
    static Protocol of(BiConsumer<Transport, ByteBuffer> onData) {
        return new Protocol() {
            private Transport transport;

            @Override
            public void connectionMade(Transport t) {
                transport = t;
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                onData.accept(transport, data);
            }

            @Override
            public void connectionLost(Throwable cause) {
            }
        };
    }
}
