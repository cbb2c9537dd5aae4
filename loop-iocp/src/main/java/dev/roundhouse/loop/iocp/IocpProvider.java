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
 * be made and a socket opened in it (probed once).
 */
public final class IocpProvider implements BackendProvider {
    /**
     * Group threads per loop. One: a group thread only reads/writes/accepts and posts the
     * completion (the protocol work is on the loop thread), and one loop thread consumes them; a
     * second thread measured no better (see the module README), and costs a thread per loop.
     */
    static final int DEFAULT_GROUP_THREADS = 1;
    private static final long PROBE_WAIT_MS = 5_000;
    private static volatile Availability availability;
    private static volatile Set<Capability> capabilities;

    private final int groupThreads;

    /** The provider as {@link java.util.ServiceLoader} makes it: {@value #DEFAULT_GROUP_THREADS} group thread per loop. */
    public IocpProvider() {
        this(DEFAULT_GROUP_THREADS);
    }

    /** A provider with {@code groupThreads} group threads per loop (for measurements). */
    IocpProvider(int groupThreads) {
        if (groupThreads < 1) {
            throw new IllegalArgumentException("groupThreads must be at least 1, got " + groupThreads);
        }
        this.groupThreads = groupThreads;
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
     * Makes a one-thread group, opens a server socket in it (its options tell whether
     * {@code SO_REUSEPORT} exists) and shuts the group down again. The probe uses its own group, never
     * the JDK's default one, whose threads would live as long as the JVM.
     */
    private static synchronized void probeOnce() {
        if (availability != null) {
            return;
        }
        EnumSet<Capability> caps = EnumSet.of(Capability.TCP, Capability.COMPLETION);
        AsynchronousChannelGroup group;
        try {
            group = AsynchronousChannelGroup.withFixedThreadPool(1, new GroupThreads("probe"));
        } catch (IOException | RuntimeException | Error e) {
            capabilities = Set.copyOf(caps);
            availability = Availability.unavailable("AsynchronousChannelGroup.withFixedThreadPool failed", e);
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
        return new IocpPoller(context, groupThreads);
    }
}
