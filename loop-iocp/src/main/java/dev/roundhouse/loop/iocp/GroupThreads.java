package dev.roundhouse.loop.iocp;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names a loop's group threads {@code roundhouse-iocp-<loop>-N} (so leak checks and thread dumps
 * tie them to their loop) and makes them daemons (a forgotten loop never keeps the JVM alive).
 * Any thread.
 */
final class GroupThreads implements ThreadFactory {
    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();

    /** @param loop the loop's name, e.g. its thread's name */
    GroupThreads(String loop) {
        this.prefix = "roundhouse-iocp-" + loop + "-";
    }

    @Override
    public Thread newThread(Runnable r) {
        Thread t = new Thread(r, prefix + count.incrementAndGet());
        t.setDaemon(true);
        return t;
    }
}
