package dev.roundhouse.loop.epoll;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.Trigger;
import io.netty.channel.epoll.EpollIoOps;

/**
 * Maps {@link Interest} and {@link Trigger} to epoll event masks and back, with the
 * {@link EpollIoOps} for every mask we submit made once (no allocation per interest change).
 *
 * <p>The bit values are the kernel ABI ({@code include/uapi/linux/eventpoll.h}), the same on every
 * Linux architecture; {@code EpollOpsTest} checks them against Netty's {@code Native} constants.
 */
final class EpollOps {
    static final int EPOLLIN = 0x001;
    static final int EPOLLOUT = 0x004;
    static final int EPOLLERR = 0x008;
    static final int EPOLLHUP = 0x010;
    /** One event, then the fd is disabled until re-armed with EPOLL_CTL_MOD (epoll_ctl(2)). */
    static final int EPOLLONESHOT = 1 << 30;
    static final int EPOLLET = 1 << 31;

    private static final int READ_BIT = 1;
    private static final int WRITE_BIT = 2;

    private EpollOps() {
    }

    /** The mask for {@code interest} under {@code trigger}; 0 for {@link Interest#NONE}. */
    static int mask(Interest interest, Trigger trigger) {
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
    static Interest ready(int events, Interest interest) {
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

    /** The Netty ops for a mask made by {@link #mask}. */
    static EpollIoOps ops(int mask) {
        return Table.OPS[index(mask)];
    }

    private static int index(int mask) {
        int i = ((mask & EPOLLIN) != 0 ? 1 : 0) | ((mask & EPOLLOUT) != 0 ? 2 : 0);
        if ((mask & EPOLLET) != 0) {
            i |= 4;
        } else if ((mask & EPOLLONESHOT) != 0) {
            i |= 8;
        }
        return i;
    }

    /** Made on first use: EpollIoOps' class initialisation loads the native library. */
    private static final class Table {
        static final EpollIoOps[] OPS = new EpollIoOps[16];

        static {
            Trigger[] triggers = {Trigger.LEVEL, Trigger.EDGE, Trigger.ONESHOT};
            for (Trigger t : triggers) {
                for (int bits = 1; bits < 4; bits++) {
                    int mask = mask(Interest.fromBits(bits), t);
                    // valueOf allocates for masks outside Netty's own small table: done once here
                    OPS[index(mask)] = EpollIoOps.valueOf(mask);
                }
            }
        }
    }
}
