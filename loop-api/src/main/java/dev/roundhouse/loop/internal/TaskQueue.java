package dev.roundhouse.loop.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * A closable multi-producer single-consumer queue of tasks: an unbounded sequence of slots, claimed
 * by a CAS on a {@code long} producer index and stored in linked chunks of {@link #CHUNK} slots.
 *
 * <p><b>Sealing.</b> {@link #close()} sets a bit in the producer index. An {@link #offer} whose CAS
 * came first holds a slot below the seal and is drained; one after fails. That is what makes
 * {@code execute} racing {@code close} "run or rejected, never lost" (cpython#156054 was the
 * opposite).
 *
 * <p><b>Why this shape.</b> Per task, a producer writes a {@code long} (the index) and one array
 * slot; the consumer writes only a {@code long}, and no reference at all. That matters because the
 * collector's write barrier marks a card for reference stores: with the earlier linked queue (one
 * node per task, a tail and a head reference swung per task) both threads marked card-table bytes
 * on one cache line, and once the queue was promoted to the old generation cross-thread
 * {@code execute} fell from ~60 to ~15-30 tasks/µs (Parallel GC: 2 of 3 runs slow from the start,
 * all fast with {@code -XX:+UseCondCardMark}; G1: every run slow after ~15 collections). A chunk
 * also takes a sixth of the nodes' memory (4 bytes per task instead of 24).
 *
 * <p><b>Recycling.</b> A chunk's slot array (4 KiB) is reused: the consumer clears the array of a
 * chunk it has left and parks it as the one spare, and the producer that appends the next chunk
 * takes the spare instead of allocating. A queue whose consumer keeps up thus allocates one small
 * {@code Chunk} (base and links, ~32 bytes) per {@link #CHUNK} tasks instead of 4 KiB: at ~40
 * tasks/µs a fresh array per chunk was ~150 MB/s of garbage, and on a JVM whose heap was not yet
 * touched every new page of it a page fault in the producer (measured: cross-thread
 * {@code execute} 24-29 tasks/µs for the first ~4-8 s of a JVM, 37 after; 37 from the first
 * second with {@code -XX:+AlwaysPreTouch}). Only arrays are reused, never {@code Chunk}s: a
 * delayed producer may still hold a chunk the consumer has left (the hint, a walk), and since a
 * chunk's base never changes it cannot mistake that chunk for its own, while no producer can store
 * into the array of a chunk the consumer has left (the consumer leaves a chunk only once every
 * slot of it is stored and taken).
 *
 * <p><b>Retention.</b> The consumer does not clear slots as it takes them (that would write, per
 * task, lines the producer is filling). It clears the array of a chunk it leaves (above), and the
 * slots it has taken from the current chunk by {@link #releaseConsumed()}, which the loop calls
 * before it blocks, so an idle loop keeps no task reachable.
 *
 * <p>The consumer's fields and the producers' sit on cache lines of their own (class layering,
 * checked by {@code CacheLineLayoutTest}).
 *
 * <p><b>Thread:</b> {@code offer}, {@code close} and {@code isClosed} any thread; everything else
 * on the consumer thread only.
 */
final class TaskQueue extends TaskQueuePad2 {
    /** Slots per chunk (a power of two). */
    static final int CHUNK = 1024;
    private static final int MASK = CHUNK - 1;
    /** The seal, a bit of the producer index; the bits below count the slots claimed. */
    private static final long CLOSED = 1L << 62;
    private static final VarHandle PRODUCER_INDEX;
    private static final VarHandle PRODUCER_CHUNK;
    private static final VarHandle NEXT;
    private static final VarHandle SPARE;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Runnable[].class);

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PRODUCER_INDEX = l.findVarHandle(TaskQueueTail.class, "producerIndex", long.class);
            PRODUCER_CHUNK = l.findVarHandle(TaskQueueTail.class, "producerChunk", Chunk.class);
            NEXT = l.findVarHandle(Chunk.class, "next", Chunk.class);
            SPARE = l.findVarHandle(TaskQueueTail.class, "spare", Runnable[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Slots {@code base .. base + CHUNK - 1}. */
    static final class Chunk {
        final long base;
        /** Empty when the chunk is made; a recycled array of a chunk the consumer has left, or a new one. */
        final Runnable[] slots;
        /** The chunk before; cut by the consumer when it enters this one (nobody walks back past it then). */
        volatile Chunk prev;
        @SuppressWarnings("unused") // NEXT
        volatile Chunk next;

        Chunk(long base, Chunk prev, Runnable[] slots) {
            this.base = base;
            this.prev = prev;
            this.slots = slots;
        }
    }

    TaskQueue() {
        super(new Chunk(0, null, new Runnable[CHUNK]));
    }

    /** Appends; returns {@code false} if the queue is closed. */
    boolean offer(Runnable task) {
        long index = claim();
        if (index < 0) {
            return false;
        }
        store(index, task);
        return true;
    }

    /**
     * Claims the next slot: its index, or -1 if the queue is sealed. The slot is in transit (counted
     * by {@link #hasTasks()}, not yet returned by {@link #poll()}) until {@link #store} fills it.
     * {@link #offer} is the two in a row; tests claim alone to hold a slot in transit. Any thread.
     */
    long claim() {
        for (;;) {
            long pi = (long) PRODUCER_INDEX.getVolatile(this);
            if ((pi & CLOSED) != 0) {
                return -1;
            }
            if (PRODUCER_INDEX.compareAndSet(this, pi, pi + 1)) {
                return pi;
            }
        }
    }

    /** Fills slot {@code index}, which the calling thread {@linkplain #claim claimed}. */
    void store(long index, Runnable task) {
        SLOT.setRelease(chunkFor(index).slots, (int) (index & MASK), task);
    }

    /**
     * The chunk holding slot {@code index}, appended if need be. Usually the latest chunk; a producer
     * that was delayed between its claim and its store walks back (its chunk cannot have been left by
     * the consumer: the consumer waits for that very slot).
     */
    private Chunk chunkFor(long index) {
        long base = index & ~MASK;
        Chunk c = (Chunk) PRODUCER_CHUNK.getAcquire(this);
        while (c.base > base) {
            c = c.prev;
        }
        if (c.base == base) {
            return c;
        }
        while (c.base < base) {
            Chunk next = (Chunk) NEXT.getAcquire(c);
            if (next == null) {
                Chunk fresh = new Chunk(c.base + CHUNK, c, takeSpare());
                if (NEXT.compareAndSet(c, null, fresh)) {
                    next = fresh;
                } else { // another producer appended it: nobody saw ours, its array is still empty
                    SPARE.compareAndSet(this, null, fresh.slots);
                    next = (Chunk) NEXT.getAcquire(c);
                }
            }
            c = next;
        }
        for (Chunk latest = (Chunk) PRODUCER_CHUNK.getAcquire(this); latest.base < c.base; ) {
            Chunk witness = (Chunk) PRODUCER_CHUNK.compareAndExchange(this, latest, c);
            latest = witness == latest ? c : witness;
        }
        return c;
    }

    /** The spare slot array if there is one (then no other thread gets it), else a new one. */
    private Runnable[] takeSpare() {
        Runnable[] spare = (Runnable[]) SPARE.getAndSet(this, null);
        return spare != null ? spare : new Runnable[CHUNK];
    }

    /** Seals the queue; returns {@code false} if it was already closed. */
    boolean close() {
        return ((long) PRODUCER_INDEX.getAndBitwiseOr(this, CLOSED) & CLOSED) == 0;
    }

    boolean isClosed() {
        return ((long) PRODUCER_INDEX.getVolatile(this) & CLOSED) != 0;
    }

    /**
     * Removes the next task, or returns {@code null} if none is stored yet (one may be in transit,
     * claimed but not stored: see {@link #hasTasks()}).
     */
    Runnable poll() {
        long ci = consumerIndex;
        Chunk c = consumerChunk;
        if (ci - c.base == CHUNK) {
            Chunk next = (Chunk) NEXT.getAcquire(c);
            if (next == null) {
                return null; // the producer that claimed the first slot of the next chunk is still appending it
            }
            next.prev = null; // nobody needs to walk back from it: every slot before it is taken
            recycle(c);
            consumerChunk = c = next;
        }
        Runnable r = (Runnable) SLOT.getAcquire(c.slots, (int) (ci & MASK));
        if (r != null) {
            consumerIndex = ci + 1;
        }
        return r;
    }

    /**
     * Clears the array of {@code left}, a chunk whose every slot is taken (so no producer will
     * store into it again), and parks it as the spare unless there is one already.
     */
    private void recycle(Chunk left) {
        Runnable[] slots = left.slots;
        Arrays.fill(slots, (int) (Math.max(releasedIndex, left.base) - left.base), CHUNK, null);
        releasedIndex = left.base + CHUNK;
        SPARE.compareAndSet(this, null, slots); // a release: the cleared slots come with it
    }

    /**
     * Clears the slots taken from the current chunk since the last call, so an idle consumer keeps
     * no task reachable (see the class comment). Call it before blocking.
     */
    void releaseConsumed() {
        Chunk c = consumerChunk;
        int from = (int) (Math.max(releasedIndex, c.base) - c.base);
        int to = (int) (consumerIndex - c.base);
        for (int i = from; i < to; i++) {
            c.slots[i] = null;
        }
        releasedIndex = consumerIndex;
    }

    /**
     * How many tasks were ever accepted: {@link #consumedUpTo} with it marks this point of the queue.
     * A volatile read, not just acquire: the loop's "publish sleeping, then look at the queue" and a
     * producer's "claim a slot, then look at sleeping" must not both miss each other, which needs
     * both sides' store-then-load in the synchronization order (costs nothing more on x86 or arm64).
     */
    long acceptedCount() {
        return (long) PRODUCER_INDEX.getVolatile(this) & ~CLOSED;
    }

    /** Whether the consumer has taken the first {@code count} tasks ever accepted. */
    boolean consumedUpTo(long count) {
        return consumerIndex >= count;
    }

    /** How many tasks are queued or in transit. Consumer thread. */
    long waiting() {
        return acceptedCount() - consumerIndex;
    }

    /** Whether a task is queued or in transit (a producer claimed a slot but has not stored yet). */
    boolean hasTasks() {
        return acceptedCount() != consumerIndex;
    }
}

/** 64 bytes before the consumer's fields. */
abstract class TaskQueuePad0 {
    int gap; // fills the 4 bytes after the object header, where the JVM would put a subclass's reference
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** The consumer's fields. */
abstract class TaskQueueHead extends TaskQueuePad0 {
    /** Tasks taken so far: the index of the next slot to take. */
    long consumerIndex;
    /** Slots below this index are cleared (or in a chunk already left). */
    long releasedIndex;
    /** The chunk holding slot {@code consumerIndex}, or the one before if that is its first slot. */
    TaskQueue.Chunk consumerChunk;
    int gap; // fills the rest of 8 bytes, where the JVM would put a subclass's field (the producers')
}

/** 64 bytes between the consumer's fields and the producers'. */
abstract class TaskQueuePad1 extends TaskQueueHead {
    long p10, p11, p12, p13, p14, p15, p16, p17;
}

/** The producers' fields. */
abstract class TaskQueueTail extends TaskQueuePad1 {
    @SuppressWarnings("unused") // TaskQueue.PRODUCER_INDEX: slots claimed, plus the CLOSED bit
    volatile long producerIndex;
    @SuppressWarnings("unused") // TaskQueue.PRODUCER_CHUNK: the latest chunk appended (a hint)
    volatile TaskQueue.Chunk producerChunk;
    /**
     * TaskQueue.SPARE: a cleared slot array for the next chunk, or null. Among the producers'
     * fields: they take it once per chunk, the consumer parks one once per chunk.
     */
    @SuppressWarnings("unused")
    volatile Runnable[] spare;
    int gap; // as above

    TaskQueueTail(TaskQueue.Chunk first) {
        consumerChunk = first;
        producerChunk = first;
    }
}

/** 64 bytes after the producers' fields. */
abstract class TaskQueuePad2 extends TaskQueueTail {
    long p20, p21, p22, p23, p24, p25, p26, p27;

    TaskQueuePad2(TaskQueue.Chunk first) {
        super(first);
    }
}
