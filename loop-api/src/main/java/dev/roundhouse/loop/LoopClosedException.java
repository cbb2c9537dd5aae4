package dev.roundhouse.loop;

import java.util.concurrent.RejectedExecutionException;

/**
 * The loop is shut down: a task, timer, listen or connect submitted after shutdown was rejected,
 * or a connection was ended because its loop closed.
 */
public final class LoopClosedException extends RejectedExecutionException {
    private static final long serialVersionUID = 1L;

    /** @param message which loop and what was rejected */
    public LoopClosedException(String message) {
        super(message);
    }
}
