package dev.roundhouse.loop;

/**
 * Receives readiness notifications for a {@link Registration}.
 *
 * <p>Grammar: {@code register -> onReady* -> cancel}. Called on the loop thread only. An
 * exception thrown from {@code onReady} is passed to the loop's {@link ExceptionHandler} and the
 * registration is cancelled; the loop keeps running.
 */
@FunctionalInterface
public interface ReadinessHandler {

    /**
     * The channel is ready for (a subset of) the registered interest.
     *
     * @param registration the registration that fired
     * @param ready the ready operations, never {@link Interest#NONE}; end-of-stream and hang-up
     *     arrive as {@link Interest#READ}, an error as {@link Interest#READ_WRITE} (where the
     *     interest allows) so that the next read or write surfaces it
     */
    void onReady(Registration registration, Interest ready);
}
