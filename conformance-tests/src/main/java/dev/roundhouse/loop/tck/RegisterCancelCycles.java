package dev.roundhouse.loop.tck;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.Registration;
import dev.roundhouse.loop.Trigger;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives thousands of register/cancel cycles on one pipe source while a writer thread keeps
 * bytes flowing into it. Even cycles register and cancel in the same task (rotating the three
 * triggers); odd cycles (LEVEL or ONESHOT) wait for a notification, read a few bytes, cancel and
 * go on. Every byte is checked against the writer's sequence, so lost, duplicated or misrouted
 * data shows, and a handler called after its cancel counts as a violation.
 *
 * <p><b>Thread:</b> {@link #run()} on the test thread; the cycles on the loop thread.
 */
final class RegisterCancelCycles {
    private static final int MODULUS = 251;
    private final EventLoop loop;
    private final Pipe pipe;
    private final int cycles;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final AtomicLong written = new AtomicLong();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64);
    private final List<String> violations = new ArrayList<>();
    private long read;
    private int expected;
    private int next;
    private volatile boolean stopWriter;

    RegisterCancelCycles(EventLoop loop, Pipe pipe, int cycles) {
        this.loop = loop;
        this.pipe = pipe;
        this.cycles = cycles;
    }

    /** Runs every cycle, stops the writer and reads what is left. */
    void run() throws Exception {
        Thread writer = new Thread(this::write, "tck-writer");
        writer.start();
        try {
            loop.execute(this::step);
            Await.get(done, cycles + " register/cancel cycles");
        } finally {
            stopWriter = true;
            while (writer.isAlive()) { // unblock the writer by reading, then collect the rest
                Await.run(loop, this::readAvailable);
                writer.join(10);
            }
        }
        Await.run(loop, this::readAvailable);
    }

    synchronized int violations() {
        return violations.size();
    }

    synchronized List<String> violationDetails() {
        return List.copyOf(violations.subList(0, Math.min(10, violations.size())));
    }

    long bytesWritten() {
        return written.get();
    }

    synchronized long bytesRead() {
        return read;
    }

    /** Loop thread: runs cycles until one must wait for a notification or a batch is done. */
    private void step() {
        try {
            while (next < cycles) {
                int cycle = next++;
                if (cycle % 2 == 1) {
                    registerAndWait(cycle);
                    return;
                }
                registerAndCancel(cycle);
                if (cycle % 20 == 0) {
                    loop.execute(this::step); // let the loop poll between batches
                    return;
                }
            }
            done.complete(null);
        } catch (Throwable t) {
            done.completeExceptionally(t);
        }
    }

    private void registerAndCancel(int cycle) {
        Trigger trigger = Trigger.values()[(cycle / 2) % 3];
        boolean[] cancelled = {false};
        Registration r = loop.register(pipe.source(), Interest.READ, trigger, (reg, ready) -> {
            if (cancelled[0]) {
                violation("cycle " + cycle + " (" + trigger + ") notified after cancel");
            }
        });
        r.cancel();
        cancelled[0] = true;
        if (r.isActive()) {
            violation("cycle " + cycle + " still active after cancel");
        }
    }

    private void registerAndWait(int cycle) {
        Trigger trigger = (cycle / 2) % 2 == 0 ? Trigger.LEVEL : Trigger.ONESHOT;
        boolean[] cancelled = {false};
        loop.register(pipe.source(), Interest.READ, trigger, (reg, ready) -> {
            if (cancelled[0]) {
                violation("cycle " + cycle + " (" + trigger + ") notified after cancel");
                return;
            }
            try {
                readOnce();
            } catch (IOException e) {
                done.completeExceptionally(e);
            }
            reg.cancel();
            cancelled[0] = true;
            loop.execute(this::step);
        });
    }

    /** Loop thread: one read of at most 64 bytes, checked against the sequence. */
    private synchronized int readOnce() throws IOException {
        readBuffer.clear();
        int n = pipe.source().read(readBuffer);
        readBuffer.flip();
        while (readBuffer.hasRemaining()) {
            int b = readBuffer.get() & 0xff;
            if (b != expected) {
                violation("byte " + read + " was " + b + ", expected " + expected);
                expected = b;
            }
            expected = (expected + 1) % MODULUS;
            read++;
        }
        return n;
    }

    private void readAvailable() throws IOException {
        while (readOnce() > 0) {
            // drain to would-block
        }
    }

    private synchronized void violation(String what) {
        violations.add(what);
    }

    /** Writer thread: the sequence 0..250 repeated, in 256-byte blocking writes. */
    private void write() {
        ByteBuffer b = ByteBuffer.allocate(256);
        int value = 0;
        try {
            while (!stopWriter) {
                b.clear();
                while (b.hasRemaining()) {
                    b.put((byte) value);
                    value = (value + 1) % MODULUS;
                }
                b.flip();
                while (b.hasRemaining()) {
                    written.addAndGet(pipe.sink().write(b));
                }
            }
        } catch (IOException e) {
            done.completeExceptionally(e);
        }
    }
}
