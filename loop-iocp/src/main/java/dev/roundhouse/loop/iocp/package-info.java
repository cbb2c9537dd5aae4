/**
 * The IOCP-style completion backend ({@code "iocp"}) over {@link java.nio.channels.AsynchronousChannelGroup}:
 * a real I/O completion port on Windows; the JDK's emulation over epoll on Linux (kqueue on macOS).
 * The same code runs on all of them.
 *
 * <p><b>How a completion reaches the protocol.</b>
 * <ol>
 *   <li>The transport posts one operation (read, gathered write, accept, connect) on an
 *       asynchronous channel opened in the loop's group.</li>
 *   <li>A group thread ({@code roundhouse-iocp-<loop>-N}, daemon; one per loop by default) completes
 *       it and calls the operation's {@link dev.roundhouse.loop.iocp.Completion} handler, which only
 *       stores the outcome and pushes it on the loop's {@link dev.roundhouse.loop.iocp.CompletionQueue}
 *       (one compare-and-set), unparking the loop thread if it is parked (coalesced).</li>
 *   <li>The loop thread, in {@code poll}, takes every queued completion at once and dispatches them in
 *       completion order. It plays the thread that dequeues the completion port, so every protocol
 *       callback runs on the loop thread.</li>
 * </ol>
 *
 * <p><b>The cost of the hop.</b> Step 2 is a thread hand-off that a readiness loop does not have:
 * an unpark (a futex wake on Linux) and a context switch whenever the loop was idle. Alone it costs
 * about 2.7 &micro;s (p50); on Linux the JDK's emulation adds more around it (a write posted from the
 * loop thread is performed by a group thread after {@code EPOLLOUT}), so a 64-byte echo round trip
 * measured 35&ndash;53 &micro;s against nio's 16&ndash;17 &micro;s in the same runs. Figures, method and
 * how to reproduce them: the module's README ({@code HopCostBenchmark}).
 *
 * <p><b>Not provided.</b> READINESS (registering a channel fails with
 * {@link dev.roundhouse.loop.MissingCapabilityException} "iocp does not provide READINESS", like
 * asyncio's {@code ProactorEventLoop}); RST on abort (no {@code SO_LINGER} on asynchronous
 * channels: the peer sees EOF); {@code IPV6_V6ONLY} on listeners.
 */
package dev.roundhouse.loop.iocp;
