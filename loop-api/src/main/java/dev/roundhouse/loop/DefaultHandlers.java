package dev.roundhouse.loop;

import java.util.concurrent.TimeUnit;

/** The default exception and stall handlers: one {@link System.Logger} record each. */
final class DefaultHandlers {
    private static final System.Logger LOG = System.getLogger("dev.roundhouse.loop");

    static final ExceptionHandler EXCEPTIONS = (loop, context, error) ->
            LOG.log(System.Logger.Level.WARNING, "unhandled exception in " + context + " on " + loop, error);

    static final StallHandler STALLS = (loop, callback, blockedNanos) ->
            LOG.log(System.Logger.Level.WARNING, "loop " + loop + " blocked for "
                    + TimeUnit.NANOSECONDS.toMillis(blockedNanos) + " ms in " + callback);

    private DefaultHandlers() {
    }
}
