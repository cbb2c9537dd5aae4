package dev.roundhouse.loop.iouring;

import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.Transport;
import dev.roundhouse.loop.internal.StreamConnector;
import dev.roundhouse.loop.unix.UnixSockets;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * One outgoing connect on the ring: a non-blocking {@code connect(2)}, then a one-shot
 * {@code POLL_ADD} for {@code POLLOUT} whose completion finishes it ({@code SO_ERROR}: a refusal is a
 * {@link java.net.ConnectException}). On success the descriptor, with its registration, passes to the
 * transport. The timeout (shared {@link StreamConnector}) cancels the poll and closes the socket.
 * Loop thread only.
 */
final class UringConnector extends StreamConnector implements UringFd.Owner {
    private final UringPoller poller;
    private final UringFd fd;

    UringConnector(UringPoller poller, UringSocket socket, SocketAddress remote, Protocol protocol,
                   SocketOptions options, CompletableFuture<Transport> result) {
        super(poller.context(), remote, protocol, options, poller.resources(), result);
        this.poller = poller;
        this.fd = new UringFd(poller, socket, this);
    }

    void start() {
        pending();
        try {
            UnixSockets.setConnectionOptions(fd.socket(), options);
            if (fd.socket().connect(remote)) {
                connected();
            } else {
                fd.poll(UringOps.POLLOUT);
            }
        } catch (IOException | RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void completed(byte opcode, int res, int flags) {
        if (opcode != UringOps.OP_POLL_ADD || isDone()) {
            return; // timed out or the loop closed: the socket is closing already
        }
        try {
            if (fd.socket().finishConnect()) {
                connected();
            } else {
                fd.poll(UringOps.POLLOUT); // woken before the handshake finished
            }
        } catch (IOException | RuntimeException e) {
            failed(e);
        }
    }

    private void connected() {
        established(new UringTransport(poller, fd, remote, protocol, options)); // takes fd's completions
    }

    @Override
    protected void closeSocket() {
        fd.close();
    }
}
