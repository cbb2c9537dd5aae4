package dev.roundhouse.loop;

/**
 * An optional feature of a backend. A feature the backend lacks fails with
 * {@link MissingCapabilityException}; conformance cases that need it are skipped with the reason.
 */
public enum Capability {
    /** Readiness registration of channels: {@link EventLoop#register}. */
    READINESS,
    /**
     * {@link Trigger#EDGE} is implemented by the OS (epoll {@code EPOLLET}, kqueue {@code EV_CLEAR})
     * and notifies on every new arrival even without a drain.
     */
    NATIVE_EDGE,
    /** I/O completes on the backend's side (IOCP, io_uring): transports never expose readiness. */
    COMPLETION,
    /** TCP listen and connect ({@link EventLoop#listen}, {@link EventLoop#connect}). */
    TCP,
    /** {@code SO_REUSEPORT}: several listeners, one per loop, on the same address. */
    REUSE_PORT
}
