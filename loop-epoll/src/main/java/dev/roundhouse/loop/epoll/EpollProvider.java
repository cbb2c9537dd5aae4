package dev.roundhouse.loop.epoll;

import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.spi.Availability;
import dev.roundhouse.loop.spi.BackendProvider;
import dev.roundhouse.loop.spi.LoopContext;
import dev.roundhouse.loop.spi.Poller;
import io.netty.channel.epoll.Epoll;
import java.util.EnumSet;
import java.util.Set;

/**
 * The Linux epoll backend, through Netty's native epoll library used as a low-level layer only: an
 * {@code EpollIoHandler} driven by our loop thread, our own {@code EpollIoHandle}s on it and
 * {@code io.netty.channel.unix.Socket} for syscalls (no Netty channel, pipeline or event loop).
 *
 * <p>LEVEL, EDGE ({@code EPOLLET}, hence {@link Capability#NATIVE_EDGE}) and ONESHOT
 * ({@code EPOLLONESHOT}) are all native. {@code SO_REUSEPORT} lets each loop of a group own a
 * listener on the same port. Registering a JDK channel needs
 * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} (to read its descriptor).
 *
 * <p>Unavailable, with Netty's load error as the reason, where the native library cannot load
 * (not Linux, another architecture, musl, {@code -Dio.netty.transport.noNative=true}); selection
 * then falls back to nio.
 */
public final class EpollProvider implements BackendProvider {
    private static final Set<Capability> CAPABILITIES = Set.copyOf(EnumSet.of(Capability.READINESS,
            Capability.NATIVE_EDGE, Capability.TCP, Capability.REUSE_PORT));
    private static volatile Availability availability;

    @Override
    public String name() {
        return "epoll";
    }

    @Override
    public int priority() {
        return 50;
    }

    @Override
    public Availability availability() {
        Availability a = availability;
        if (a == null) {
            a = probe();
            availability = a;
        }
        return a;
    }

    private static Availability probe() {
        try {
            if (Epoll.isAvailable()) {
                return Availability.ok();
            }
            Throwable cause = Epoll.unavailabilityCause();
            return cause == null ? Availability.unavailable("Netty's native epoll library is not available")
                    : Availability.unavailable("Netty's native epoll library cannot load", cause);
        } catch (LinkageError e) {
            return Availability.unavailable("netty-transport-native-epoll is missing or incompatible", e);
        }
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Poller newPoller(LoopContext context) {
        return new EpollPoller(context);
    }
}
