package dev.roundhouse.loop.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.ClassLayout;
import org.openjdk.jol.info.FieldLayout;

/**
 * The fields one thread writes on every task and another reads or writes on every task must not
 * share a cache line: that cost cross-thread {@code execute} 2.6x its throughput (docs/benchmark-history.md).
 * The padding rests on how the JVM lays out fields (a subclass's after its superclass's, gaps
 * filled), so this checks the offsets the running JVM actually chose: a field added later in the
 * wrong class, or a JVM that packs differently, fails here rather than in a benchmark.
 */
class CacheLineLayoutTest {
    /** Bytes that keep two fields off one line (the line size of x86-64 and most arm64 cores). */
    private static final int LINE = 64;
    private static final Pattern PADDING = Pattern.compile("p\\d\\d|gap");

    @Test
    void shouldKeepTaskQueueConsumerAndProducerFieldsOnSeparateLines() {
        assertIsolated(TaskQueue.class, Set.of("consumerIndex", "releasedIndex", "consumerChunk"));
        assertIsolated(TaskQueue.class, Set.of("producerIndex", "producerChunk", "spare"));
    }

    /** Read by every producer of a timer message and by the loop every step; written once per drain. */
    @Test
    void shouldKeepTheInboxsEarliestDeadlineOnALineOfItsOwn() {
        assertIsolated(TimerInbox.class, Set.of("earliest"));
    }

    @Test
    void shouldKeepPerCallbackFieldsOffEveryOtherObjectsLines() {
        assertIsolated(CallbackTracker.class, Set.of("current", "seq", "dozing", "dozingHere"));
    }

    /**
     * Every field of {@code group} is at least {@link #LINE} bytes from the object's start and end
     * (so from neighbouring objects) and from every other field that is not padding.
     */
    private static void assertIsolated(Class<?> type, Set<String> group) {
        ClassLayout layout = ClassLayout.parseClass(type);
        List<FieldLayout> fields = List.copyOf(layout.fields());
        List<FieldLayout> hot = fields.stream().filter(f -> group.contains(f.name())).toList();
        if (hot.size() != group.size()) {
            fail("fields " + group + " not all found in " + type.getName() + ":\n" + layout.toPrintable());
        }
        for (FieldLayout f : hot) {
            long end = f.offset() + f.size();
            assertTrue(f.offset() >= LINE, () -> f.name() + " is within " + LINE
                    + " bytes of the object's start:\n" + layout.toPrintable());
            assertTrue(layout.instanceSize() - end >= LINE, () -> f.name() + " is within " + LINE
                    + " bytes of the object's end:\n" + layout.toPrintable());
            for (FieldLayout other : fields) {
                if (group.contains(other.name()) || PADDING.matcher(other.name()).matches()) {
                    continue;
                }
                long gap = other.offset() < f.offset()
                        ? f.offset() - (other.offset() + other.size())
                        : other.offset() - end;
                assertTrue(gap >= LINE - 1, () -> f.name() + " and " + other.name() + " are "
                        + gap + " bytes apart, so may share a line:\n" + layout.toPrintable());
            }
        }
    }
}
