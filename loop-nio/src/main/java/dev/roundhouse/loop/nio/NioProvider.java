package dev.roundhouse.loop.nio;

import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.spi.Availability;
import dev.roundhouse.loop.spi.BackendProvider;
import dev.roundhouse.loop.spi.LoopContext;
import dev.roundhouse.loop.spi.Poller;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.EnumSet;
import java.util.Set;

/**
 * The {@code java.nio} Selector backend: JDK only, works wherever Java runs, the fallback when no
 * native backend is available. LEVEL and ONESHOT are native; EDGE is emulated (the Selector is
 * level-triggered) and so {@link Capability#NATIVE_EDGE} is not declared.
 */
public final class NioProvider implements BackendProvider {
    private static volatile Availability availability;
    private static volatile Set<Capability> capabilities;

    @Override
    public String name() {
        return "nio";
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Availability availability() {
        Availability a = availability;
        if (a == null) {
            try {
                Selector.open().close();
                a = Availability.ok();
            } catch (IOException | RuntimeException e) {
                a = Availability.unavailable("java.nio Selector.open() failed", e);
            }
            availability = a;
        }
        return a;
    }

    @Override
    public Set<Capability> capabilities() {
        Set<Capability> c = capabilities;
        if (c == null) {
            EnumSet<Capability> s = EnumSet.of(Capability.READINESS, Capability.TCP);
            try (ServerSocketChannel probe = ServerSocketChannel.open()) {
                if (probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                    s.add(Capability.REUSE_PORT);
                }
            } catch (IOException | RuntimeException ignored) {
                // no descriptor to probe with: do not claim REUSE_PORT
            }
            c = Set.copyOf(s);
            capabilities = c;
        }
        return c;
    }

    @Override
    public Poller newPoller(LoopContext context) throws IOException {
        return new NioPoller(context);
    }
}
