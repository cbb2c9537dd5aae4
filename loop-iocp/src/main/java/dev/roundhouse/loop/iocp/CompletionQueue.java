package dev.roundhouse.loop.iocp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The loop's completion port: the JDK's I/O thread and the loop thread itself post
 * {@link Completion}s, the loop thread takes them all at once in completion order and blocks here
 * when there is nothing to do.
 *
 * <p><b>Queue.</b> An intrusive Treiber stack: {@link #post} pushes with one compare-and-set, and
 * {@link #takeAll} detaches the whole stack with one get-and-set and reverses it, which gives the
 * push order, i.e. completion order. No node is allocated: the completion objects are the nodes
 * (each is in the queue at most once, see {@link Completion}).
 *
 * <p><b>Blocking.</b> The loop thread parks ({@link LockSupport#parkNanos}); a poster unparks it
 * only if it announced that it is waiting, and only the first poster to clear that flag does so,
 * so a burst of completions costs one unpark (one futex wake on Linux), and none while the loop is
 * busy. The flag is set before the final emptiness check and read after the push (both volatile),
 * so a completion is either seen by the check or unparks the thread (Dekker). A spurious return
 * from park just ends the poll early: the engine recomputes its timeout and polls again. A post
 * from the loop thread (an operation that finished inside the call that started it) never unparks:
 * that thread is not parked, and it takes the queue again before it parks.
 *
 * <p>Where the loop thread runs the group's event loop itself ({@link DirectPort}, Linux), it never
 * parks here: a post from another thread wakes the port instead, and a post inside the port ends
 * the port's wait.
 *
 * <p><b>After the pass.</b> The loop thread may also {@linkplain #afterPass defer} an action until
 * it has dispatched every completion it took: a connection's next read is posted there (see
 * {@link IocpTransport}), so that a peer answering while the rest of the pass is dispatched has its
 * bytes read inside the call, on the loop thread, rather than by the I/O thread after a re-arm and
 * a hop.
 *
 * <p><b>Thread:</b> {@code post} and {@code wakeup} any thread; the rest on the loop thread.
 */
final class CompletionQueue {
    private static final VarHandle HEAD;
    private static final VarHandle WAITING;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(CompletionQueue.class, "head", Completion.class);
            WAITING = l.findVarHandle(CompletionQueue.class, "waiting", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread consumer;
    @SuppressWarnings("unused") // HEAD: the newest posted completion
    private volatile Completion<?> head;
    @SuppressWarnings("unused") // WAITING: 1 while the consumer may park
    private volatile int waiting;
    private volatile boolean wakeupRequested;
    private volatile DirectPort port;
    /** Posts made on the consumer thread; written and read by it only. */
    private long loopThreadPosts;
    /** Whether {@link #outstanding} is kept (with a direct port); set before any operation starts. */
    private boolean countsOutstanding;
    /** Operations started and not yet delivered by the JDK; consumer thread only. */
    private int outstanding;
    /** Of {@link #outstanding}, the servers' accepts; consumer thread only. */
    private int outstandingAccepts;
    /** {@link #outstanding} is 0, for other threads ({@link #portIdle}); written as it crosses 0. */
    private volatile boolean portIdle = true;
    /** Awaits that returned at once for a wake-up request; consumer thread only. */
    private long awaitsCutShort;
    /** Actions deferred to the end of the current pass, oldest first; consumer thread only. */
    private Runnable[] afterPass = new Runnable[16];
    private int afterPassCount;

    /** @param consumer the loop thread, the only one that takes and parks */
    CompletionQueue(Thread consumer) {
        this.consumer = consumer;
    }

    /** Queues {@code c} and wakes the loop thread if it is parked. Any thread. */
    void post(Completion<?> c) {
        Completion<?> h;
        do {
            h = (Completion<?>) HEAD.getVolatile(this);
            c.next = h;
        } while (!HEAD.compareAndSet(this, h, c));
        DirectPort p = port;
        if (Thread.currentThread() == consumer) {
            // inside the direct port's wait this may end the wait by throwing DirectPort.Escape
            if (p == null || !p.onLoopThreadPost()) {
                loopThreadPosts++; // awake by definition: no wakeup needed
            }
        } else if (p != null) {
            p.wakeup();
        } else {
            unparkIfWaiting();
        }
    }

    /**
     * Attaches the port the loop thread waits in instead of parking here: a post from another
     * thread then wakes the port, and a post inside the port ends its wait. Loop thread, before
     * any other thread can post.
     */
    void attach(DirectPort port) {
        this.port = port;
        this.countsOutstanding = true;
    }

    /** Whether operations are counted ({@link #outstanding}): with a direct port only. */
    boolean countsOutstanding() {
        return countsOutstanding;
    }

    /** Whether the calling thread is the loop thread, the queue's consumer. */
    boolean onConsumerThread() {
        return Thread.currentThread() == consumer;
    }

    /**
     * Operations of the loop's channels that were started and whose outcome the JDK has not
     * delivered yet ({@link Completion#starting}): those that finished inside the call that started
     * them are not counted, so these are the ones waiting in the port. The direct port looks at the
     * port while the loop is busy only when this is above 0. Counted only with a direct port, where
     * every outcome is delivered on the loop thread; one delivered on another thread (not expected
     * there) is subtracted when the loop dispatches it. Loop thread only.
     */
    int outstanding() {
        return outstanding;
    }

    /**
     * Whether no operation waits in the port ({@link #outstanding} is 0), for any thread: a waker
     * reads it to know whether the loop waits in the port (then it needs a wake byte) or parks in
     * this queue. Written by the loop thread as the count leaves or reaches 0, before the loop
     * publishes that it sleeps, so a waker that saw the loop asleep sees the value of that sleep.
     */
    boolean portIdle() {
        return portIdle;
    }

    /**
     * Of {@link #outstanding}, those that are not a server's accept: a connection's reads and
     * writes, connects. While this is 0 and an accept waits, the direct port leaves the wait in it to
     * the JDK's thread ({@link DirectPort#await}). Loop thread only.
     */
    int outstandingBesidesAccepts() {
        return outstanding - outstandingAccepts;
    }

    /** See {@link Completion#starting}; {@code accept}: the operation is a server's accept. Loop thread only. */
    void operationStarted(boolean accept) {
        if (accept) {
            outstandingAccepts++;
        }
        if (outstanding++ == 0) {
            portIdle = false;
        }
    }

    /** See {@link Completion#completed}; {@code accept} as when it started. Loop thread only. */
    void operationEnded(boolean accept) {
        if (accept) {
            outstandingAccepts--;
        }
        if (--outstanding == 0) {
            portIdle = true;
        }
    }

    /**
     * How many completions the loop thread posted itself inside the call that started or ended the
     * operation (no hop, no wakeup; not counting those posted inside a {@link DirectPort}'s wait).
     * Loop thread only.
     */
    long loopThreadPosts() {
        return loopThreadPosts;
    }

    /** Makes the current or next {@link #await} return promptly. Any thread. */
    void wakeup() {
        wakeupRequested = true;
        unparkIfWaiting();
    }

    private void unparkIfWaiting() {
        if ((int) WAITING.getVolatile(this) == 1 && WAITING.compareAndSet(this, 1, 0)) {
            LockSupport.unpark(consumer);
        }
    }

    /**
     * Defers {@code action} until the loop thread has dispatched the completions of the current
     * pass: {@link #runAfterPass} runs it, in the order deferred. Each call defers once (the caller
     * keeps its own flag against deferring twice). Loop thread only.
     */
    void afterPass(Runnable action) {
        if (afterPassCount == afterPass.length) {
            afterPass = Arrays.copyOf(afterPass, afterPassCount * 2);
        }
        afterPass[afterPassCount++] = action;
    }

    /**
     * Runs the deferred actions, oldest first, including any deferred while they run; each runs
     * once. An action that throws is handed to {@code onError} and the rest still run. Loop thread
     * only, once the pass's completions are dispatched.
     */
    void runAfterPass(Consumer<Throwable> onError) {
        for (int i = 0; i < afterPassCount; i++) {
            Runnable action = afterPass[i];
            afterPass[i] = null;
            try {
                action.run();
            } catch (Throwable t) {
                onError.accept(t);
            }
        }
        afterPassCount = 0;
    }

    /**
     * Drops a wake-up request that a wait in the port has served: a waker writes the port's wake
     * byte as well as the request (the port does not read the request), so once the loop is back
     * from the port the request would only cut its next park short for nothing (one idle turn of
     * the loop). Safe to drop because the loop is awake: every wake-up, the engine's and a
     * shutdown's, is for work the loop looks at before it waits again. Loop thread only.
     */
    void dropWakeupRequest() {
        if (wakeupRequested) {
            wakeupRequested = false;
        }
    }

    /** How many {@link #await}s returned without parking because a wake-up was requested. Loop thread. */
    long awaitsCutShort() {
        return awaitsCutShort;
    }

    /** Whether no completion is queued now. Loop thread only. */
    boolean isEmpty() {
        return HEAD.getVolatile(this) == null;
    }

    /** Detaches every completion posted so far; returns the oldest, linked by {@code next}, or null. */
    Completion<?> takeAll() {
        Completion<?> c = (Completion<?>) HEAD.getAndSet(this, null);
        Completion<?> oldest = null;
        while (c != null) {
            Completion<?> n = c.next;
            c.next = oldest;
            oldest = c;
            c = n;
        }
        return oldest;
    }

    /** Whether the consumer is in {@link #await} (it may be parked). Any thread. */
    boolean consumerMayPark() {
        return (int) WAITING.getVolatile(this) == 1;
    }

    /**
     * Blocks until a completion is posted, {@link #wakeup()} is called, or {@code timeoutNanos}
     * passes (negative: no limit). May return early. Loop thread only.
     */
    void await(long timeoutNanos) {
        WAITING.setVolatile(this, 1);
        if (wakeupRequested) {
            awaitsCutShort++;
        } else if (HEAD.getVolatile(this) == null) {
            if (timeoutNanos < 0) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, timeoutNanos);
            }
        }
        WAITING.setVolatile(this, 0);
        wakeupRequested = false;
        // The engine never interrupts its thread; a stray interrupt would make every park return at
        // once and the loop spin, so it is cleared here.
        Thread.interrupted();
    }
}
