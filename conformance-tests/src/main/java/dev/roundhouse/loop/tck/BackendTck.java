package dev.roundhouse.loop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.roundhouse.loop.BackendInfo;
import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Loops;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/**
 * The base of every conformance class: names the backend, skips every case when that backend is
 * not on the class path or not available here (with the backend's own reason), opens loops on it,
 * skips a case whose capability the backend lacks, and ends every case with leak checks.
 *
 * <p>A backend runs a conformance class with one subclass that implements {@link #backend()}
 * (or runs them all at once with {@link ConformanceSuite}).
 *
 * <p>Leak checks after each case: every loop the case opened is closed and terminated, no
 * {@code roundhouse-*} thread is left (the shared watchdog exits shortly after the last loop), and
 * the number of open sockets, pipes and anonymous inodes is back to where the case started.
 */
public abstract class BackendTck {
    private final List<EventLoop> loops = new ArrayList<>();
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private int descriptorBaseline = -1;
    private boolean backendRan;

    /** The backend under test, as {@link LoopOptions.Builder#backend(String)} takes it, e.g. {@code "nio"}. */
    protected abstract String backend();

    /** Skips the case unless the backend is on the class path and available; records the baseline. */
    @BeforeEach
    final void requireAvailableBackend() throws InterruptedException {
        BackendInfo info = backendInfo();
        Assumptions.assumeTrue(info.available(),
                () -> "backend " + backend() + " is not available: " + info.unavailableReason());
        List<String> stray = Leaks.awaitNoRoundhouseThreads();
        assertTrue(stray.isEmpty(), () -> "threads left over from an earlier case: " + stray);
        descriptorBaseline = Leaks.ioDescriptors().size();
        backendRan = true;
    }

    /** Closes what the case opened and checks that nothing leaked. */
    @AfterEach
    final void closeAndCheckLeaks() throws Exception {
        if (!backendRan) {
            return;
        }
        for (EventLoop loop : loops) {
            loop.close();
            assertTrue(loop.isTerminated(), () -> "loop " + loop + " did not terminate on close()");
        }
        List<Throwable> closeErrors = new ArrayList<>();
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                closeErrors.add(e);
            }
        }
        List<String> threads = Leaks.awaitNoRoundhouseThreads();
        assertEquals(List.of(), threads, "Roundhouse threads still alive after every loop closed");
        List<String> descriptors = Leaks.awaitDescriptorsAtMost(descriptorBaseline);
        assertTrue(descriptors.isEmpty(), () -> "descriptors leaked: " + descriptorBaseline
                + " sockets/pipes/anon inodes were open before the case, now: " + descriptors);
        assertEquals(List.of(), closeErrors, "closing the case's own resources failed");
    }

    /** What {@link Loops#backends()} says of this backend; skips the case if it is not on the class path. */
    protected final BackendInfo backendInfo() {
        List<BackendInfo> all = Loops.backends();
        Optional<BackendInfo> info = all.stream().filter(b -> b.name().equals(backend())).findFirst();
        Assumptions.assumeTrue(info.isPresent(), () -> "backend " + backend()
                + " is not on the class path (found: " + all.stream().map(BackendInfo::name)
                .collect(Collectors.joining(", ")) + ")");
        return info.get();
    }

    /** Skips the case, with {@code "<backend> does not provide <CAPABILITY>"}, unless the backend has it. */
    protected final void requireCapability(Capability capability) {
        Assumptions.assumeTrue(backendInfo().capabilities().contains(capability),
                () -> backend() + " does not provide " + capability);
    }

    /** Opens a loop on the backend with default options; it is closed and checked after the case. */
    protected final EventLoop openLoop() {
        return openLoop(UnaryOperator.identity());
    }

    /**
     * Opens a loop on the backend with options adjusted by {@code options} (the backend is set
     * first and must not be changed); it is closed and checked after the case.
     */
    protected final EventLoop openLoop(UnaryOperator<LoopOptions.Builder> options) {
        EventLoop loop = Loops.open(options.apply(LoopOptions.builder().backend(backend())).build());
        loops.add(loop);
        if (!loop.backendName().equals(backend())) {
            fail("asked for backend " + backend() + " but got " + loop.backendName());
        }
        return loop;
    }

    /** Closes {@code resource} after the case, before the leak checks (last registered, first closed). */
    protected final <T extends AutoCloseable> T closeLater(T resource) {
        resources.push(resource);
        return resource;
    }
}
