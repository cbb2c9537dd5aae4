package dev.roundhouse.loop.tck;

import static org.junit.jupiter.api.Assertions.fail;

import dev.roundhouse.loop.EventLoop;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounded waits for the conformance cases: every wait has a deadline and fails with what it was
 * waiting for, so a broken backend fails a case instead of hanging the build.
 *
 * <p><b>Thread:</b> any thread except a loop thread (these block).
 */
public final class Await {
    /** How long a positive expectation may take; generous for a loaded 2-core CI machine. */
    public static final long TIMEOUT_MS = 10_000;
    /** The timer that closes a negative window after the loop iterations (see {@link #quiet}). */
    public static final long QUIET_WINDOW_MS = 30;
    /** Loop iterations run by a negative window. */
    public static final int QUIET_ITERATIONS = 10;

    private Await() {
    }

    /** The future's value, failing the case after {@link #TIMEOUT_MS} with {@code what}. */
    public static <T> T get(Future<T> future, String what) {
        try {
            return future.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        } catch (TimeoutException e) {
            throw new AssertionError("timed out after " + TIMEOUT_MS + " ms waiting for " + what);
        } catch (ExecutionException e) {
            throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
        }
    }

    /** The exception the future completed with, failing if it completes normally or not at all. */
    public static Throwable failure(Future<?> future, String what) {
        try {
            Object value = future.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            throw new AssertionError(what + " was expected to fail but completed with " + value);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        } catch (TimeoutException e) {
            throw new AssertionError("timed out after " + TIMEOUT_MS + " ms waiting for " + what);
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    /** Waits for the latch, failing the case after {@link #TIMEOUT_MS} with {@code what}. */
    public static void await(CountDownLatch latch, String what) {
        try {
            if (!latch.await(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                fail("timed out after " + TIMEOUT_MS + " ms waiting for " + what + " (" + latch.getCount()
                        + " outstanding)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        }
    }

    /** Runs {@code task} on the loop thread and returns its result (bounded wait). */
    public static <T> T call(EventLoop loop, Callable<T> task) {
        return get(loop.submit(task), "a task on " + loop);
    }

    /** Runs {@code task} on the loop thread and waits for it (bounded wait). */
    public static void run(EventLoop loop, ThrowingRunnable task) {
        get(loop.submit(() -> {
            task.run();
            return null;
        }), "a task on " + loop);
    }

    /** Runs {@code task} on the loop thread and returns what it threw, or {@code null} (bounded wait). */
    public static Throwable thrownOnLoop(EventLoop loop, ThrowingRunnable task) {
        return get(loop.submit(() -> {
            try {
                task.run();
                return null;
            } catch (Throwable t) {
                return t;
            }
        }), "a task on " + loop);
    }

    /** The loop's thread, found by running a task on it. */
    public static Thread loopThread(EventLoop loop) {
        return call(loop, Thread::currentThread);
    }

    /**
     * A bounded negative window: lets the loop run {@code iterations} full iterations (each task
     * re-queues itself, and the loop runs the tasks a task queues only in the next iteration,
     * after a poll), then one poll that blocks for {@code windowMs} on a timer. Whatever the
     * backend would report in that time is dispatched before this returns.
     */
    public static void quiet(EventLoop loop, int iterations, long windowMs) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(new Runnable() {
            private int left = iterations;

            @Override
            public void run() {
                if (--left > 0) {
                    loop.execute(this);
                } else {
                    loop.callLater(() -> loop.execute(() -> done.complete(null)), windowMs,
                            TimeUnit.MILLISECONDS);
                }
            }
        });
        get(done, iterations + " loop iterations and a " + windowMs + " ms window");
    }

    /** {@link #quiet(EventLoop, int, long)} with {@link #QUIET_ITERATIONS} and {@link #QUIET_WINDOW_MS}. */
    public static void quiet(EventLoop loop) {
        quiet(loop, QUIET_ITERATIONS, QUIET_WINDOW_MS);
    }

    /** A runnable that may throw, for tasks that do I/O. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        /** Runs. */
        void run() throws Exception;
    }
}
