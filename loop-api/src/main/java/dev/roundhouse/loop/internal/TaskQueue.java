package dev.roundhouse.loop.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A closable multi-producer single-consumer queue of tasks (a Vyukov linked queue whose tail is
 * swung by CAS, so that {@link #close()} can atomically seal it).
 *
 * <p>Closing links a unique marker as the last node: an {@link #offer} that linearises before it is
 * drained by the consumer, one after it fails. That is what makes {@code execute} racing
 * {@code close} "run or rejected, never lost" (cpython#156054 was the opposite).
 *
 * <p>The consumer's field ({@code head}, written per task) and the producers' ({@code tail}, swung
 * per task) sit on cache lines of their own, 64 bytes apart by class layering, so a producer and
 * the consumer do not write one line in turn on every task.
 *
 * <p><b>Thread:</b> {@code offer} and {@code close} any thread; {@code poll}, {@code snapshotTail}
 * and {@code hasTasks} on the consumer thread only.
 */
final class TaskQueue extends TaskQueuePad2 {
    private static final VarHandle TAIL;
    private static final VarHandle NEXT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAIL = l.findVarHandle(TaskQueueTail.class, "tail", Node.class);
            NEXT = l.findVarHandle(Node.class, "next", Node.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static final class Node {
        Runnable task;
        volatile Node next;

        Node(Runnable task) {
            this.task = task;
        }
    }

    TaskQueue() {
        super(new Node(null));
    }

    /** Appends; returns {@code false} if the queue is closed. */
    boolean offer(Runnable task) {
        Node n = new Node(task);
        for (;;) {
            Node t = (Node) TAIL.getAcquire(this);
            if (t == closed) {
                return false;
            }
            if (TAIL.compareAndSet(this, t, n)) {
                NEXT.setRelease(t, n);
                return true;
            }
        }
    }

    /** Seals the queue; returns {@code false} if it was already closed. */
    boolean close() {
        for (;;) {
            Node t = (Node) TAIL.getAcquire(this);
            if (t == closed) {
                return false;
            }
            if (TAIL.compareAndSet(this, t, closed)) {
                NEXT.setRelease(t, closed);
                return true;
            }
        }
    }

    boolean isClosed() {
        return TAIL.getAcquire(this) == closed;
    }

    /**
     * Removes the next task, or returns {@code null} if none is linked yet (one may be in transit:
     * see {@link #hasTasks()}).
     *
     * <p>The node keeps its reference to the task until the consumer moves past it (the node is then
     * garbage) or calls {@link #releaseConsumed()}: clearing it here would write, on every task, a
     * line the producers may still be writing the next nodes into. With the consumer close behind
     * the producer that write bounced the line between the cores per task and held cross-thread
     * {@code execute} in a slow mode (about 20 instead of 55 tasks/µs) in a quarter of the runs.
     */
    Runnable poll() {
        Node next = (Node) NEXT.getAcquire(head);
        if (next == null) {
            return null;
        }
        head = next;
        return next.task;
    }

    /**
     * Drops the reference the last consumed node keeps to its task (see {@link #poll()}), so an idle
     * loop does not keep its last task reachable. Consumer thread; call it before blocking.
     */
    void releaseConsumed() {
        head.task = null;
    }

    /** The current last node: {@link #pollUntil} stops after it, so tasks queued later wait. */
    Node snapshotTail() {
        return (Node) TAIL.getAcquire(this);
    }

    /** Whether the consumer has passed {@code mark}. */
    boolean passed(Node mark) {
        return head == mark;
    }

    /** Whether a task is queued or in transit (a producer swung the tail but has not linked yet). */
    boolean hasTasks() {
        Node t = (Node) TAIL.getAcquire(this);
        return t != head && !(t == closed && head.next == closed);
    }
}

/** 64 bytes before the consumer's field. */
abstract class TaskQueuePad0 {
    int gap; // fills the 4 bytes after the object header, where the JVM would put a subclass's reference
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** The consumer's field. */
abstract class TaskQueueHead extends TaskQueuePad0 {
    /** The last node consumed (initially a stub); its {@code next} is the next task. */
    TaskQueue.Node head;
    int gap; // fills the rest of 8 bytes, where the JVM would put a subclass's field (the producers')
}

/** 64 bytes between the consumer's field and the producers'. */
abstract class TaskQueuePad1 extends TaskQueueHead {
    long p10, p11, p12, p13, p14, p15, p16, p17;
}

/** The producers' fields. */
abstract class TaskQueueTail extends TaskQueuePad1 {
    /** The seal: linked last by {@code close}, after which {@code offer} fails. */
    final TaskQueue.Node closed = new TaskQueue.Node(null);
    @SuppressWarnings("unused") // TaskQueue.TAIL
    volatile TaskQueue.Node tail;

    TaskQueueTail(TaskQueue.Node stub) {
        head = stub;
        tail = stub;
    }
}

/** 64 bytes after the producers' fields. */
abstract class TaskQueuePad2 extends TaskQueueTail {
    long p20, p21, p22, p23, p24, p25, p26, p27;

    TaskQueuePad2(TaskQueue.Node stub) {
        super(stub);
    }
}
