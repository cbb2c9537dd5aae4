package dev.roundhouse.loop.nio;

import dev.roundhouse.loop.Interest;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** Maps {@link Interest} to and from {@link SelectionKey} operation bits for a given channel. */
final class NioOps {
    private NioOps() {
    }

    /** READ is OP_READ or OP_ACCEPT; WRITE is OP_WRITE, or OP_CONNECT while a connect is pending. */
    static int toOps(SelectableChannel ch, Interest interest) {
        int valid = ch.validOps();
        int ops = 0;
        if (interest.isReadable()) {
            ops |= valid & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT);
        }
        if (interest.isWritable()) {
            boolean connecting = ch instanceof SocketChannel && ((SocketChannel) ch).isConnectionPending();
            ops |= valid & (connecting ? SelectionKey.OP_CONNECT : SelectionKey.OP_WRITE);
        }
        return ops;
    }

    static Interest fromOps(int ops) {
        boolean read = (ops & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0;
        boolean write = (ops & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0;
        return Interest.of(read, write);
    }
}
