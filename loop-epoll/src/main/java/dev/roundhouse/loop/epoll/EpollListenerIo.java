package dev.roundhouse.loop.epoll;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.internal.IoReadyListener;
import dev.roundhouse.loop.internal.ListenerIo;
import dev.roundhouse.loop.internal.SocketIo;
import dev.roundhouse.loop.unix.EpollEvents;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.NativeInetAddress;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * A listening socket, level-triggered on EPOLLIN. Accept errors keep the kernel's text, so EMFILE
 * reads "accept(..) failed: Too many open files" and the shared server backs off.
 * Loop thread only.
 */
final class EpollListenerIo extends EpollHandle implements ListenerIo {
    /** Netty's accept(2) writes the peer address here: a length byte, 16 address bytes, scope id, port. */
    private static final int ADDRESS_BYTES = 26;
    private final Socket socket;
    private final SocketAddress local;
    private final byte[] acceptedAddress = new byte[ADDRESS_BYTES];
    private IoReadyListener listener;
    private boolean closed;

    EpollListenerIo(EpollPoller poller, Socket socket) {
        super(poller, socket);
        this.socket = socket;
        this.local = socket.localAddress();
        poller.claim(this);
    }

    @Override
    void onEvents(int events) {
        if (!closed && listener != null) {
            poller.context().enterCallback(listener);
            listener.onReady(Interest.READ);
        }
    }

    @Override
    void evict() {
        removeFromSet();
    }

    @Override
    public SocketIo accept() throws IOException {
        int fd = socket.accept(acceptedAddress); // accept4(SOCK_NONBLOCK | SOCK_CLOEXEC); -1 when none is pending
        if (fd < 0) {
            return null;
        }
        // a bare descriptor: its Socket (and the getsockname that makes one) only if needed
        return new EpollSocketIo(poller, new FileDescriptor(fd), NativeInetAddress.address(acceptedAddress, 1, acceptedAddress[0]));
    }

    /** True: {@link dev.roundhouse.loop.unix.UnixSockets#bindAndListen} set the server's options on the listener. */
    @Override
    public boolean acceptedSocketsInheritOptions() {
        return true;
    }

    @Override
    public void bind(IoReadyListener l) {
        listener = l;
    }

    @Override
    public void setInterest(Interest interest) {
        if (closed) {
            return;
        }
        try {
            setMask(interest.isReadable() ? EpollEvents.EPOLLIN : 0);
        } catch (IOException e) {
            poller.context().reportException("epoll_ctl for listener " + local, e);
        }
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeDescriptor();
    }

    @Override
    public String toString() {
        return "EpollListenerIo[" + local + "]";
    }
}
