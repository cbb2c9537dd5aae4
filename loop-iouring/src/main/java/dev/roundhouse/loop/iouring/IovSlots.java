package dev.roundhouse.loop.iouring;

import io.netty.channel.unix.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;

/**
 * The {@code struct iovec} arrays of a loop's connections: 1 KiB slots (64 iovecs, the write queue's
 * gather limit) cut from 64 KiB direct slabs, lent to a connection from its first write until it is
 * closed with no write in flight, and reused. A direct buffer per connection (allocated, zeroed,
 * registered with a cleaner, freed by the collector) was most of what a short connection cost to
 * allocate. Slabs live as long as the loop: the peak number of connections with an array out, in
 * KiB.
 *
 * <p><b>Thread:</b> the loop thread only.
 */
final class IovSlots {
    static final int SLOT_BYTES = 64 * 16;
    private static final int SLOTS_PER_SLAB = 64;

    /** One array: a native-order view of it, and its address. */
    static final class Slot {
        final ByteBuffer view;
        final long address;

        Slot(ByteBuffer view, long address) {
            this.view = view;
            this.address = address;
        }
    }

    private final ArrayDeque<Slot> free = new ArrayDeque<>();

    /** A slot for one connection's writes. */
    Slot take() {
        Slot s = free.pollFirst();
        if (s == null) {
            ByteBuffer slab = ByteBuffer.allocateDirect(SLOTS_PER_SLAB * SLOT_BYTES);
            long base = Buffer.memoryAddress(slab);
            for (int i = 0; i < SLOTS_PER_SLAB; i++) {
                free.addLast(new Slot(slab.slice(i * SLOT_BYTES, SLOT_BYTES).order(ByteOrder.nativeOrder()),
                        base + (long) i * SLOT_BYTES));
            }
            s = free.pollFirst();
        }
        return s;
    }

    /** Takes back a slot no write in flight refers to. */
    void giveBack(Slot s) {
        free.addFirst(s);
    }
}
