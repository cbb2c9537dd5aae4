package dev.roundhouse.loop.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.Trigger;
import dev.roundhouse.loop.unix.ChannelFds;
import java.io.File;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Without {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} the backend still runs (TCP works),
 * and register() fails with an IllegalStateException that names the exact flag. Runs a child JVM
 * without the flag.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "epoll exists only on Linux")
class EpollWithoutExportsTest {

    @Test
    @Timeout(60)
    void shouldNameTheMissingJvmFlagWhenRegisterCannotReadTheDescriptor() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(List.of(java, "-cp", classPath, Child.class.getName()))
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(45, TimeUnit.SECONDS), "child JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("RESULT java.lang.IllegalStateException"), out);
        assertTrue(out.contains(ChannelFds.FLAG), out);
    }

    /** The child: opens an epoll loop and tries to register a pipe. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            try (EventLoop loop = EpollTesting.openLoop(); Pipe.SourceChannel source = EpollTesting.pipe().source()) {
                try {
                    loop.submit(() -> loop.register(source, Interest.READ, Trigger.LEVEL, (r, ready) -> { }))
                            .get(10, TimeUnit.SECONDS);
                    System.out.println("RESULT registered");
                } catch (ExecutionException e) {
                    System.out.println("RESULT " + e.getCause().getClass().getName() + ": " + e.getCause().getMessage());
                }
            }
        }
    }
}
