package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.LoopClosedException;

/** Something a poller must release when its loop terminates: a transport, server or pending connect. */
public interface LoopResource {
    /** Releases at loop termination; transports call {@code connectionLost(cause)}. Loop thread only. */
    void closeForShutdown(LoopClosedException cause);
}
