package dev.roundhouse.loop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.ReadinessHandler;
import dev.roundhouse.loop.Registration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ReadinessHandler} that records every notification (ready set and thread) and runs an
 * optional reaction on the loop thread, with {@code expectEvents}/{@code expectNoEvents} helpers.
 *
 * <p><b>Thread:</b> {@code onReady} on the loop thread; the expectations on the test thread.
 */
public final class ReadinessRecorder implements ReadinessHandler {

    /** One notification as the handler saw it. */
    public record Event(Interest ready, Thread thread) {
    }

    /** What the handler does on the loop thread after recording (e.g. drain, cancel, rearm). */
    @FunctionalInterface
    public interface Reaction {
        /** Runs on the loop thread after the event is recorded. */
        void onReady(Registration registration, Interest ready) throws Exception;
    }

    private final String name;
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private volatile Reaction reaction;

    /** A recorder that only records; {@code name} appears in failure messages. */
    public ReadinessRecorder(String name) {
        this(name, (r, i) -> { });
    }

    /** A recorder that runs {@code reaction} after recording each event. */
    public ReadinessRecorder(String name, Reaction reaction) {
        this.name = name;
        this.reaction = reaction;
    }

    /** Replaces the reaction (takes effect for the next event). */
    public void react(Reaction newReaction) {
        reaction = newReaction;
    }

    @Override
    public void onReady(Registration registration, Interest ready) {
        count.incrementAndGet();
        try {
            reaction.onReady(registration, ready);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(name + ": reaction failed", e);
        } finally { // published after the reaction, so a test that saw the event sees its effects
            events.add(new Event(ready, Thread.currentThread()));
        }
    }

    /** Notifications so far. */
    public int count() {
        return count.get();
    }

    /** Forgets the recorded events (the count keeps going). */
    public void clear() {
        events.clear();
    }

    /** Waits (bounded) for the next {@code n} notifications and returns them. */
    public List<Event> expectEvents(int n) throws InterruptedException {
        List<Event> out = new ArrayList<>(n);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Await.TIMEOUT_MS);
        while (out.size() < n) {
            Event e = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null) {
                fail(name + ": expected " + n + " notification(s) within " + Await.TIMEOUT_MS
                        + " ms, got " + out);
            }
            out.add(e);
        }
        return out;
    }

    /** Waits (bounded) for the next notification and checks that it includes {@code expected}. */
    public Event expectEvent(Interest expected) throws InterruptedException {
        Event e = expectEvents(1).get(0);
        if (e.ready().and(expected) != expected) {
            fail(name + ": expected a notification including " + expected + ", got " + e.ready());
        }
        return e;
    }

    /**
     * Runs a bounded negative window on {@code loop} ({@link Await#quiet(EventLoop)}) and checks
     * that no notification arrived since the last expectation or {@link #clear()}.
     */
    public void expectNoEvents(EventLoop loop) {
        Await.quiet(loop);
        List<Event> extra = new ArrayList<>();
        events.drainTo(extra);
        assertEquals(List.of(), extra, name + ": no notification was expected");
    }

    @Override
    public String toString() {
        return "ReadinessRecorder[" + name + "]";
    }
}
