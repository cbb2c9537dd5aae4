package dev.roundhouse.loop.nio;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.ReadinessHandler;
import dev.roundhouse.loop.Trigger;
import dev.roundhouse.loop.internal.ChannelRegistration;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;

/**
 * A user registration on the Selector. The Selector is level-triggered, so:
 * <ul>
 *   <li>LEVEL: the armed set is the interest set.</li>
 *   <li>ONESHOT: after a notification the armed set becomes empty (interestOps 0, which removes the
 *       fd from the JDK's epoll set) until {@link #rearm()}.</li>
 *   <li>EDGE (emulated): the notified operations are disarmed until the consumer drains them, which
 *       this backend learns from {@link #read}/{@link #write} returning would-block or from
 *       {@link #rearm()}; re-armed, a still-ready channel is reported by the level Selector.</li>
 * </ul>
 */
final class NioRegistration extends ChannelRegistration implements NioHandle {
    private final NioPoller poller;
    /** Null while pending: the channel's previous key was cancelled and the Selector has not flushed it. */
    private SelectionKey key;
    private Interest armed;

    NioRegistration(NioPoller poller, SelectableChannel channel, Interest interest, Trigger trigger,
                    ReadinessHandler handler) {
        super(poller.context(), channel, interest, trigger, handler);
        this.poller = poller;
        this.armed = interest;
    }

    /**
     * Registers with the Selector now. Returns {@code false} if the channel still holds a cancelled
     * key (the JDK refuses until the next select flushes it; then call again).
     */
    boolean bindKey() {
        if (cancelled) {
            return true;
        }
        SelectionKey old = channel.keyFor(poller.selector());
        if (old != null && !old.isValid()) {
            return false;
        }
        try {
            key = channel.register(poller.selector(), NioOps.toOps(channel, armed), this);
        } catch (ClosedChannelException | CancelledKeyException e) {
            cancelled = true; // closed before it was bound: closing cancels
            poller.forget(this);
        }
        return true;
    }

    @Override
    public void onSelected(int readyOps) {
        if (cancelled) {
            return;
        }
        if (!channel.isOpen()) {
            cancel();
            return;
        }
        Interest ready = NioOps.fromOps(readyOps).and(armed);
        if (ready.isEmpty()) {
            return;
        }
        if (trigger == Trigger.ONESHOT) {
            arm(Interest.NONE);
        } else if (trigger == Trigger.EDGE) {
            arm(armed.without(ready));
        }
        deliver(ready);
    }

    private void arm(Interest next) {
        if (next != armed && !cancelled) {
            armed = next;
            if (key == null) {
                return; // pending: bindKey() uses the armed set
            }
            try {
                key.interestOps(NioOps.toOps(channel, next));
            } catch (CancelledKeyException e) {
                cancelled = true; // the channel was closed: closing cancels
                poller.forget(this);
            }
        }
    }

    @Override
    public void setInterest(Interest next) {
        ctx.checkInLoop("Registration.setInterest");
        requireActive();
        interest = next;
        arm(next);
    }

    @Override
    public void rearm() {
        ctx.checkInLoop("Registration.rearm");
        requireActive();
        if (trigger != Trigger.LEVEL) {
            arm(interest);
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int n = super.read(dst);
        if (n == 0 && trigger == Trigger.EDGE && interest.isReadable() && !cancelled) {
            arm(armed.with(Interest.READ)); // drained: the next edge must be reported
        }
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int n = super.write(src);
        if (src.hasRemaining() && trigger == Trigger.EDGE && interest.isWritable() && !cancelled) {
            arm(armed.with(Interest.WRITE));
        }
        return n;
    }

    @Override
    public void cancel() {
        ctx.checkInLoop("Registration.cancel");
        if (!cancelled) {
            cancelled = true;
            if (key != null) {
                key.cancel();
            }
            poller.forget(this);
        }
    }

    @Override
    public boolean isActive() {
        ctx.checkInLoop("Registration.isActive");
        return !cancelled && (key == null || key.isValid()) && channel.isOpen();
    }

    @Override
    protected void requireActive() {
        if (cancelled || (key != null && !key.isValid())) {
            throw new IllegalStateException("registration is cancelled: " + channel);
        }
    }

    @Override
    public String toString() {
        return "NioRegistration[" + channel + ", " + interest + ", " + trigger + "]";
    }

}
