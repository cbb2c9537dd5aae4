package dev.roundhouse.loop.spi;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.ProtocolFactory;
import dev.roundhouse.loop.ReadinessHandler;
import dev.roundhouse.loop.Registration;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.Transport;
import dev.roundhouse.loop.Trigger;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SelectableChannel;
import java.util.concurrent.CompletableFuture;

/**
 * One loop's I/O backend. The shared engine owns the loop (thread, tasks, timers, lifecycle);
 * the poller only waits for I/O and dispatches it.
 *
 * <p><b>Thread:</b> every method except {@link #wakeup()} is called by the engine on the loop
 * thread; the engine has already checked affinity and capabilities.
 */
public interface Poller {

    /**
     * Waits for I/O up to {@code timeoutNanos} and dispatches every ready or completed event to
     * its handler. Returns early when {@link #wakeup()} was called (before or during the wait).
     * A handler's exception must be passed to {@link LoopContext#reportException} and must not
     * escape. Call {@link LoopContext#enterCallback} before each event's handler: the engine marks
     * the loop idle for the wait, so the stall detector only times the dispatch.
     *
     * <p>The engine calls it with 0 when tasks are waiting or a timer is due, with -1 when no
     * timer is pending, and otherwise with the time until the next timer (not less than the
     * loop's timer spin, by default {@link #spinBelowNanos()}); a wait that ends early is
     * followed by another poll. A poller whose waits are coarse may end a wait late by its
     * granularity, but must not return at once for a short positive timeout (the engine would
     * spin where the options said not to).
     *
     * @param timeoutNanos 0 to not block, -1 to block until an event or a wakeup
     * @return the number of events dispatched
     * @throws IOException if the OS wait itself fails; the engine reports it and retries
     */
    int poll(long timeoutNanos) throws IOException;

    /**
     * How close to a timer's deadline a timed wait of this poller stops being worth it: the loop's
     * default {@link dev.roundhouse.loop.LoopOptions#timerSpinNanos() timer spin}. A poller whose
     * timed waits are coarse ({@code Selector} waits in whole milliseconds) or wake late (through
     * another thread) returns how close it is; the engine then does not ask it to wait for less
     * (unless the options set a shorter spin): it spins toward the deadline instead, calling
     * {@link #pollSpinning(long)} until the timer is due, without publishing that the loop sleeps
     * (producers' tasks cost no wakeup meanwhile). A timer then fires within microseconds of its
     * deadline, at the price of up to this much spinning per timer. Default 0: every timed wait is
     * as precise as the OS's timer.
     *
     * <p><b>Thread:</b> the loop thread, once, right after the poller is made; the value must not
     * change. A negative value is treated as 0.
     */
    default long spinBelowNanos() {
        return 0;
    }

    /**
     * A non-blocking poll while the engine spins toward a timer due within the loop's timer spin
     * (by default {@link #spinBelowNanos()}): like {@code poll(0)} (never blocks, dispatches what
     * is ready), but no task is waiting, so a backend that treats {@code poll(0)} as "the loop is
     * kept busy by tasks" must not count this one as such. The engine calls it in a tight loop
     * (one spin-wait hint apart), so it should be cheap when nothing is ready. A poll that is not
     * cheap (a look through another channel, as iocp's) should not start when it would end after
     * the timer is due, {@code dueInNanos} from the call: the timer would fire that much late,
     * while what the poll would find can wait for a poll after the timer. The engine also calls it,
     * with 0, for the poll of a step during which the timer fell due (the next step runs it), rather
     * than {@code poll(0)}, the poll of a loop that tasks keep busy. Default: {@code poll(0)}.
     *
     * @param dueInNanos how far the timer the engine spins toward is from being due, read from the
     *     clock just before the call (0: due now; otherwise positive, below the loop's timer spin)
     * @return the number of events dispatched
     * @throws IOException if the OS poll fails; the engine reports it and retries
     */
    default int pollSpinning(long dueInNanos) throws IOException {
        return poll(0);
    }

    /**
     * Makes a current or the next {@link #poll} return promptly. Any thread; cheap. The engine
     * coalesces calls: it calls this only when the loop may be blocked.
     *
     * @throws java.io.UncheckedIOException if the wakeup could not be sent; the engine surfaces it
     */
    void wakeup();

    /**
     * Registers a channel for readiness; only called for backends with
     * {@link dev.roundhouse.loop.Capability#READINESS}. Arguments are validated by the engine
     * (non-null, non-blocking, open).
     *
     * @throws IllegalArgumentException if the channel is already registered here
     */
    Registration register(SelectableChannel channel, Interest interest, Trigger trigger, ReadinessHandler handler);

    /** Binds and listens; completes the future (possibly later) with the server or the error. */
    void listen(SocketAddress local, ProtocolFactory factory, SocketOptions options, CompletableFuture<Server> result);

    /**
     * Connects; on success calls {@code protocol.connectionMade} and then completes the future
     * with the transport; on failure completes it exceptionally and calls nothing on the protocol.
     */
    void connect(SocketAddress remote, Protocol protocol, SocketOptions options, CompletableFuture<Transport> result);

    /**
     * Terminates: aborts every transport ({@code connectionLost} with a
     * {@link dev.roundhouse.loop.LoopClosedException}), closes servers and registrations, releases
     * every OS resource. Called once, last.
     */
    void close();
}
