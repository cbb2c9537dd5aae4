package dev.roundhouse.loop.iocp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor of a loop's {@link java.nio.channels.AsynchronousChannelGroup}: it runs each task at
 * once, on the thread that hands it over, and owns no thread.
 *
 * <p><b>Why.</b> On Linux and macOS the JDK attempts a read or write inside the call that starts it
 * only when the group is not a fixed thread pool or the caller is one of the pool's threads
 * ({@code UnixAsynchronousSocketChannelImpl.implRead/implWrite}:
 * {@code attemptWrite = handler == null || invokeDirect || !port.isFixedThreadPool()}). With
 * {@code withFixedThreadPool} every write the loop thread started waited for {@code EPOLLOUT} and a
 * group thread. A group made {@code withThreadPool(this)} is not fixed: the loop thread performs the
 * syscall itself, and when it completes the JDK hands the {@code CompletionHandler} to this executor
 * (or, once the thread is bound to the group, calls it directly), so the handler runs on the loop
 * thread too. Operations that must wait are finished by the JDK's own I/O thread (one per group,
 * {@code sun.nio.ch.internalThreadPoolSize}), which hands their handlers over here, so they run on
 * that thread, as they ran on a group thread before.
 *
 * <p><b>Why running inline is safe here.</b> {@code withThreadPool} advises that the thread calling
 * {@code execute} "should never invoke the task directly": a handler that blocks or starts the next
 * operation would then run inside the JDK's call, recursing or deadlocking. The only handlers in
 * this group are {@link Completion}s, which store the outcome and push it on the
 * {@link CompletionQueue} (one compare-and-set) and do nothing else: no lock, no blocking, no I/O.
 * So a handler is never more than one frame deep, the JDK holds no lock while it hands one over
 * (checked in JDK 17 and 25: {@code Invoker.invokeIndirectly} is called after {@code updateLock} and
 * {@code end()}), and the transport sees the outcome only when the loop dispatches the queue, never
 * inside its own {@code read}/{@code write} call. With {@code initialSize} 0 (what
 * {@code withThreadPool} passes) the group starts no long-running task on its executor.
 *
 * <p><b>Shutdown.</b> After {@link #shutdown()} tasks are discarded, not rejected (like
 * {@link java.util.concurrent.ThreadPoolExecutor.DiscardPolicy}): they are completions of operations
 * on channels the closing group closed, which the loop drops anyway, and rejecting one would make
 * the JDK throw {@code ShutdownChannelGroupException} on its I/O thread, which dies printing it.
 * (The JDK also hands its executor a replacement when an I/O thread dies of an exception; after
 * shutdown that replacement is discarded too. Only a JVM error inside the JDK's event handling can
 * cause that, and then the port's descriptors are not released.)
 *
 * <p><b>Termination</b> means: shut down, no task running, and every thread other than the owner
 * that has handed a task over has exited. So {@code group.awaitTermination} waits for the JDK's I/O
 * thread, as it waited for a fixed pool's threads. An I/O thread that never handed over a completion
 * is not known here and not waited for; {@code shutdownNow} has written its wakeup before returning,
 * and it exits on its own, releasing the port's descriptors.
 *
 * <p><b>With a {@link DirectPort}</b> (Linux): the group's handler task, which the JDK hands over on
 * the owner thread when the group is made and after each of the port's escapes, is given to the
 * port instead of being run; and the first other thread that hands a task over (the JDK's internal
 * I/O thread, finishing the wake channel's first read) runs it and is then kept inside
 * {@code execute} by the port, as its alarm, until shutdown.
 *
 * <p><b>Thread:</b> any thread. Tasks run on the caller, which also has its interrupt status
 * cleared by the JDK after each handler ({@code Invoker.invokeUnchecked}).
 */
final class InlineExecutor extends AbstractExecutorService {
    private final Thread owner;
    private final AtomicInteger running = new AtomicInteger();
    private final Object lock = new Object();
    /** Threads other than the owner that handed tasks over before shutdown; guarded by {@link #lock}. */
    private final List<Thread> foreign = new ArrayList<>(2);
    /** The last foreign thread noted; a stale read only takes the locked path again. */
    private Thread lastForeign;
    private volatile boolean shutdown;
    /** Set by the owner before the group exists, read by the JDK's threads after it started them. */
    private volatile DirectPort port;
    private int ownerDepth;

    /** @param owner the loop thread: it calls {@code awaitTermination}, so it is never waited for */
    InlineExecutor(Thread owner) {
        this.owner = owner;
    }

    /**
     * Runs {@code task} now on the calling thread, or discards it after {@link #shutdown()}. With a
     * {@link DirectPort} attached, a task the loop thread hands over may be the group's handler task,
     * which the port keeps instead, and the first other thread is kept by the port after its task.
     */
    @Override
    public void execute(Runnable task) {
        Thread t = Thread.currentThread();
        if (t == owner) {
            // the common case (I/O finished inside the call that started it): no counting, because
            // the owner is the thread that awaits termination, so its tasks never overlap the wait
            DirectPort p = port;
            if (p != null && p.takeHandlerTask(task)) {
                return;
            }
            if (!shutdown) {
                ownerDepth++;
                try {
                    task.run();
                } finally {
                    ownerDepth--;
                }
            }
            return;
        }
        if (t != lastForeign) {
            noteForeign(t);
        }
        running.incrementAndGet();
        try {
            if (!shutdown) { // read after the increment: awaitTermination sees the task or it is not run
                task.run();
            }
        } finally {
            if (running.decrementAndGet() == 0 && shutdown) {
                synchronized (lock) {
                    lock.notifyAll();
                }
            }
        }
        DirectPort p = port;
        if (p != null && !shutdown) {
            p.onForeignTask(t); // may keep this thread until shutdown (the capture)
        }
    }

    /** Attaches the port that drives the group (before the group is made). Owner thread. */
    void attach(DirectPort port) {
        this.port = port;
    }

    /** How many tasks the owner is running inside this executor now (nested). Owner thread only. */
    int ownerDepth() {
        return ownerDepth;
    }

    private void noteForeign(Thread t) {
        synchronized (lock) {
            if (!shutdown && !foreign.contains(t)) {
                foreign.add(t);
            }
        }
        lastForeign = t;
    }

    /** The threads other than the owner that handed tasks over before shutdown. Any thread. */
    List<Thread> foreignThreads() {
        synchronized (lock) {
            return List.copyOf(foreign);
        }
    }

    @Override
    public void shutdown() {
        synchronized (lock) {
            shutdown = true;
            lock.notifyAll();
        }
        DirectPort p = port;
        if (p != null) {
            p.onShutdown();
        }
    }

    /** Same as {@link #shutdown()}: nothing is ever queued, so the list is empty. */
    @Override
    public List<Runnable> shutdownNow() {
        shutdown();
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        synchronized (lock) {
            return shutdown && running.get() == 0 && foreign.stream().noneMatch(Thread::isAlive);
        }
    }

    /** Waits for shutdown, for running tasks to return and for the foreign threads to exit. */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        List<Thread> threads;
        synchronized (lock) {
            while (!shutdown || running.get() != 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            threads = List.copyOf(foreign); // frozen: nothing is added after shutdown
        }
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(t, left);
            }
        }
        return isTerminated();
    }
}
