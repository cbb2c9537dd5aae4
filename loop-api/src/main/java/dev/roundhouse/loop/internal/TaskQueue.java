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
 * <p><b>Thread:</b> {@code offer} and {@code close} any thread; {@code poll}, {@code snapshotTail}
 * and {@code hasTasks} on the consumer thread only.
 */
final class TaskQueue {
    private static final VarHandle TAIL;
    private static final VarHandle NEXT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAIL = l.findVarHandle(TaskQueue.class, "tail", Node.class);
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

    private final Node closed = new Node(null);
    @SuppressWarnings("unused") // accessed through TAIL
    private volatile Node tail;
    private Node head;

    TaskQueue() {
        Node stub = new Node(null);
        head = stub;
        tail = stub;
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
     */
    Runnable poll() {
        Node next = (Node) NEXT.getAcquire(head);
        if (next == null) {
            return null;
        }
        head = next;
        Runnable r = next.task;
        next.task = null;
        return r;
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
