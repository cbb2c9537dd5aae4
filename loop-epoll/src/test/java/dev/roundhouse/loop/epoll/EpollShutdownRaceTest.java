package dev.roundhouse.loop.epoll;

import static org.junit.jupiter.api.Assertions.fail;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.Trigger;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A shutdown requested just as the loop goes from busy to idle still ends it: the engine must
 * re-check the shutdown flag after publishing that it may block, as it does for tasks.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "epoll exists only on Linux")
class EpollShutdownRaceTest {

    /** Closing a loop the moment its only busy source goes away terminates it promptly. */
    @Test
    @Timeout(300)
    void shouldTerminatePromptlyWhenShutdownRacesTheLoopGoingToSleep() throws Exception {
        for (int i = 0; i < 1_000; i++) {
            EventLoop loop = EpollTesting.openLoop();
            Pipe p = EpollTesting.pipe();
            try {
                EpollTesting.write(p, 1);
                // never drained: the loop spins on it until the pipe closes, then goes to sleep
                EpollTesting.run(loop, () -> loop.register(p.source(), Interest.READ, Trigger.LEVEL, (r, ready) -> { }));
                p.source().close();
                loop.shutdownGracefully(Duration.ZERO, Duration.ZERO);
                try {
                    loop.terminationFuture().get(5, TimeUnit.SECONDS);
                } catch (TimeoutException stuck) {
                    fail("loop " + i + " did not terminate within 5 s of shutdown: the shutdown's wakeup was lost");
                }
            } finally {
                p.sink().close();
                p.source().close();
                loop.close();
            }
        }
    }
}
