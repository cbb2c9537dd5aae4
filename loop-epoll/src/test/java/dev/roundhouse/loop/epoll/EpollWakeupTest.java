package dev.roundhouse.loop.epoll;

import static org.junit.jupiter.api.Assertions.fail;

import dev.roundhouse.loop.EventLoop;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A wakeup that arrives while the loop is between its last task check and Netty's epoll_wait is
 * not lost: Netty only writes the eventfd once it has published that it will wait, so our context
 * must refuse to block once a wakeup was requested (EpollWaitContext).
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "epoll exists only on Linux")
class EpollWakeupTest {

    /** Submitting the next task the moment the previous one completes never leaves a task stranded. */
    @Test
    @Timeout(120)
    void shouldNeverStrandATaskSubmittedAsTheLoopGoesToSleep() throws Exception {
        try (EventLoop loop = EpollTesting.openLoop()) {
            for (int i = 0; i < 200_000; i++) {
                int n = i;
                try {
                    // the loop goes back to epoll_wait right after this task: the next submit races it
                    loop.submit(() -> n).get(2, TimeUnit.SECONDS);
                } catch (TimeoutException stranded) {
                    fail("task " + i + " was not run within 2 s: its wakeup was lost");
                }
            }
        }
    }
}
