package dev.roundhouse.loop;

/**
 * Receives exceptions that escaped a callback (task, timer, protocol or readiness handler).
 * Asyncio's {@code loop.set_exception_handler}.
 *
 * <p>Called on the loop thread. An exception thrown by the handler itself is printed to
 * {@code System.err} and otherwise ignored: the loop never dies of a callback's failure.
 */
@FunctionalInterface
public interface ExceptionHandler {

    /**
     * @param loop the loop the failure happened on
     * @param context what was running, e.g. {@code "dataReceived of EchoProtocol"}
     * @param error what was thrown
     */
    void onException(EventLoop loop, String context, Throwable error);
}
