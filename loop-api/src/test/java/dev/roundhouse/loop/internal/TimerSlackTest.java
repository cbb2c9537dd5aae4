package dev.roundhouse.loop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.roundhouse.loop.LoopOptions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The loop thread's timer slack ({@link LoopOptions#timerSlackNanos()}) where the OS has it
 * (Linux): the default, a value set, and the inherited one, each read back on the loop thread
 * from {@code /proc}; a thread's own value set and restored. Skipped elsewhere.
 */
class TimerSlackTest {
    @BeforeEach
    void onLinuxOnly() {
        assumeTrue(TimerSlack.supported(), "no /proc/thread-self: the OS has no per-thread timer slack to set");
    }

    @Test
    void shouldGiveTheLoopThreadAMicrosecondOfSlackByDefault() throws Exception {
        assertEquals(1_000, slackOfLoopThread(LoopOptions.DEFAULTS));
    }

    @Test
    void shouldGiveTheLoopThreadTheSlackOfItsOptions() throws Exception {
        assertEquals(7_000, slackOfLoopThread(LoopOptions.builder().timerSlack(7, TimeUnit.MICROSECONDS).build()));
    }

    /** The loop thread inherits the slack of the thread that opens the loop, set here to an odd value. */
    @Test
    void shouldLeaveTheLoopThreadItsInheritedSlackWhenAsked() throws Exception {
        long own = TimerSlack.current();
        try {
            TimerSlack.set(33_333);
            assertEquals(33_333, slackOfLoopThread(LoopOptions.builder().inheritedTimerSlack().build()));
        } finally {
            TimerSlack.set(own);
        }
        assertEquals(own, TimerSlack.current(), "this thread's slack restored");
    }

    @Test
    void shouldRefuseASlackTheKernelReadsAsReset() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TimerSlack.set(0));
        assertTrue(e.getMessage().contains("at least 1 ns, got 0"), e.getMessage());
    }

    private static long slackOfLoopThread(LoopOptions options) throws Exception {
        try (LoopEngine loop = LoopEngine.start(new FakeProvider(), options)) {
            return loop.submit(TimerSlack::current).get(10, TimeUnit.SECONDS);
        }
    }
}
