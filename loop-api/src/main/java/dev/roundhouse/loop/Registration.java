package dev.roundhouse.loop;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;

/**
 * A channel registered for readiness on one loop: (channel, interest, trigger, handler).
 *
 * <p>Lifecycle: active from {@link EventLoop#register} until {@link #cancel()} or until the
 * channel is closed (closing a channel cancels its registration). Once {@code cancel()} has
 * returned, the handler is never called again for this registration, even if its event is
 * already in the batch being dispatched.
 *
 * <p><b>Draining with EDGE.</b> The edge contract needs to know when the consumer drained the
 * condition (read or wrote until it would block). Native-edge backends learn it from the OS.
 * Backends that emulate edge on a level-only OS (the Selector backend) learn it from
 * {@link #read(ByteBuffer)} / {@link #write(ByteBuffer)} returning 0 (would block), or from
 * {@link #rearm()}. Portable edge consumers therefore do their I/O through these two methods (or
 * call {@code rearm()} after a would-block); on native-edge backends they are plain channel calls.
 * This is mio's rule on platforms without native edge: readiness is re-registered after would-block.
 *
 * <p><b>Thread:</b> every method is loop-thread-only; from another thread it throws
 * {@link LoopAffinityException}. Use {@link EventLoop#execute} to cross threads.
 */
public interface Registration {

    /** The registered channel. Loop thread only. */
    SelectableChannel channel();

    /** The current interest set. Loop thread only. */
    Interest interest();

    /** The trigger mode chosen at registration. Loop thread only. */
    Trigger trigger();

    /**
     * Replaces the interest set. {@link Interest#NONE} keeps the registration but removes the
     * channel from the OS set (so it cannot spin). With {@link Trigger#ONESHOT} the new interest
     * is armed. Loop thread only.
     *
     * @throws IllegalStateException if the registration is cancelled
     */
    void setInterest(Interest interest);

    /**
     * Re-enables a {@link Trigger#ONESHOT} registration after its notification; a channel that is
     * still ready is reported promptly. For {@link Trigger#EDGE} it declares that the consumer
     * drained the condition (see the class comment); for LEVEL it is a no-op. Idempotent while
     * armed. Loop thread only.
     *
     * @throws IllegalStateException if the registration is cancelled
     */
    void rearm();

    /**
     * Removes the registration. Idempotent. After it returns the handler is never called again
     * for this registration. Does not close the channel. Loop thread only.
     */
    void cancel();

    /**
     * Reads from the channel (a {@link java.nio.channels.ReadableByteChannel}) into {@code dst}.
     * A return of 0 (would block) tells an emulating backend that READ was drained. Loop thread only.
     *
     * @return the number of bytes read, 0 if it would block, -1 at end-of-stream
     * @throws IOException as the channel's read does
     * @throws IllegalArgumentException if the channel cannot be read
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Writes {@code src} to the channel (a {@link java.nio.channels.WritableByteChannel}). A short
     * write tells an emulating backend that WRITE was drained. Loop thread only.
     *
     * @return the number of bytes written, possibly 0
     * @throws IOException as the channel's write does
     * @throws IllegalArgumentException if the channel cannot be written
     */
    int write(ByteBuffer src) throws IOException;

    /** Whether the registration is still active (not cancelled, channel open). Loop thread only. */
    boolean isActive();
}
