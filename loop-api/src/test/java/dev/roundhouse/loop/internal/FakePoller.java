package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.ProtocolFactory;
import dev.roundhouse.loop.ReadinessHandler;
import dev.roundhouse.loop.Registration;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.Transport;
import dev.roundhouse.loop.Trigger;
import dev.roundhouse.loop.spi.Poller;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.channels.SelectableChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** A poller that blocks on a semaphore; its wakeup can be made to fail. */
final class FakePoller implements Poller {
    final Semaphore wake = new Semaphore(0);
    final AtomicBoolean failWakeup = new AtomicBoolean();
    final AtomicInteger wakeups = new AtomicInteger();
    final CountDownLatch blocked = new CountDownLatch(1);
    /** A permit per poll that may block (entered after the loop published its sleep). */
    final Semaphore blockingPolls = new Semaphore(0);
    /** When the last poll that may block began (written before its permit is released). */
    volatile long lastBlockingPollNanos;
    /** Polls that may block, so far. */
    final AtomicLong blockingPollCount = new AtomicLong();
    /** Run on the loop thread at the start of each poll that may block (an I/O handler's stand-in). */
    volatile Runnable onBlockingPoll;
    /** Run on the loop thread inside each poll that may block, after its wait (an event dispatched in the poll). */
    volatile Runnable afterBlockingWait;
    /** Run on the loop thread at the start of every poll. */
    volatile Runnable onEveryPoll;
    /** Wait for a wakeup busily instead of parking: a sleep then lasts only as long as the wakeup takes. */
    volatile boolean busyWait;
    /** What {@link #spinBelowNanos()} declares (read once, when the loop starts). */
    volatile long spinBelow;
    /** A timed wait ends this much before its timeout (a coarse OS wait's stand-in). */
    volatile long timedWaitsShortBy;
    /** The shortest positive timeout any poll was given so far. */
    final AtomicLong shortestTimedPoll = new AtomicLong(Long.MAX_VALUE);
    /** Calls of {@link #pollSpinning(long)} so far. */
    final AtomicLong spinningPolls = new AtomicLong();
    /** Run on the loop thread at the start of each {@link #pollSpinning(long)}. */
    volatile Runnable onSpinningPoll;
    /** The {@code dueInNanos} of the spinning polls: the smallest and the largest so far. */
    final AtomicLong leastDueIn = new AtomicLong(Long.MAX_VALUE);
    final AtomicLong mostDueIn = new AtomicLong(Long.MIN_VALUE);

    @Override
    public long spinBelowNanos() {
        return spinBelow;
    }

    @Override
    public int pollSpinning(long dueInNanos) {
        spinningPolls.incrementAndGet();
        leastDueIn.accumulateAndGet(dueInNanos, Math::min);
        mostDueIn.accumulateAndGet(dueInNanos, Math::max);
        Runnable hook = onSpinningPoll;
        if (hook != null) {
            hook.run();
        }
        return 0;
    }

    @Override
    public int poll(long timeoutNanos) throws java.io.IOException {
        Runnable everyPoll = onEveryPoll;
        if (everyPoll != null) {
            everyPoll.run();
        }
        if (timeoutNanos > 0) {
            shortestTimedPoll.accumulateAndGet(timeoutNanos, Math::min);
        }
        try {
            if (timeoutNanos != 0) {
                lastBlockingPollNanos = System.nanoTime();
                blockingPollCount.incrementAndGet();
                blockingPolls.release();
                blocked.countDown();
                Runnable hook = onBlockingPoll;
                if (hook != null) {
                    hook.run();
                }
            }
            if (busyWait && timeoutNanos != 0) {
                while (!wake.tryAcquire()) {
                    Thread.onSpinWait();
                }
            } else if (timeoutNanos < 0) {
                wake.acquire();
            } else {
                wake.tryAcquire(Math.max(0, timeoutNanos - timedWaitsShortBy), TimeUnit.NANOSECONDS);
            }
            wake.drainPermits();
            Runnable after = afterBlockingWait;
            if (after != null && timeoutNanos != 0) {
                after.run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    @Override
    public void wakeup() {
        wakeups.incrementAndGet();
        if (failWakeup.get()) {
            throw new UncheckedIOException(new java.io.IOException("eventfd write failed (test)"));
        }
        wake.release();
    }

    @Override
    public Registration register(SelectableChannel c, Interest i, Trigger t, ReadinessHandler h) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void listen(SocketAddress a, ProtocolFactory f, SocketOptions o, CompletableFuture<Server> r) {
        r.completeExceptionally(new UnsupportedOperationException());
    }

    @Override
    public void connect(SocketAddress a, Protocol p, SocketOptions o, CompletableFuture<Transport> r) {
        r.completeExceptionally(new UnsupportedOperationException());
    }

    @Override
    public void close() {
        wake.release();
    }
}
