package dev.roundhouse.loop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TimerQueueTest {
    private static ScheduledTimer timer(long deadline) {
        return new ScheduledTimer(null, () -> { }, deadline, 0);
    }

    /** Random adds, removes and polls always agree with an ordered-set model (deadline, then arrival). */
    @Test
    void shouldMatchAnOrderedModelUnderRandomAddRemovePoll() {
        Random rnd = new Random(42);
        TimerQueue q = new TimerQueue();
        TreeSet<ScheduledTimer> model = new TreeSet<>(Comparator.<ScheduledTimer>comparingLong(t -> t.deadlineNanos)
                .thenComparingLong(t -> t.sequence));
        List<ScheduledTimer> live = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            int op = rnd.nextInt(10);
            if (op < 5 || live.isEmpty()) {
                ScheduledTimer t = timer(rnd.nextInt(1000));
                q.add(t);
                model.add(t);
                live.add(t);
            } else if (op < 8) {
                ScheduledTimer t = live.remove(rnd.nextInt(live.size()));
                q.remove(t);
                model.remove(t);
            } else {
                ScheduledTimer t = q.poll();
                assertSame(model.pollFirst(), t);
                live.remove(t);
            }
            assertEquals(model.size(), q.size());
        }
        while (!model.isEmpty()) {
            assertSame(model.pollFirst(), q.poll());
        }
        assertNull(q.poll());
    }

    /** Timers with equal deadlines come out in the order they were added. */
    @Test
    void shouldKeepFifoOrderOnEqualDeadlines() {
        TimerQueue q = new TimerQueue();
        List<ScheduledTimer> added = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ScheduledTimer t = timer(7);
            q.add(t);
            added.add(t);
        }
        for (ScheduledTimer t : added) {
            assertSame(t, q.poll());
        }
    }

    /** Removing every timer empties the heap and shrinks it: cancelled timers do not pile up. */
    @Test
    void shouldNotRetainRemovedTimers() {
        TimerQueue q = new TimerQueue();
        List<ScheduledTimer> all = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            ScheduledTimer t = timer(i);
            q.add(t);
            all.add(t);
        }
        all.forEach(q::remove);
        assertEquals(0, q.size());
        assertNull(q.peek());
        all.forEach(t -> assertEquals(-1, t.heapIndex));
    }
}
