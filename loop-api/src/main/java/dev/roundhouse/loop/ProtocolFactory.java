package dev.roundhouse.loop;

/**
 * Makes one {@link Protocol} per accepted connection (Twisted's {@code Factory}).
 *
 * <p><b>Thread:</b> called on the server's loop thread. An exception thrown here is reported to
 * the loop's {@link ExceptionHandler} and the accepted connection is closed.
 */
@FunctionalInterface
public interface ProtocolFactory {

    /** Returns a new protocol for one connection; never {@code null}. */
    Protocol newProtocol();
}
