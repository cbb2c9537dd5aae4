package dev.roundhouse.loop.unix;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.Trigger;

/**
 * Maps {@link Interest} and {@link Trigger} to epoll event masks and back: what the epoll backend
 * submits for every descriptor, and what the io_uring backend puts on the epoll set that carries its
 * readiness registrations.
 *
 * <p>The bit values are the kernel ABI ({@code include/uapi/linux/eventpoll.h}), the same on every
 * Linux architecture; {@code EpollProviderTest} checks them against Netty's {@code Native} constants.
 *
 * <p><b>Thread:</b> any (pure functions).
 */
public final class EpollEvents {
    /** Readable (also end-of-stream). */
    public static final int EPOLLIN = 0x001;
    /** Writable. */
    public static final int EPOLLOUT = 0x004;
    /** An error is pending; always reported, whatever the mask. */
    public static final int EPOLLERR = 0x008;
    /** Hang-up; always reported, whatever the mask. */
    public static final int EPOLLHUP = 0x010;
    /** One event, then the fd is disabled until re-armed with EPOLL_CTL_MOD (epoll_ctl(2)). */
    public static final int EPOLLONESHOT = 1 << 30;
    /** Edge-triggered: reported on each new arrival, not while the condition merely holds. */
    public static final int EPOLLET = 1 << 31;

    private static final int READ_BIT = 1;
    private static final int WRITE_BIT = 2;

    private EpollEvents() {
    }

    /** The mask for {@code interest} under {@code trigger}; 0 for {@link Interest#NONE}. */
    public static int mask(Interest interest, Trigger trigger) {
        if (interest.isEmpty()) {
            return 0;
        }
        int mask = (interest.isReadable() ? EPOLLIN : 0) | (interest.isWritable() ? EPOLLOUT : 0);
        switch (trigger) {
            case EDGE:
                return mask | EPOLLET;
            case ONESHOT:
                return mask | EPOLLONESHOT;
            default:
                return mask;
        }
    }

    /**
     * The ready set for the kernel's {@code events}, within {@code interest}. EPOLLERR is READ and
     * WRITE (the next read or write surfaces the error); EPOLLHUP is READ (the read returns
     * end-of-stream), or WRITE when only WRITE is wanted: the kernel reports HUP whatever the mask,
     * so dropping it would make a level-triggered fd spin.
     */
    public static Interest ready(int events, Interest interest) {
        int bits = 0;
        if ((events & EPOLLIN) != 0) {
            bits |= READ_BIT;
        }
        if ((events & EPOLLOUT) != 0) {
            bits |= WRITE_BIT;
        }
        if ((events & EPOLLERR) != 0) {
            bits |= READ_BIT | WRITE_BIT;
        }
        if ((events & EPOLLHUP) != 0) {
            bits |= interest.isReadable() ? READ_BIT : WRITE_BIT;
        }
        return Interest.fromBits(bits).and(interest);
    }
}
