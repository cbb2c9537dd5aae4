package dev.roundhouse.loop.iouring;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.ReadinessHandler;
import dev.roundhouse.loop.Trigger;
import dev.roundhouse.loop.unix.EpollSetRegistration;
import java.io.IOException;
import java.nio.channels.SelectableChannel;

/**
 * A user registration on the io_uring backend: a JDK channel's descriptor on the loop's
 * {@link UringReadiness} epoll set, with the epoll backend's semantics ({@link EpollSetRegistration}).
 * The set is changed with {@code epoll_ctl} directly; entries of the batch being dispatched that
 * predate a change are stale ({@link #changedIn()}).
 *
 * <p><b>Thread:</b> loop thread only; every public method checks it.
 */
final class UringRegistration extends EpollSetRegistration {
    private final UringReadiness set;
    private final int fd;
    private boolean inSet;
    /** The batch in which the set last changed for this descriptor; its entries in that batch are stale. */
    private long changedIn = -1;

    UringRegistration(UringReadiness set, SelectableChannel channel, int fd, Interest interest, Trigger trigger,
                      ReadinessHandler handler) {
        super(set.context(), channel, interest, trigger, handler);
        this.set = set;
        this.fd = fd;
    }

    int fd() {
        return fd;
    }

    long changedIn() {
        return changedIn;
    }

    @Override
    protected void submit(int mask) throws IOException {
        set.put(fd, mask, inSet);
        inSet = true;
        changedIn = set.batch();
    }

    @Override
    protected void leaveSet() {
        if (inSet) {
            inSet = false;
            if (channel.isOpen()) {
                set.remove(fd);
            }
        }
    }

    @Override
    protected boolean inSet() {
        return inSet;
    }

    @Override
    protected void forget() {
        set.forget(this);
    }

    @Override
    public String toString() {
        return "UringRegistration[fd " + fd + ", " + channel + ", " + interest + ", " + trigger + "]";
    }
}
