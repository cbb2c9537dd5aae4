/**
 * The IOCP-style completion backend ({@code "iocp"}) over {@link java.nio.channels.AsynchronousChannelGroup}:
 * a real I/O completion port on Windows; the JDK's emulation over epoll on Linux (kqueue on macOS).
 * The same code runs on all of them.
 *
 * <p><b>How a completion reaches the protocol.</b>
 * <ol>
 *   <li>The transport posts one operation (read, gathered write, accept, connect) on an
 *       asynchronous channel opened in the loop's group. The group runs on an
 *       {@code InlineExecutor}, so it is not a fixed thread pool: on Linux and macOS the loop thread
 *       performs the operation inside that call when it can finish at once.</li>
 *   <li>Whoever finishes it calls the operation's {@code Completion} handler, which only stores the
 *       outcome and pushes it on the loop's {@code CompletionQueue} (one compare-and-set): the loop
 *       thread itself, inside the call that started it or, on Linux, while it waits on the JDK's port
 *       ({@code DirectPort}: the loop thread runs the group's event loop, so an operation that had to
 *       wait completes on it too); elsewhere the JDK's one I/O thread of the group finishes what had to
 *       wait (and on Windows every operation) and unparks the loop thread if it is parked (coalesced).</li>
 *   <li>The loop thread, in {@code poll}, takes every queued completion at once and dispatches them in
 *       completion order. It plays the thread that dequeues the completion port, so every protocol
 *       callback runs on the loop thread, never inside the transport's own read or write call.</li>
 * </ol>
 *
 * <p><b>The cost of the hop.</b> A completion from the I/O thread is a thread hand-off that a
 * readiness loop does not have: an unpark (a futex wake on Linux) and a context switch whenever the
 * loop was idle, about 2.5 &micro;s (p50) alone. Until the group ran on the inline executor it was
 * paid twice per echo round trip on Linux (a group thread performed every write too), and a 64-byte
 * echo round trip measured 34&ndash;76 &micro;s at the median, 2.2&ndash;4.4 times nio's in the same
 * runs; with it, the write finishes on the loop thread and the round trip measured 18&ndash;28
 * &micro;s, 1.14&ndash;1.69 times nio's (JDK 17 and 25, a busy 2-vCPU VM; on an idle one, where waking
 * a halted vCPU dominates, the latency changed little and streaming throughput rose). On Windows every
 * completion still takes the hop. Figures, method and how to reproduce them: the module's README
 * ({@code HopCostBenchmark}).
 *
 * <p>On Linux that hop is gone ({@code DirectPort}): the loop thread waits on the port itself, a
 * wake-up is a byte on a loopback connection of the loop's own, and the echo server blocks once per
 * round trip instead of twice (the module's README).
 *
 * <p><b>Threads.</b> The loop thread and the JDK's I/O thread of the loop's group (daemon, named by the
 * JDK, since it takes no thread factory for it; on Linux it only serves as the loop's alarm). Closing
 * the loop waits for that thread to exit.
 *
 * <p><b>Not provided.</b> READINESS (registering a channel fails with
 * {@link dev.roundhouse.loop.MissingCapabilityException} "iocp does not provide READINESS", like
 * asyncio's {@code ProactorEventLoop}); RST on abort (no {@code SO_LINGER} on asynchronous
 * channels: the peer sees EOF); {@code IPV6_V6ONLY} on listeners.
 */
package dev.roundhouse.loop.iocp;
