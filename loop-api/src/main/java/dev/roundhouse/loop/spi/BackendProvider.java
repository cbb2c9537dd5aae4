package dev.roundhouse.loop.spi;

import dev.roundhouse.loop.Capability;
import java.io.IOException;
import java.util.Set;

/**
 * A backend, found with {@link java.util.ServiceLoader}: list the implementing class in
 * {@code META-INF/services/dev.roundhouse.loop.spi.BackendProvider}.
 *
 * <p>The provider is stateless and thread-safe; one {@link Poller} is made per loop.
 */
public interface BackendProvider {

    /** A short unique lower-case name, e.g. {@code "epoll"}. */
    String name();

    /**
     * Higher wins automatic selection among available backends. Conventions: nio 10,
     * iocp 20 (50 on Windows), kqueue 50, epoll 50, io_uring 60.
     */
    int priority();

    /** Whether this backend can run here; must not throw, and should be cheap after the first call. */
    Availability availability();

    /** What the backend provides. */
    Set<Capability> capabilities();

    /**
     * Makes the poller for one loop. Called on the new loop's thread before it runs anything.
     *
     * @throws IOException if the OS refuses (e.g. no descriptors left)
     */
    Poller newPoller(LoopContext context) throws IOException;
}
