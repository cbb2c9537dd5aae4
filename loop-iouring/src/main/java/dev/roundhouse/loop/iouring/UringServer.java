package dev.roundhouse.loop.iouring;

import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.ProtocolFactory;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.internal.StreamServer;
import dev.roundhouse.loop.unix.KernelRelease;
import dev.roundhouse.loop.unix.UnixSockets;
import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.NativeInetAddress;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A listening socket on the ring: one {@code ACCEPT} in flight at a time. When it completes, the
 * connections already queued behind it are taken at once with non-blocking {@code accept4} calls, up
 * to {@link #MAX_ACCEPTS_PER_COMPLETION} in all (the readiness servers' limit per event), and the next
 * {@code ACCEPT} is posted after them; so connections that arrived together are set up in the same
 * pass and their first answers leave together. One connection per completion set each up a ring
 * round trip after the one before, spreading the answers out (the connect/echo/close rate went from
 * 12.3&ndash;21.7 k to 20.1&ndash;30.1 k connections/s with this, README). While backing off after
 * EMFILE/ENFILE no accept is posted (the shared {@link StreamServer} times it).
 *
 * <p>Linux 6.10 and later say in the accept's completion whether more connections were queued
 * behind it ({@code IORING_CQE_F_SOCK_NONEMPTY}); there a completion without the flag skips the
 * drain, whose one {@code accept4} would only have failed with EAGAIN (a connection that arrives
 * after the completion is taken by the next accept, posted with the ring's next enter). Before 6.10
 * the flag is never set, and every completion drains.
 *
 * <p><b>Closing</b> shuts the listening socket down at once ({@code shutdown(2)} on a listener stops
 * it listening: later connects are refused, and the pending accept completes with EINVAL), so
 * {@code Server.close()}'s future means the port refuses; the descriptor itself is closed when the
 * ring has let it go ({@link UringFd}).
 *
 * <p>Loop thread only.
 */
final class UringServer extends StreamServer implements UringFd.Owner {
    /** Room for a {@code struct sockaddr_storage}, then the {@code socklen_t} the kernel fills in. */
    private static final int SOCKADDR_BYTES = 128;
    /** Connections one completed accept takes in a row, so a storm cannot starve established ones. */
    static final int MAX_ACCEPTS_PER_COMPLETION = MAX_ACCEPTS_AT_ONCE;
    /** Whether accept completions carry {@link UringOps#CQE_F_SOCK_NONEMPTY} (Linux 6.10+). */
    static final boolean COMPLETION_TELLS_QUEUED = KernelRelease.atLeast(6, 10);
    /** Netty's {@code accept4} writes the peer address here: a length byte, the address, the port. */
    private final byte[] drainedAddress = new byte[26];
    /** Connections set up by the largest completion so far (its own and those queued behind it). */
    private int largestBatch;
    /** Drains whose first {@code accept4} found nothing queued (for tests). */
    private int emptyDrains;

    private final UringPoller poller;
    private final UringFd fd;
    /** Where the accept in flight writes the peer's address: read on completion, no system call. */
    private final ByteBuffer peer = ByteBuffer.allocateDirect(SOCKADDR_BYTES + 8).order(ByteOrder.nativeOrder());
    private final long peerAddress = Buffer.memoryAddress(peer);

    UringServer(UringPoller poller, UringSocket socket, ProtocolFactory factory, SocketOptions options) {
        super(poller.context(), socket.localAddress(), factory, options, poller.resources());
        this.poller = poller;
        this.fd = new UringFd(poller, socket, this);
    }

    void start() {
        postAccept();
    }

    private void postAccept() {
        if (!isListening() || isBackingOff() || fd.inFlight(UringOps.OP_ACCEPT)) {
            return;
        }
        try {
            peer.putInt(SOCKADDR_BYTES, SOCKADDR_BYTES);
            fd.accept(peerAddress, peerAddress + SOCKADDR_BYTES);
        } catch (IOException | RuntimeException e) {
            ctx.reportException("accept on " + localAddress(), e);
        }
    }

    @Override
    public void completed(byte opcode, int res, int flags) {
        if (opcode != UringOps.OP_ACCEPT) {
            return;
        }
        if (!isListening()) {
            if (res >= 0) {
                UnixSockets.closeQuietly(new FileDescriptor(res)); // accepted as the server closed
            }
            return;
        }
        if (res < 0) {
            if (res == UringOps.EMFILE || res == UringOps.ENFILE) {
                backOff(Errors.newIOException("accept", res));
            } else if (res == UringOps.ECANCELED) {
                return;
            } else {
                if (res != UringOps.EAGAIN && res != UringOps.EINTR) {
                    ctx.reportException("accept on " + localAddress(), Errors.newIOException("accept", res));
                }
                postAccept();
            }
            return;
        }
        SocketAddress remote = Sockaddr.read(peer, peer.getInt(SOCKADDR_BYTES));
        accepted(new FileDescriptor(res), remote); // reports its own failures; never throws
        int queued = COMPLETION_TELLS_QUEUED && (flags & UringOps.CQE_F_SOCK_NONEMPTY) == 0 ? 0 : drainQueued();
        largestBatch = Math.max(largestBatch, 1 + queued);
        postAccept(); // submitted with the ring's next enter, so it waits for the next connection
    }

    /** Takes the connections already queued on the listener, up to the limit; returns how many. */
    private int drainQueued() {
        int taken = 1;
        for (; taken < MAX_ACCEPTS_PER_COMPLETION && isListening() && !isBackingOff(); taken++) {
            int queued;
            try {
                queued = fd.socket().accept(drainedAddress); // non-blocking listener: -1 when none is queued
            } catch (IOException e) {
                acceptFailed(e);
                break;
            }
            if (queued < 0) {
                if (taken == 1) {
                    emptyDrains++;
                }
                break;
            }
            accepted(new FileDescriptor(queued), NativeInetAddress.address(drainedAddress, 1, drainedAddress[0]));
        }
        return taken - 1;
    }

    /** Drains so far that found no connection queued (for tests). Loop thread only. */
    int emptyDrains() {
        return emptyDrains;
    }

    /** The most connections one accept completion set up so far (for tests). Loop thread only. */
    int largestBatch() {
        return largestBatch;
    }

    /**
     * Serves a connection; its options came with it from the listener ({@link UnixSockets#bindAndListen}).
     * It stays a bare descriptor: a {@code Socket} over it (and the {@code getsockname} its
     * constructor makes) only if the transport needs one.
     */
    private void accepted(FileDescriptor descriptor, SocketAddress remote) {
        Protocol protocol = newProtocol();
        if (protocol == null) {
            UnixSockets.closeQuietly(descriptor);
            return;
        }
        UringTransport t = new UringTransport(poller, new UringFd(poller, descriptor, null), remote, protocol, options);
        serve(t);
    }

    @Override
    protected void pauseAccepting() {
        // nothing is posted while backing off: the accept that failed was the only one
    }

    @Override
    protected void resumeAccepting() {
        postAccept();
    }

    @Override
    protected void closeListener() {
        try {
            fd.socket().shutdown(); // stops listening now: connects are refused from here on
        } catch (IOException ignored) {
            // closing the descriptor below ends it too, a little later
        }
        fd.close();
    }
}
