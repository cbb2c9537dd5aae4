package dev.roundhouse.loop.epoll;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.Trigger;
import dev.roundhouse.loop.internal.IoReadyListener;
import dev.roundhouse.loop.internal.SocketIo;
import dev.roundhouse.loop.unix.EpollEvents;
import dev.roundhouse.loop.unix.LazySocket;
import dev.roundhouse.loop.unix.UnixSockets;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A TCP socket (plain syscalls on our descriptor through Netty's {@link FileDescriptor} and
 * {@link Socket}) as the shared {@link dev.roundhouse.loop.internal.ReadinessTransport} drives it,
 * level-triggered. Reads and writes go through the descriptor; an accepted socket's {@code Socket}
 * is made only if a shutdown, a reset or its local address needs it ({@link LazySocket}).
 *
 * <p><b>Buffers.</b> The syscalls take native memory. Reads go into the loop's direct read buffer
 * as they are. A single direct buffer (a write, or a write queue holding one chunk) is written as
 * it is; several buffers, or heap ones (a queue past the loop's direct budget), are copied into the
 * poller's direct staging buffer and written with one {@code write(2)} per staging-buffer's worth,
 * so a write allocates nothing and costs one system call.
 *
 * <p><b>Thread:</b> loop thread only.
 */
final class EpollSocketIo extends EpollHandle implements SocketIo {
    private final LazySocket lazy;
    /** Reused to route a single heap buffer through the gathering path without allocating. */
    private final ByteBuffer[] single = new ByteBuffer[1];
    private IoReadyListener listener;
    private Interest interest = Interest.NONE;
    private boolean closed;
    /** The peer as the accept reported it; {@code null} for a connected socket (asked of the kernel). */
    private final SocketAddress remote;

    /** A socket being connected: its peer's address is asked of the kernel ({@code getpeername}). */
    EpollSocketIo(EpollPoller poller, Socket socket) {
        this(poller, socket, null);
    }

    /** An accepted socket, with the peer's address as the accept reported it (no system call to learn it). */
    EpollSocketIo(EpollPoller poller, FileDescriptor descriptor, SocketAddress remote) {
        super(poller, descriptor);
        this.lazy = new LazySocket(descriptor);
        this.remote = remote;
        poller.claim(this);
    }

    @Override
    void onEvents(int events) {
        if (closed || listener == null) {
            return;
        }
        Interest ready = EpollEvents.ready(events, interest);
        if (!ready.isEmpty()) {
            poller.context().enterCallback(listener);
            listener.onReady(ready);
        }
    }

    @Override
    void evict() {
        removeFromSet(); // cannot happen while open: we release the fd number before closing it
    }

    @Override
    public void configure(SocketOptions o) throws IOException {
        UnixSockets.setConnectionOptions(socket(), o); // connected sockets only: accepted ones have the listener's
    }

    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        return socket().connect(remote); // ECONNREFUSED and friends throw a java.net.ConnectException
    }

    @Override
    public boolean finishConnect() throws IOException {
        return socket().finishConnect();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0; // read(2) of 0 bytes returns 0, which Netty reports as end-of-stream
        }
        if (dst.isDirect()) {
            int n = fd().read(dst, dst.position(), dst.limit());
            if (n > 0) {
                dst.position(dst.position() + n);
            }
            return n;
        }
        ByteBuffer stage = poller.staging();
        int n = fd().read(stage, 0, Math.min(dst.remaining(), stage.capacity()));
        if (n > 0) {
            dst.put(dst.position(), stage, 0, n).position(dst.position() + n);
        }
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (src.isDirect()) {
            int n = fd().write(src, src.position(), src.limit());
            src.position(src.position() + n);
            return n;
        }
        single[0] = src;
        try {
            return (int) write(single, 0, 1);
        } finally {
            single[0] = null;
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        if (length == 1 && srcs[offset].isDirect()) {
            return write(srcs[offset]); // a queue's one direct chunk: no staging copy
        }
        ByteBuffer stage = poller.staging();
        int next = offset;
        int end = offset + length;
        long total = 0;
        while (next < end) {
            int staged = 0;
            for (int i = next; i < end && staged < stage.capacity(); i++) {
                ByteBuffer b = srcs[i];
                int n = Math.min(b.remaining(), stage.capacity() - staged);
                stage.put(staged, b, b.position(), n);
                staged += n;
            }
            if (staged == 0) {
                break;
            }
            int written = fd().write(stage, 0, staged);
            total += written;
            for (int left = written; left > 0; ) {
                ByteBuffer b = srcs[next];
                int n = Math.min(left, b.remaining());
                b.position(b.position() + n);
                left -= n;
                if (!b.hasRemaining()) {
                    next++;
                }
            }
            while (next < end && !srcs[next].hasRemaining()) {
                next++;
            }
            if (written < staged) {
                break; // the socket buffer is full
            }
        }
        return total;
    }

    @Override
    public void shutdownOutput() throws IOException {
        socket().shutdown(false, true);
    }

    @Override
    public void bind(IoReadyListener l) {
        listener = l;
    }

    @Override
    public void setInterest(Interest next) {
        if (closed) {
            return;
        }
        interest = next;
        try {
            setMask(EpollEvents.mask(next, Trigger.LEVEL));
        } catch (IOException e) {
            // the fd stays out of the set; the transport's next read or write meets the cause
            poller.context().reportException("epoll_ctl for " + this, e);
        }
    }

    @Override
    public void close(boolean reset) {
        if (closed) {
            return;
        }
        closed = true;
        if (reset) {
            try {
                socket().setSoLinger(0);
            } catch (IOException | RuntimeException ignored) {
                // not connected (any more): a plain close is all there is
            }
        }
        closeDescriptor();
    }

    @Override
    public SocketAddress localAddress() {
        return closed ? null : socket().localAddress();
    }

    @Override
    public SocketAddress remoteAddress() {
        // the shared transport asks once; null if the kernel cannot say (not connected)
        return remote != null ? remote : socket().remoteAddress();
    }

    /** Netty's socket over the descriptor, made on first use for an accepted one (tests read options through it). */
    Socket socket() {
        return lazy.socket();
    }

    /** Whether the accepted socket's {@code Socket} was made (for tests). */
    boolean hasSocket() {
        return lazy.hasSocket();
    }

    @Override
    public String toString() {
        return "EpollSocketIo[fd " + fdValue() + (closed ? ", closed" : "") + "]";
    }
}
