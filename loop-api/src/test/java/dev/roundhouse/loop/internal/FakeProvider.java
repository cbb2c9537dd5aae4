package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.spi.Availability;
import dev.roundhouse.loop.spi.BackendProvider;
import dev.roundhouse.loop.spi.LoopContext;
import dev.roundhouse.loop.spi.Poller;
import java.util.Set;

/** A backend whose every loop gets one {@link FakePoller}, for the engine's tests. */
final class FakeProvider implements BackendProvider {
    final FakePoller poller = new FakePoller();
    /** The context of the last loop opened here (its pollers' stand-in dispatches through it). */
    volatile LoopContext context;

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability availability() {
        return Availability.ok();
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of();
    }

    @Override
    public Poller newPoller(LoopContext context) {
        this.context = context;
        return poller;
    }
}
