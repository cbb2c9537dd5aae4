package dev.roundhouse.websocket;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.BackendInfo;
import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Loops;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Every available backend on the test class path, for tests that run one body per backend (Twisted's ReactorBuilder). */
final class TestBackends {
    private TestBackends() {
    }

    /** The names of the available backends; unavailable ones are reported on stderr with their reason. */
    static List<String> names() {
        List<BackendInfo> all = Loops.backends();
        for (BackendInfo b : all) {
            if (!b.available()) {
                System.err.println("skipping backend " + b.name() + ": " + b.unavailableReason());
            }
        }
        return all.stream().filter(BackendInfo::available).map(BackendInfo::name).toList();
    }

    static EventLoop open(String backend) {
        return Loops.open(LoopOptions.builder().backend(backend).threadName("ws-test-" + backend).build());
    }

    /** Closes the loop and checks it terminated. */
    static void close(EventLoop loop) throws Exception {
        loop.close();
        loop.terminationFuture().get(10, TimeUnit.SECONDS);
        assertTrue(loop.isTerminated(), "loop terminated");
    }
}
