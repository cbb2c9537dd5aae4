package dev.roundhouse.loop.iocp;

import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.Transport;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A protocol that records its callbacks (name and thread) and the bytes received, for the iocp
 * tests. Callbacks run on the loop thread; the accessors are synchronized for the test thread.
 */
class Recorder implements Protocol {
    final CompletableFuture<Transport> made = new CompletableFuture<>();
    final CompletableFuture<Throwable> lost = new CompletableFuture<>();
    private final List<String> events = new ArrayList<>();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private Transport transport;

    @Override
    public synchronized void connectionMade(Transport t) {
        transport = t;
        events.add("made@" + Thread.currentThread().getName());
        made.complete(t);
    }

    @Override
    public synchronized void dataReceived(ByteBuffer data) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        received.writeBytes(b);
        events.add("data@" + Thread.currentThread().getName());
        notifyAll();
    }

    @Override
    public synchronized boolean eofReceived() {
        events.add("eof@" + Thread.currentThread().getName());
        notifyAll();
        return false;
    }

    @Override
    public synchronized void connectionLost(Throwable cause) {
        events.add("lost@" + Thread.currentThread().getName());
        lost.complete(cause);
        notifyAll();
    }

    @Override
    public synchronized void pauseWriting() {
        events.add("pauseWriting@" + Thread.currentThread().getName());
    }

    @Override
    public synchronized void resumeWriting() {
        events.add("resumeWriting@" + Thread.currentThread().getName());
    }

    synchronized Transport transport() {
        return transport;
    }

    synchronized byte[] received() {
        return received.toByteArray();
    }

    /** The callbacks so far, without their threads. */
    synchronized List<String> kinds() {
        return events.stream().map(e -> e.substring(0, e.indexOf('@'))).toList();
    }

    /** The distinct threads callbacks ran on. */
    synchronized List<String> threads() {
        return events.stream().map(e -> e.substring(e.indexOf('@') + 1)).distinct().toList();
    }

    /** Waits (bounded) until at least {@code n} bytes arrived; returns them. */
    synchronized byte[] awaitReceived(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Peers.TIMEOUT_MS);
        while (received.size() < n) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new AssertionError("received " + received.size() + " of " + n + " bytes in time");
            }
            wait(left);
        }
        return received.toByteArray();
    }

    /** Waits (bounded) until at least {@code n} callbacks were recorded. */
    synchronized void awaitEventCount(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Peers.TIMEOUT_MS);
        while (events.size() < n) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new AssertionError("only " + events.size() + " of " + n + " callbacks in time: " + kinds());
            }
            wait(left);
        }
    }

    /** Waits (bounded) for a callback named {@code kind}. */
    synchronized void awaitEvent(String kind) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Peers.TIMEOUT_MS);
        while (!kinds().contains(kind)) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new AssertionError("no " + kind + " in time; events: " + kinds());
            }
            wait(left);
        }
    }
}
