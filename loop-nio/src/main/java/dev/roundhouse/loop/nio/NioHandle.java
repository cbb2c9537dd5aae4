package dev.roundhouse.loop.nio;

/** What a {@link java.nio.channels.SelectionKey} is attached to: receives its ready operations. */
interface NioHandle {
    /** Called on the loop thread with the key's ready set (SelectionKey.OP_* bits). */
    void onSelected(int readyOps);
}
