package dev.roundhouse.loop.internal;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * A {@code submit}ted callable as a task: completes its future with the callable's result or
 * failure. Stall reports and exception contexts name the callable ({@link Names.Wrapper}).
 */
final class SubmittedTask<T> implements Runnable, Names.Wrapper {
    private final Callable<T> task;
    private final CompletableFuture<T> result;

    SubmittedTask(Callable<T> task, CompletableFuture<T> result) {
        this.task = task;
        this.result = result;
    }

    @Override
    public void run() {
        try {
            result.complete(task.call());
        } catch (Throwable t) {
            result.completeExceptionally(t);
        }
    }

    @Override
    public Object wrapped() {
        return task;
    }
}
