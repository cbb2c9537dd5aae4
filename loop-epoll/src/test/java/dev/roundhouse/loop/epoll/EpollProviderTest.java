package dev.roundhouse.loop.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.BackendInfo;
import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Loops;
import dev.roundhouse.loop.unix.EpollEvents;
import io.netty.channel.epoll.Native;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@EnabledOnOs(value = OS.LINUX, disabledReason = "epoll exists only on Linux")
class EpollProviderTest {

    /** On Linux x86_64 the native library loads, and epoll (50) is chosen over lower priorities. */
    @Test
    @Timeout(30)
    void shouldBeAvailableAndChosenByDefaultOnLinux() {
        EpollProvider p = new EpollProvider();
        assertTrue(p.availability().available(), () -> "unavailable: " + p.availability().reason());
        assertEquals(50, p.priority());
        assertEquals(Set.of(Capability.READINESS, Capability.NATIVE_EDGE, Capability.TCP, Capability.REUSE_PORT),
                p.capabilities());
        BackendInfo info = Loops.backends().stream().filter(b -> b.name().equals("epoll")).findFirst().orElseThrow();
        assertTrue(info.available());
        assertEquals("epoll", Loops.defaultBackend());
        try (EventLoop loop = Loops.open()) {
            assertEquals("epoll", loop.backendName());
        }
    }

    /** Our epoll bit constants are the kernel's, as Netty's native library reports them. */
    @Test
    void shouldUseTheKernelsEpollBits() {
        assertEquals(Native.EPOLLIN, EpollEvents.EPOLLIN);
        assertEquals(Native.EPOLLOUT, EpollEvents.EPOLLOUT);
        assertEquals(Native.EPOLLERR, EpollEvents.EPOLLERR);
        assertEquals(Native.EPOLLET, EpollEvents.EPOLLET);
    }
}
