package dev.roundhouse.loop.iocp;

import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.spi.Availability;
import dev.roundhouse.loop.spi.BackendProvider;
import dev.roundhouse.loop.spi.LoopContext;
import dev.roundhouse.loop.spi.Poller;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The IOCP-style completion backend over {@link AsynchronousChannelGroup}: a real I/O completion
 * port on Windows, the JDK's emulation over epoll (Linux) or kqueue (macOS) elsewhere; the same
 * code on all. Capabilities: {@link Capability#TCP}, {@link Capability#COMPLETION}, and
 * {@link Capability#REUSE_PORT} where the JDK's asynchronous server socket supports it; no
 * {@link Capability#READINESS} (like asyncio's {@code ProactorEventLoop}).
 *
 * <p>Priority 20, 50 on Windows, where it is the native backend. Available wherever a group can
 * be made and a socket opened in it (probed once), unless the JDK is told to give such a group no
 * I/O thread ({@code -Dsun.nio.ch.internalThreadPoolSize=0}: operations that must wait would never
 * complete).
 *
 * <p><b>Threads per loop:</b> the loop thread, and the one I/O thread the JDK starts for the loop's
 * group (daemon; named by the JDK, {@code Thread-N} on JDK 17 and {@code InnocuousThread-N} on
 * JDK 25, because the JDK takes no thread factory for it). On Linux the loop thread waits on the
 * group's port itself and that thread only serves as its alarm ({@link DirectPort}); elsewhere it
 * finishes the operations that had to wait ({@link InlineExecutor}). On Linux each loop also holds
 * a loopback TCP connection of its own (two sockets) to be woken by.
 */
public final class IocpProvider implements BackendProvider {
    /** The JDK's own setting for the I/O threads of a group that is not a fixed pool (default 1). */
    static final String JDK_IO_THREADS_PROPERTY = "sun.nio.ch.internalThreadPoolSize";
    private static final long PROBE_WAIT_MS = 5_000;
    private static volatile Availability availability;
    private static volatile Set<Capability> capabilities;

    /** The provider as {@link java.util.ServiceLoader} makes it. */
    public IocpProvider() {
    }

    @Override
    public String name() {
        return "iocp";
    }

    @Override
    public int priority() {
        return isWindows() ? 50 : 20;
    }

    static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }

    @Override
    public Availability availability() {
        probeOnce();
        return availability;
    }

    @Override
    public Set<Capability> capabilities() {
        probeOnce();
        return capabilities;
    }

    /**
     * Makes a group as a loop does, opens a server socket in it (its options tell whether
     * {@code SO_REUSEPORT} exists) and shuts the group down again. The probe uses its own group, never
     * the JDK's default one, whose threads would live as long as the JVM.
     */
    private static synchronized void probeOnce() {
        if (availability != null) {
            return;
        }
        EnumSet<Capability> caps = EnumSet.of(Capability.TCP, Capability.COMPLETION);
        if (Integer.getInteger(JDK_IO_THREADS_PROPERTY, 1) < 1) {
            capabilities = Set.copyOf(caps);
            availability = Availability.unavailable(JDK_IO_THREADS_PROPERTY + "=" + System.getProperty(
                    JDK_IO_THREADS_PROPERTY) + " leaves the group without an I/O thread");
            return;
        }
        AsynchronousChannelGroup group;
        try {
            group = AsynchronousChannelGroup.withThreadPool(new InlineExecutor(Thread.currentThread()));
        } catch (IOException | RuntimeException | Error e) {
            capabilities = Set.copyOf(caps);
            availability = Availability.unavailable("AsynchronousChannelGroup.withThreadPool failed", e);
            return;
        }
        Availability a;
        try (AsynchronousServerSocketChannel probe = AsynchronousServerSocketChannel.open(group)) {
            if (probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                caps.add(Capability.REUSE_PORT);
            }
            a = Availability.ok();
        } catch (IOException | RuntimeException e) {
            a = Availability.unavailable("AsynchronousServerSocketChannel.open failed", e);
        } finally {
            try {
                group.shutdownNow();
                group.awaitTermination(PROBE_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (IOException ignored) {
                // the probe's verdict stands; the group is gone or going
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        capabilities = Set.copyOf(caps);
        availability = a;
    }

    @Override
    public Poller newPoller(LoopContext context) throws IOException {
        return new IocpPoller(context);
    }
}
