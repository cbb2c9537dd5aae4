package dev.roundhouse.bench.server;

/** One echo server implementation under test, run alone in its own process. */
interface EchoServer {

    /**
     * Binds 127.0.0.1:{@code port} and starts serving; returns a one-line description once
     * connections are accepted.
     */
    String start(int port) throws Exception;

    /** Stops serving and releases threads and sockets. Idempotent. */
    void stop() throws Exception;
}
