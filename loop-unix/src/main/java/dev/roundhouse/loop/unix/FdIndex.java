package dev.roundhouse.loop.unix;

import java.util.Arrays;

/**
 * Who holds each descriptor number on a loop: an array indexed by fd, grown on demand. The kernel
 * hands an open number to one file at a time, so a new holder of a number means the old holder's
 * descriptor was closed; {@link #claim} returns that stale holder for the caller to evict.
 *
 * <p><b>Thread:</b> the loop thread only.
 *
 * @param <T> the holder type
 */
public final class FdIndex<T> {
    private Object[] byFd = new Object[64];

    /** The holder of {@code fd}, or null (also for a negative or never-claimed number). */
    @SuppressWarnings("unchecked")
    public T get(int fd) {
        return fd >= 0 && fd < byFd.length ? (T) byFd[fd] : null;
    }

    /**
     * Records {@code holder} for {@code fd}.
     *
     * @return the previous holder if it was another one (its descriptor was closed), else null
     */
    public T claim(int fd, T holder) {
        if (fd >= byFd.length) {
            byFd = Arrays.copyOf(byFd, Math.max(fd + 1, byFd.length * 2));
        }
        T old = get(fd);
        byFd[fd] = holder;
        return old == holder ? null : old;
    }

    /** Forgets {@code holder} for {@code fd}, if it still holds it. */
    public void release(int fd, T holder) {
        if (get(fd) == holder && holder != null) {
            byFd[fd] = null;
        }
    }
}
