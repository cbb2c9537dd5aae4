package dev.roundhouse.loop.epoll;

import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.Trigger;
import dev.roundhouse.loop.unix.EpollEvents;
import io.netty.channel.epoll.EpollIoOps;

/**
 * The {@link EpollIoOps} for every mask we submit, made once (no allocation per interest change);
 * the masks themselves and their meaning are {@link EpollEvents}'.
 */
final class EpollOps {
    private EpollOps() {
    }

    /** The Netty ops for a mask made by {@link EpollEvents#mask}. */
    static EpollIoOps ops(int mask) {
        return Table.OPS[index(mask)];
    }

    private static int index(int mask) {
        int i = ((mask & EpollEvents.EPOLLIN) != 0 ? 1 : 0) | ((mask & EpollEvents.EPOLLOUT) != 0 ? 2 : 0);
        if ((mask & EpollEvents.EPOLLET) != 0) {
            i |= 4;
        } else if ((mask & EpollEvents.EPOLLONESHOT) != 0) {
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
                    int mask = EpollEvents.mask(Interest.fromBits(bits), t);
                    // valueOf allocates for masks outside Netty's own small table: done once here
                    OPS[index(mask)] = EpollIoOps.valueOf(mask);
                }
            }
        }
    }
}
