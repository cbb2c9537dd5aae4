package dev.roundhouse.loop.nio;

import dev.roundhouse.loop.internal.Channels;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.internal.IoReadyListener;
import dev.roundhouse.loop.internal.SocketIo;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** A {@link SocketChannel} as the shared readiness transport drives it. Loop thread only. */
final class NioSocketIo implements SocketIo, NioHandle {
    private final NioPoller poller;
    private final SocketChannel ch;
    private IoReadyListener listener;
    private SelectionKey key;

    NioSocketIo(NioPoller poller, SocketChannel ch) {
        this.poller = poller;
        this.ch = ch;
    }

    @Override
    public void onSelected(int readyOps) {
        Interest ready = NioOps.fromOps(readyOps);
        if (!ready.isEmpty() && listener != null) {
            poller.context().enterCallback(listener);
            listener.onReady(ready);
        }
    }

    @Override
    public void configure(SocketOptions o) throws IOException {
        Channels.setConnectionOptions(ch, o);
    }

    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        return ch.connect(remote);
    }

    @Override
    public boolean finishConnect() throws IOException {
        return ch.finishConnect();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return ch.read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return ch.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return ch.write(srcs, offset, length);
    }

    @Override
    public void shutdownOutput() throws IOException {
        ch.shutdownOutput();
    }

    @Override
    public void bind(IoReadyListener l) {
        listener = l;
    }

    @Override
    public void setInterest(Interest interest) {
        int ops = NioOps.toOps(ch, interest);
        if (key == null) {
            if (ops == 0 || !ch.isOpen()) {
                return;
            }
            try {
                key = ch.register(poller.selector(), ops, this);
            } catch (ClosedChannelException e) {
                return; // closed under us: the transport learns it from its next read or write
            }
        } else if (key.isValid()) {
            key.interestOps(ops); // 0 makes the JDK remove the fd from its epoll set (no spin)
        }
    }

    @Override
    public void close(boolean reset) {
        if (reset && ch.isOpen()) {
            try {
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException ignored) {
                // not connected any more: a plain close is all that is left
            }
        }
        if (key != null) {
            key.cancel();
        }
        Channels.closeQuietly(ch);
    }

    @Override
    public SocketAddress localAddress() {
        try {
            return ch.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public SocketAddress remoteAddress() {
        try {
            return ch.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }
}
