package dev.roundhouse.loop.iocp;

import java.nio.channels.CompletionHandler;

/**
 * One kind of asynchronous operation of one owner (a connection's reads, its writes, a server's
 * accepts, a connect). The thread that finished the operation calls {@link #completed}/{@link #failed},
 * which only store the outcome and post this object to the loop's {@link CompletionQueue}; the loop
 * thread later runs {@link #dispatch()}, which hands the outcome to the owner's handler.
 *
 * <p>That thread may be the loop thread itself, inside the {@code read}/{@code write}/{@code close}
 * call that started or ended the operation (see {@link InlineExecutor}). Storing and posting is all
 * these methods do, so the owner never sees an outcome inside its own call: it is dispatched when the
 * loop next takes the queue. They must stay that way: no lock, no blocking, no new operation.
 *
 * <p>Each owner keeps at most one operation of a kind outstanding, so one object per kind is
 * enough and is re-posted for every completion: completing an operation allocates nothing here.
 *
 * <p><b>Thread:</b> {@code completed}/{@code failed} on the JDK's I/O thread or the loop thread (which
 * also re-posts a held outcome); {@code dispatch} on the loop thread only. The fields are handed over
 * by the queue's compare-and-set (a happens-before edge), so they need no volatile of their own;
 * {@code dispatch} reads them before calling the owner, so a re-post during the call cannot clobber
 * the outcome being delivered.
 *
 * @param <V> the operation's result type
 */
final class Completion<V> implements CompletionHandler<V, Void> {

    /** What the owner does with an outcome, on the loop thread. */
    @FunctionalInterface
    interface Handler<V> {
        /**
         * @param value the result, or {@code null} on failure
         * @param error the failure, or {@code null} on success
         */
        void onComplete(V value, Throwable error);
    }

    private final CompletionQueue queue;
    private final Object owner;
    private final Handler<V> handler;
    /** The operations are a server's accepts ({@link CompletionQueue#outstandingBesidesAccepts}). */
    private final boolean accepts;
    /** The next completion in the queue; owned by the queue. */
    Completion<?> next;
    private V value;
    private Throwable error;
    /**
     * An operation started with this completion (or with a handler that forwards to it) has not
     * been delivered by the JDK yet; kept only where the queue counts them ({@link
     * CompletionQueue#outstanding}), and then on the loop thread only.
     */
    private boolean started;

    Completion(CompletionQueue queue, Object owner, Handler<V> handler) {
        this(queue, owner, handler, false);
    }

    /**
     * @param accepts whether the operations are a server's accepts, which the loop leaves to the
     *     JDK's thread when they are all that waits in the port ({@link DirectPort#await})
     */
    Completion(CompletionQueue queue, Object owner, Handler<V> handler, boolean accepts) {
        this.queue = queue;
        this.owner = owner;
        this.handler = handler;
        this.accepts = accepts;
    }

    /**
     * Marks an operation as started with this completion, or with a handler that delivers to it
     * ({@link #completed}, {@link #failed} or {@link #taken}): the loop then knows the JDK holds an
     * operation of its. Call right before the call that starts it, and {@link #notStarted} if that
     * call throws. Loop thread only.
     */
    void starting() {
        if (queue.countsOutstanding()) {
            started = true;
            queue.operationStarted(accepts);
        }
    }

    /** The call that was to start the operation threw: it was not started. Loop thread only. */
    void notStarted() {
        ended();
    }

    /**
     * The JDK delivered the operation's outcome to a handler that keeps it instead of posting it
     * here (an accept finished inside the call that started it). Loop thread only.
     */
    void taken() {
        ended();
    }

    private void ended() {
        if (started && queue.countsOutstanding() && queue.onConsumerThread()) {
            started = false;
            queue.operationEnded(accepts);
        }
    }

    /**
     * Stores the result and posts this completion. Called by the JDK when the operation finishes;
     * also by the owner to re-post an outcome it held (which ends no operation).
     */
    @Override
    public void completed(V result, Void attachment) {
        ended();
        value = result;
        error = null;
        queue.post(this);
    }

    /** Stores the failure and posts this completion; see {@link #completed}. */
    @Override
    public void failed(Throwable exc, Void attachment) {
        ended();
        value = null;
        error = exc;
        queue.post(this);
    }

    /** Hands the outcome to the owner. Loop thread only. */
    void dispatch() {
        ended(); // an outcome the JDK delivered on another thread ends its operation here
        V v = value;
        Throwable e = error;
        value = null;
        error = null;
        handler.onComplete(v, e);
    }

    /** What the stall detector names while this completion is dispatched. */
    Object owner() {
        return owner;
    }
}
