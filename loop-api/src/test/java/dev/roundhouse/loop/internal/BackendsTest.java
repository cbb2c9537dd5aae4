package dev.roundhouse.loop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.spi.Availability;
import dev.roundhouse.loop.spi.BackendProvider;
import dev.roundhouse.loop.spi.LoopContext;
import dev.roundhouse.loop.spi.Poller;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Backend selection with required capabilities, over stub providers (highest priority first). */
class BackendsTest {
    /** Completion only, ranked first: as iocp is on Windows (the real io_uring has READINESS too). */
    private static final BackendProvider COMPLETION = stub("iocp", 60, true, Capability.TCP, Capability.COMPLETION);
    private static final BackendProvider EPOLL = stub("epoll", 50, true, Capability.TCP, Capability.READINESS,
            Capability.NATIVE_EDGE);
    private static final BackendProvider EPOLL_DOWN = stub("epoll", 50, false, Capability.TCP, Capability.READINESS,
            Capability.NATIVE_EDGE);
    private static final BackendProvider NIO = stub("nio", 10, true, Capability.TCP, Capability.READINESS);

    @Test
    void shouldPickTheBestAvailableBackendThatHasEveryRequiredCapability() {
        assertEquals("iocp", Backends.select(List.of(COMPLETION, EPOLL, NIO), null, Set.of()).name());
        assertEquals("epoll", Backends.select(List.of(COMPLETION, EPOLL, NIO), null, Set.of(Capability.READINESS)).name());
        assertEquals("nio", Backends.select(List.of(COMPLETION, EPOLL_DOWN, NIO), null, Set.of(Capability.READINESS)).name(),
                "an unavailable backend is skipped even if it has the capability");
        assertEquals("epoll", Backends.select(List.of(COMPLETION, EPOLL, NIO), null,
                Set.of(Capability.READINESS, Capability.NATIVE_EDGE)).name());
    }

    @Test
    void shouldSayWhyNoBackendQualifies() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Backends.select(List.of(COMPLETION, EPOLL_DOWN, NIO), null, Set.of(Capability.NATIVE_EDGE)));
        assertTrue(e.getMessage().startsWith("no available Roundhouse backend provides [NATIVE_EDGE]"), e.getMessage());
        assertTrue(e.getMessage().contains("iocp: lacks [NATIVE_EDGE]"), e.getMessage());
        assertTrue(e.getMessage().contains("epoll: stub down"), e.getMessage());
    }

    @Test
    void shouldRefuseAForcedBackendWithoutARequiredCapability() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Backends.select(List.of(COMPLETION, EPOLL, NIO), "iocp", Set.of(Capability.READINESS)));
        assertEquals("backend 'iocp' does not provide [READINESS], which the loop's options require",
                e.getMessage());
        assertEquals("iocp", Backends.select(List.of(COMPLETION, EPOLL, NIO), "iocp", Set.of(Capability.TCP)).name());
    }

    @Test
    void shouldCollectRequiredCapabilitiesInTheOptions() {
        assertEquals(Set.of(), LoopOptions.DEFAULTS.requiredCapabilities());
        LoopOptions o = LoopOptions.builder().require(Capability.READINESS).require(Capability.TCP, Capability.READINESS)
                .build();
        assertEquals(Set.of(Capability.READINESS, Capability.TCP), o.requiredCapabilities());
        assertThrows(NullPointerException.class, () -> LoopOptions.builder().require(Capability.TCP, null));
        assertThrows(UnsupportedOperationException.class, () -> o.requiredCapabilities().add(Capability.COMPLETION));
    }

    private static BackendProvider stub(String name, int priority, boolean available, Capability... caps) {
        Set<Capability> capabilities = Set.copyOf(EnumSet.of(caps[0], caps));
        return new BackendProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int priority() {
                return priority;
            }

            @Override
            public Availability availability() {
                return available ? Availability.ok() : Availability.unavailable("stub down");
            }

            @Override
            public Set<Capability> capabilities() {
                return capabilities;
            }

            @Override
            public Poller newPoller(LoopContext context) {
                throw new UnsupportedOperationException("stub");
            }
        };
    }
}
