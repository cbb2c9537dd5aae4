package dev.roundhouse.loop.nio;

import dev.roundhouse.loop.internal.Channels;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.internal.IoReadyListener;
import dev.roundhouse.loop.internal.ListenerIo;
import dev.roundhouse.loop.internal.SocketIo;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A listening {@link ServerSocketChannel}. Loop thread only. */
final class NioListenerIo implements ListenerIo, NioHandle {
    private final NioPoller poller;
    private final ServerSocketChannel ch;
    private final SocketAddress local;
    private IoReadyListener listener;
    private SelectionKey key;

    NioListenerIo(NioPoller poller, ServerSocketChannel ch) throws IOException {
        this.poller = poller;
        this.ch = ch;
        this.local = ch.getLocalAddress();
    }

    @Override
    public void onSelected(int readyOps) {
        if (listener != null) {
            poller.context().enterCallback(listener);
            listener.onReady(Interest.READ);
        }
    }

    @Override
    public SocketIo accept() throws IOException {
        SocketChannel c = ch.accept();
        if (c == null) {
            return null;
        }
        try {
            c.configureBlocking(false);
        } catch (IOException e) {
            Channels.closeQuietly(c);
            throw e;
        }
        return new NioSocketIo(poller, c);
    }

    @Override
    public void bind(IoReadyListener l) {
        listener = l;
    }

    @Override
    public void setInterest(Interest interest) {
        int ops = interest.isReadable() ? SelectionKey.OP_ACCEPT : 0;
        if (key == null) {
            if (ops == 0) {
                return;
            }
            try {
                key = ch.register(poller.selector(), ops, this);
            } catch (ClosedChannelException e) {
                return;
            }
        } else if (key.isValid()) {
            key.interestOps(ops);
        }
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public void close() {
        if (key != null) {
            key.cancel();
        }
        Channels.closeQuietly(ch);
    }
}
