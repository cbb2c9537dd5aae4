package dev.roundhouse.loop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed set of loops on one backend, handed out round-robin (a server process usually runs one
 * loop per core and gives each connection to one loop for its whole life).
 *
 * <p><b>Thread:</b> every method is thread-safe.
 */
public final class LoopGroup implements AutoCloseable {
    private final List<EventLoop> loops;
    private final AtomicInteger next = new AtomicInteger();

    LoopGroup(int size, LoopOptions options) {
        if (size < 1) {
            throw new IllegalArgumentException("a loop group needs at least one loop, got " + size);
        }
        List<EventLoop> opened = new ArrayList<>(size);
        try {
            for (int i = 0; i < size; i++) {
                opened.add(Loops.open(options));
            }
        } catch (RuntimeException e) {
            opened.forEach(EventLoop::close);
            throw e;
        }
        loops = List.copyOf(opened);
    }

    /** The next loop, round-robin. */
    public EventLoop next() {
        return loops.get(Math.floorMod(next.getAndIncrement(), loops.size()));
    }

    /** Every loop, in a fixed order. */
    public List<EventLoop> loops() {
        return loops;
    }

    /** The number of loops. */
    public int size() {
        return loops.size();
    }

    /**
     * Shuts down every loop gracefully (see {@link EventLoop#shutdownGracefully}).
     *
     * @return completes when every loop has terminated
     */
    public CompletableFuture<Void> shutdownGracefully(Duration quietPeriod, Duration timeout) {
        CompletableFuture<?>[] all = loops.stream()
                .map(l -> l.shutdownGracefully(quietPeriod, timeout))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(all);
    }

    /** Closes every loop and waits for each (see {@link EventLoop#close()}). Idempotent. */
    @Override
    public void close() {
        loops.forEach(l -> l.shutdownGracefully(Duration.ZERO, Duration.ZERO));
        loops.forEach(EventLoop::close);
    }
}
