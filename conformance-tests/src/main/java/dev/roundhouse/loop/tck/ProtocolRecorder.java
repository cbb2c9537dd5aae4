package dev.roundhouse.loop.tck;

import static org.junit.jupiter.api.Assertions.fail;

import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.Transport;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A {@link Protocol} that records every callback with its thread, keeps the bytes received, and
 * runs optional reactions; {@link #assertGrammar(Thread)} checks the callback grammar
 * {@code connectionMade -> dataReceived* -> eofReceived? -> connectionLost}.
 *
 * <p><b>Thread:</b> callbacks on the loop thread; queries and waits from any thread.
 */
public final class ProtocolRecorder implements Protocol {

    /** The callbacks of {@link Protocol}. */
    public enum Kind { CONNECTION_MADE, DATA_RECEIVED, EOF_RECEIVED, CONNECTION_LOST, PAUSE_WRITING, RESUME_WRITING }

    /** One callback as recorded. */
    public record Call(Kind kind, Thread thread, int bytes) {
    }

    private final String name;
    private final List<Call> calls = new ArrayList<>();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final CompletableFuture<Transport> made = new CompletableFuture<>();
    private final CompletableFuture<Void> eof = new CompletableFuture<>();
    private final CompletableFuture<Optional<Throwable>> lost = new CompletableFuture<>();
    private volatile Consumer<Transport> onMade = t -> { };
    private volatile BiConsumer<Transport, ByteBuffer> onData = (t, b) -> { };
    private volatile Predicate<Transport> onEof = t -> false;
    private volatile Consumer<Throwable> onLost = c -> { };
    private volatile Runnable onPause = () -> { };
    private volatile Runnable onResume = () -> { };
    private Transport transport;

    /** A recorder named {@code name} in failure messages. */
    public ProtocolRecorder(String name) {
        this.name = name;
    }

    /** An echo protocol: writes back what it receives; closes gracefully on EOF. */
    public static ProtocolRecorder echo(String name) {
        return new ProtocolRecorder(name).onData(Transport::write);
    }

    /** Runs {@code reaction} after {@code connectionMade} is recorded. */
    public ProtocolRecorder onMade(Consumer<Transport> reaction) { onMade = reaction; return this; }

    /** Runs {@code reaction} with the buffer after the received bytes are recorded. */
    public ProtocolRecorder onData(BiConsumer<Transport, ByteBuffer> reaction) { onData = reaction; return this; }

    /** Decides {@code eofReceived}'s answer (default {@code false}: close). */
    public ProtocolRecorder onEof(Predicate<Transport> reaction) { onEof = reaction; return this; }

    /** Runs {@code reaction} after {@code connectionLost} is recorded. */
    public ProtocolRecorder onLost(Consumer<Throwable> reaction) { onLost = reaction; return this; }

    /** Runs {@code reaction} after {@code pauseWriting} is recorded. */
    public ProtocolRecorder onPause(Runnable reaction) { onPause = reaction; return this; }

    /** Runs {@code reaction} after {@code resumeWriting} is recorded. */
    public ProtocolRecorder onResume(Runnable reaction) { onResume = reaction; return this; }

    @Override
    public void connectionMade(Transport t) {
        synchronized (this) {
            transport = t;
        }
        record(Kind.CONNECTION_MADE, 0);
        try {
            onMade.accept(t);
        } finally { // futures complete after the reaction, so waiters see its effects
            made.complete(t);
        }
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        ByteBuffer copy = data.duplicate();
        synchronized (this) {
            calls.add(new Call(Kind.DATA_RECEIVED, Thread.currentThread(), copy.remaining()));
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            received.write(bytes, 0, bytes.length);
            notifyAll();
        }
        onData.accept(transport(), data);
    }

    @Override
    public boolean eofReceived() {
        record(Kind.EOF_RECEIVED, 0);
        try {
            return onEof.test(transport());
        } finally {
            eof.complete(null);
        }
    }

    @Override
    public void connectionLost(Throwable cause) {
        record(Kind.CONNECTION_LOST, 0);
        try {
            onLost.accept(cause);
        } finally {
            lost.complete(Optional.ofNullable(cause));
        }
    }

    @Override
    public void pauseWriting() {
        record(Kind.PAUSE_WRITING, 0);
        onPause.run();
    }

    @Override
    public void resumeWriting() {
        record(Kind.RESUME_WRITING, 0);
        onResume.run();
    }

    private synchronized void record(Kind kind, int bytes) {
        calls.add(new Call(kind, Thread.currentThread(), bytes));
        notifyAll();
    }

    /** The transport given to {@code connectionMade}, or {@code null} before it. */
    public synchronized Transport transport() {
        return transport;
    }

    /** Completes with the transport at {@code connectionMade}. */
    public CompletableFuture<Transport> made() { return made; }

    /** Completes at {@code eofReceived}. */
    public CompletableFuture<Void> eof() { return eof; }

    /** Completes at {@code connectionLost} with its cause, empty for a clean close. */
    public CompletableFuture<Optional<Throwable>> lost() { return lost; }

    /** Waits for {@code connectionLost} and returns its cause, or {@code null} for a clean close. */
    public Throwable awaitLost() {
        return Await.get(lost, name + ": connectionLost").orElse(null);
    }

    /** A copy of the callbacks so far. */
    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    /** How many times {@code kind} was called. */
    public synchronized long count(Kind kind) {
        return calls.stream().filter(c -> c.kind() == kind).count();
    }

    /** A copy of every byte received so far. */
    public synchronized byte[] received() {
        return received.toByteArray();
    }

    /** Waits (bounded) until at least {@code bytes} bytes were received; returns all received. */
    public synchronized byte[] awaitReceived(int bytes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Await.TIMEOUT_MS);
        while (received.size() < bytes) {
            long leftNs = deadline - System.nanoTime();
            if (leftNs <= 0) {
                fail(name + ": expected " + bytes + " bytes within " + Await.TIMEOUT_MS + " ms, got "
                        + received.size() + "; callbacks " + kinds());
            }
            TimeUnit.NANOSECONDS.timedWait(this, leftNs);
        }
        return received.toByteArray();
    }

    /** The callback kinds in order, for messages. */
    public synchronized List<Kind> kinds() {
        return calls.stream().map(Call::kind).toList();
    }

    /**
     * Checks the grammar: exactly one {@code connectionMade} first, {@code dataReceived} (never
     * empty) only before {@code eofReceived}, at most one {@code eofReceived}, pause/resume
     * alternating starting with pause, and, if {@code connectionLost} was called, exactly once and
     * last; every call on {@code loopThread}.
     */
    public synchronized void assertGrammar(Thread loopThread) {
        List<Kind> seq = kinds();
        String where = name + ": callbacks " + seq;
        boolean eofSeen = false;
        boolean lostSeen = false;
        boolean paused = false;
        for (int i = 0; i < calls.size(); i++) {
            Call c = calls.get(i);
            if (c.thread() != loopThread) {
                fail(where + ": " + c.kind() + " ran on " + c.thread().getName() + ", not on the loop thread "
                        + loopThread.getName());
            }
            if (lostSeen) {
                fail(where + ": " + c.kind() + " after connectionLost");
            }
            if ((i == 0) != (c.kind() == Kind.CONNECTION_MADE)) {
                fail(where + ": connectionMade must come first, exactly once");
            }
            switch (c.kind()) {
                case DATA_RECEIVED -> {
                    if (eofSeen) {
                        fail(where + ": dataReceived after eofReceived");
                    }
                    if (c.bytes() == 0) {
                        fail(where + ": dataReceived with an empty buffer");
                    }
                }
                case EOF_RECEIVED -> {
                    if (eofSeen) {
                        fail(where + ": eofReceived twice");
                    }
                    eofSeen = true;
                }
                case PAUSE_WRITING, RESUME_WRITING -> {
                    if (paused == (c.kind() == Kind.PAUSE_WRITING)) {
                        fail(where + ": pauseWriting/resumeWriting must alternate, starting with pause");
                    }
                    paused = !paused;
                }
                case CONNECTION_LOST -> lostSeen = true;
                default -> { }
            }
        }
    }

    @Override
    public String toString() {
        return "ProtocolRecorder[" + name + "]";
    }
}
