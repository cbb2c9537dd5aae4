package dev.roundhouse.loop.unix;

import dev.roundhouse.loop.EventLoop;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Netty's view of one of our loops, for an {@code IoHandler} our loop thread drives: its one thread
 * is ours, and work Netty hands it from elsewhere goes through our task queue.
 *
 * <p><b>Thread:</b> any.
 */
public final class LoopThreadExecutor implements ThreadAwareExecutor {
    private final EventLoop loop;
    private final Thread thread;

    /**
     * @param loop the loop whose queue takes work from other threads
     * @param thread the loop's thread (the caller, when a backend makes its poller)
     */
    public LoopThreadExecutor(EventLoop loop, Thread thread) {
        this.loop = loop;
        this.thread = thread;
    }

    /** Whether {@code t} is the loop's thread. */
    @Override
    public boolean isExecutorThread(Thread t) {
        return t == thread;
    }

    /**
     * Queues {@code task} on the loop.
     *
     * @throws dev.roundhouse.loop.LoopClosedException once the loop no longer takes tasks
     */
    @Override
    public void execute(Runnable task) {
        loop.execute(task);
    }
}
