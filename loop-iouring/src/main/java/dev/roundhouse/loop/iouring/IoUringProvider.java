package dev.roundhouse.loop.iouring;

import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.spi.Availability;
import dev.roundhouse.loop.spi.BackendProvider;
import dev.roundhouse.loop.spi.LoopContext;
import dev.roundhouse.loop.spi.Poller;
import io.netty.channel.uring.IoUring;
import java.util.EnumSet;
import java.util.Set;

/**
 * The Linux io_uring backend, through Netty's native io_uring library used as a low-level layer
 * only: an {@code IoUringIoHandler} (one ring per loop) driven by our loop thread, our own
 * {@code IoUringIoHandle}s on it submitting {@code RECV}, {@code WRITEV},
 * {@code ACCEPT}, {@code POLL_ADD}, {@code CLOSE} and {@code ASYNC_CANCEL} entries, and
 * {@code io.netty.channel.unix.Socket} for the socket syscalls (no Netty channel, pipeline or event
 * loop).
 *
 * <p>Completion model for transports and servers ({@link Capability#TCP},
 * {@link Capability#COMPLETION}, {@link Capability#REUSE_PORT}); readiness registrations
 * ({@link Capability#READINESS}, {@link Capability#NATIVE_EDGE}) on an epoll set that the ring
 * polls (see {@code UringReadiness}), with the epoll backend's semantics. They use Netty's epoll
 * native library too, and need {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} to read a
 * channel's descriptor, as on the epoll backend; where either is missing, {@code register} fails
 * with an {@link IllegalStateException} that says which, and transports are unaffected.
 * Priority 60: chosen over epoll where the kernel allows io_uring.
 *
 * <p>Unavailable, with Netty's reason, where the native library cannot load or the kernel refuses
 * a ring (older than 5.x, {@code io_uring_disabled} sysctl, seccomp in many containers,
 * {@code -Dio.netty.transport.noNative=true}); selection then falls back to epoll.
 */
public final class IoUringProvider implements BackendProvider {
    private static final Set<Capability> CAPABILITIES = Set.copyOf(EnumSet.of(Capability.READINESS,
            Capability.NATIVE_EDGE, Capability.COMPLETION, Capability.TCP, Capability.REUSE_PORT));
    private static volatile Availability availability;

    /** The provider as {@link java.util.ServiceLoader} makes it. */
    public IoUringProvider() {
    }

    @Override
    public String name() {
        return "io_uring";
    }

    @Override
    public int priority() {
        return 60;
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
            if (IoUring.isAvailable()) {
                return Availability.ok();
            }
            Throwable cause = IoUring.unavailabilityCause();
            return cause == null ? Availability.unavailable("Netty's native io_uring library is not available")
                    : Availability.unavailable("io_uring is not usable here (Netty's native library or the kernel)",
                    cause);
        } catch (LinkageError e) {
            return Availability.unavailable("netty-transport-native-io_uring is missing or incompatible", e);
        }
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Poller newPoller(LoopContext context) {
        return new UringPoller(context);
    }
}
