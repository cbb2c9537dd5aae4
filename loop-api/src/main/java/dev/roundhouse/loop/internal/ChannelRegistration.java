package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.ReadinessHandler;
import dev.roundhouse.loop.Registration;
import dev.roundhouse.loop.Trigger;
import dev.roundhouse.loop.spi.LoopContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.WritableByteChannel;

/**
 * What every backend's readiness {@link Registration} shares: the registration's fields, the
 * loop-thread checks of its accessors, the handler's call (an exception goes to the loop's handler
 * and cancels), and plain channel I/O. A backend adds how its OS set is changed.
 *
 * <p><b>Thread:</b> loop thread only; every public method checks it.
 */
public abstract class ChannelRegistration implements Registration {
    protected final LoopContext ctx;
    protected final SelectableChannel channel;
    protected final Trigger trigger;
    protected final ReadinessHandler handler;
    protected Interest interest;
    protected boolean cancelled;

    protected ChannelRegistration(LoopContext ctx, SelectableChannel channel, Interest interest, Trigger trigger,
                                  ReadinessHandler handler) {
        this.ctx = ctx;
        this.channel = channel;
        this.interest = interest;
        this.trigger = trigger;
        this.handler = handler;
    }

    /** Calls the handler with {@code ready}; an exception is reported and cancels. Loop thread. */
    protected final void deliver(Interest ready) {
        ctx.enterCallback(handler);
        try {
            handler.onReady(this, ready);
        } catch (Throwable t) {
            ctx.reportException("onReady of " + handler.getClass().getSimpleName(), t);
            cancel();
        }
    }

    /** The channel, without the thread check (the poller's maps). */
    public final SelectableChannel channelUnchecked() {
        return channel;
    }

    /** Whether {@link #cancel()} ran or closing was noticed. Loop thread. */
    public final boolean isCancelled() {
        return cancelled;
    }

    @Override
    public final SelectableChannel channel() {
        ctx.checkInLoop("Registration.channel");
        return channel;
    }

    @Override
    public final Interest interest() {
        ctx.checkInLoop("Registration.interest");
        return interest;
    }

    @Override
    public final Trigger trigger() {
        ctx.checkInLoop("Registration.trigger");
        return trigger;
    }

    @Override
    public boolean isActive() {
        ctx.checkInLoop("Registration.isActive");
        return !cancelled && channel.isOpen();
    }

    /**
     * Cancels a registration whose channel was closed, then throws if it is cancelled.
     *
     * @throws IllegalStateException if the registration is cancelled
     */
    protected void requireActive() {
        if (!cancelled && !channel.isOpen()) {
            cancel();
        }
        if (cancelled) {
            throw new IllegalStateException("registration is cancelled: " + channel);
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ctx.checkInLoop("Registration.read");
        if (!(channel instanceof ReadableByteChannel)) {
            throw new IllegalArgumentException("channel cannot be read: " + channel);
        }
        return ((ReadableByteChannel) channel).read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        ctx.checkInLoop("Registration.write");
        if (!(channel instanceof WritableByteChannel)) {
            throw new IllegalArgumentException("channel cannot be written: " + channel);
        }
        return ((WritableByteChannel) channel).write(src);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + channel + ", " + interest + ", " + trigger + "]";
    }
}
