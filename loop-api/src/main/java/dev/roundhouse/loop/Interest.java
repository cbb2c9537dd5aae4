package dev.roundhouse.loop;

/**
 * A readiness interest set, or a set of ready operations: {@link #NONE}, {@link #READ},
 * {@link #WRITE} or {@link #READ_WRITE}.
 *
 * <p>The four values are preallocated, so combining them never allocates; handlers receive
 * one of these instances on every dispatch. Compare with {@code ==} or the predicates.
 *
 * <p><b>Thread:</b> immutable, any thread.
 */
public final class Interest {
    private static final int READ_BIT = 1;
    private static final int WRITE_BIT = 2;
    private static final Interest[] VALUES = new Interest[4];

    /** No interest: the handle stays registered but is never reported (and must not spin). */
    public static final Interest NONE = new Interest(0);
    /** Readable, including end-of-stream and hang-up. */
    public static final Interest READ = new Interest(READ_BIT);
    /** Writable. */
    public static final Interest WRITE = new Interest(WRITE_BIT);
    /** Readable and writable; also how an error condition is reported. */
    public static final Interest READ_WRITE = new Interest(READ_BIT | WRITE_BIT);

    private final int bits;

    private Interest(int bits) {
        this.bits = bits;
        VALUES[bits] = this;
    }

    /** Returns the interest with the given flags. */
    public static Interest of(boolean read, boolean write) {
        return VALUES[(read ? READ_BIT : 0) | (write ? WRITE_BIT : 0)];
    }

    /** Returns the value for a bit mask (bit 0 read, bit 1 write); other bits are ignored. */
    public static Interest fromBits(int bits) {
        return VALUES[bits & 3];
    }

    /** The bit mask: bit 0 read, bit 1 write. */
    public int bits() {
        return bits;
    }

    /** Whether {@link #READ} is included. */
    public boolean isReadable() {
        return (bits & READ_BIT) != 0;
    }

    /** Whether {@link #WRITE} is included. */
    public boolean isWritable() {
        return (bits & WRITE_BIT) != 0;
    }

    /** Whether this is {@link #NONE}. */
    public boolean isEmpty() {
        return bits == 0;
    }

    /** The union of this and {@code other}. */
    public Interest with(Interest other) {
        return VALUES[bits | other.bits];
    }

    /** This set without the operations in {@code other}. */
    public Interest without(Interest other) {
        return VALUES[bits & ~other.bits];
    }

    /** The intersection of this and {@code other}. */
    public Interest and(Interest other) {
        return VALUES[bits & other.bits];
    }

    @Override
    public String toString() {
        switch (bits) {
            case 0: return "NONE";
            case 1: return "READ";
            case 2: return "WRITE";
            default: return "READ_WRITE";
        }
    }
}
