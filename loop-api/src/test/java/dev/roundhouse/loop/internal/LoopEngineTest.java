package dev.roundhouse.loop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.LoopAffinityException;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.ProtocolFactory;
import dev.roundhouse.loop.ReadinessHandler;
import dev.roundhouse.loop.Registration;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.Transport;
import dev.roundhouse.loop.Trigger;
import dev.roundhouse.loop.spi.Availability;
import dev.roundhouse.loop.spi.BackendProvider;
import dev.roundhouse.loop.spi.LoopContext;
import dev.roundhouse.loop.spi.Poller;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.channels.SelectableChannel;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The engine against a fake backend: what no real backend can be made to do on demand. */
@Timeout(30)
class LoopEngineTest {

    /** A poller that blocks on a semaphore; its wakeup can be made to fail. */
    static final class FakePoller implements Poller {
        final Semaphore wake = new Semaphore(0);
        final AtomicBoolean failWakeup = new AtomicBoolean();
        final AtomicInteger wakeups = new AtomicInteger();
        final CountDownLatch blocked = new CountDownLatch(1);

        @Override
        public int poll(long timeoutNanos) throws java.io.IOException {
            try {
                if (timeoutNanos != 0) {
                    blocked.countDown();
                }
                if (timeoutNanos < 0) {
                    wake.acquire();
                } else {
                    wake.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS);
                }
                wake.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }

        @Override
        public void wakeup() {
            wakeups.incrementAndGet();
            if (failWakeup.get()) {
                throw new UncheckedIOException(new java.io.IOException("eventfd write failed (test)"));
            }
            wake.release();
        }

        @Override
        public Registration register(SelectableChannel c, Interest i, Trigger t, ReadinessHandler h) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void listen(SocketAddress a, ProtocolFactory f, SocketOptions o, CompletableFuture<Server> r) {
            r.completeExceptionally(new UnsupportedOperationException());
        }

        @Override
        public void connect(SocketAddress a, Protocol p, SocketOptions o, CompletableFuture<Transport> r) {
            r.completeExceptionally(new UnsupportedOperationException());
        }

        @Override
        public void close() {
            wake.release();
        }
    }

    static final class FakeProvider implements BackendProvider {
        final FakePoller poller = new FakePoller();

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
            return poller;
        }
    }

    /** A wakeup that fails is thrown to the caller of execute, not swallowed (cpython#156054). */
    @Test
    void shouldSurfaceAFailedWakeupToTheCaller() throws Exception {
        FakeProvider p = new FakeProvider();
        LoopEngine loop = LoopEngine.start(p, LoopOptions.DEFAULTS);
        try {
            assertTrue(p.poller.blocked.await(10, TimeUnit.SECONDS));
            p.poller.failWakeup.set(true);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> loop.execute(() -> { }));
            assertTrue(e.getMessage().contains("wakeup"), e.getMessage());
            assertTrue(e.getCause() instanceof UncheckedIOException);
        } finally {
            p.poller.failWakeup.set(false);
            p.poller.wakeup();
            loop.close();
        }
    }

    /** Many executes to a sleeping loop cost one wakeup per sleep, not one per task. */
    @Test
    void shouldCoalesceWakeups() throws Exception {
        FakeProvider p = new FakeProvider();
        LoopEngine loop = LoopEngine.start(p, LoopOptions.DEFAULTS);
        try {
            assertTrue(p.poller.blocked.await(10, TimeUnit.SECONDS));
            CountDownLatch ran = new CountDownLatch(10_000);
            int before = p.poller.wakeups.get();
            for (int i = 0; i < 10_000; i++) {
                loop.execute(ran::countDown);
            }
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            int used = p.poller.wakeups.get() - before;
            assertTrue(used >= 1 && used < 10_000, "wakeups for 10,000 executes: " + used);
        } finally {
            loop.close();
        }
    }

    /** checkInLoop names the method, the loop thread and the caller. */
    @Test
    void shouldNameBothThreadsInTheAffinityError() throws Exception {
        FakeProvider p = new FakeProvider();
        LoopEngine loop = LoopEngine.start(p, LoopOptions.builder().threadName("affinity").build());
        try {
            LoopAffinityException e = assertThrows(LoopAffinityException.class, () -> loop.checkInLoop("X.y"));
            assertTrue(e.getMessage().contains("X.y") && e.getMessage().contains("affinity-")
                    && e.getMessage().contains(Thread.currentThread().getName()), e.getMessage());
            assertEquals(Boolean.TRUE, loop.submit(() -> {
                loop.checkInLoop("X.y");
                return true;
            }).get(10, TimeUnit.SECONDS));
        } finally {
            loop.close();
        }
    }
}
