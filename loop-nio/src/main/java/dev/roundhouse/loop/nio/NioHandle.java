package dev.roundhouse.loop.nio;

/** What a {@link java.nio.channels.SelectionKey} is attached to: receives its ready operations. */
interface NioHandle {
    /**
     * Called on the loop thread with the key's ready set (SelectionKey.OP_* bits). Before it runs a
     * listener or handler it marks it with {@code LoopContext.enterCallback} (the poller does not:
     * a second mark per event was a second reference store, with its GC write barrier, per event).
     */
    void onSelected(int readyOps);
}
