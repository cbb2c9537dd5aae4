package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.LoopClosedException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/** The live resources of one loop, closed together at termination. Loop thread only. */
public final class LoopResources {
    private final Set<LoopResource> live = Collections.newSetFromMap(new IdentityHashMap<>());

    public void add(LoopResource r) {
        live.add(r);
    }

    public void remove(LoopResource r) {
        live.remove(r);
    }

    public int size() {
        return live.size();
    }

    /** Closes every resource (each failure is reported, the rest still close). */
    public void closeAll(String loopName, java.util.function.BiConsumer<String, Throwable> report) {
        LoopClosedException cause = new LoopClosedException("loop " + loopName + " closed");
        for (LoopResource r : new ArrayList<>(live)) {
            try {
                r.closeForShutdown(cause);
            } catch (Throwable t) {
                report.accept("close of " + r, t);
            }
        }
        live.clear();
    }
}
