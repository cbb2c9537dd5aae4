package dev.roundhouse.loop.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.BackendInfo;
import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Loops;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where Netty's native library cannot load, epoll is listed as unavailable with Netty's own reason
 * and automatic selection falls back to nio. A child JVM with {@code -Dio.netty.transport.noNative=true}
 * stands in for another OS, architecture or libc.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "epoll exists only on Linux")
class EpollFallbackTest {

    @Test
    @Timeout(60)
    void shouldReportNettysReasonAndFallBackToNioWhenTheNativeLibraryCannotLoad() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(List.of(java, "-Dio.netty.transport.noNative=true", "-cp", classPath,
                Child.class.getName())).redirectErrorStream(true).start();
        assertTrue(p.waitFor(45, TimeUnit.SECONDS), "child JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("EPOLL available=false reason=Netty's native epoll library cannot load: "), out);
        assertTrue(out.contains("noNative"), "the reason names Netty's own cause: " + out);
        assertTrue(out.contains("DEFAULT nio"), out);
        assertTrue(out.contains("OPENED nio"), out);
    }

    /** The child: prints epoll's listing and what selection picks. */
    public static final class Child {
        public static void main(String[] args) {
            for (BackendInfo b : Loops.backends()) {
                if (b.name().equals("epoll")) {
                    System.out.println("EPOLL available=" + b.available() + " reason=" + b.unavailableReason());
                }
            }
            System.out.println("DEFAULT " + Loops.defaultBackend());
            try (EventLoop loop = Loops.open()) {
                System.out.println("OPENED " + loop.backendName());
            }
        }
    }
}
