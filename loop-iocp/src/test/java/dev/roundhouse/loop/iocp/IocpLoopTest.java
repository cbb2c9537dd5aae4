package dev.roundhouse.loop.iocp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.BackendInfo;
import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.Loops;
import dev.roundhouse.loop.MissingCapabilityException;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.Transport;
import dev.roundhouse.loop.Trigger;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The backend as a whole: listing, capabilities, its threads, and connect failures. */
class IocpLoopTest {

    /** Listed as available with TCP and COMPLETION, without READINESS, at priority 20 (50 on Windows). */
    @Test
    @Timeout(30)
    void shouldBeListedWithCompletionAndWithoutReadiness() {
        BackendInfo info = Loops.backends().stream().filter(b -> b.name().equals("iocp")).findFirst().orElseThrow();
        assertTrue(info.available(), () -> "unavailable: " + info.unavailableReason());
        assertTrue(info.capabilities().containsAll(List.of(Capability.TCP, Capability.COMPLETION)));
        assertFalse(info.capabilities().contains(Capability.READINESS));
        assertFalse(info.capabilities().contains(Capability.NATIVE_EDGE));
        assertEquals(IocpProvider.isWindows() ? 50 : 20, info.priority());
    }

    /** Registering a channel fails with MissingCapabilityException "iocp does not provide READINESS". */
    @Test
    @Timeout(30)
    void shouldRejectReadinessRegistration() throws Exception {
        Pipe pipe = Pipe.open();
        try (EventLoop loop = Peers.openIocp()) {
            pipe.source().configureBlocking(false);
            MissingCapabilityException e = loop.submit(() -> assertThrows(MissingCapabilityException.class,
                    () -> loop.register(pipe.source(), Interest.READ, Trigger.LEVEL, (r, ready) -> { })))
                    .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertEquals("iocp does not provide READINESS", e.getMessage());
            assertEquals(Capability.READINESS, e.capability());
        } finally {
            pipe.source().close();
            pipe.sink().close();
        }
    }

    /**
     * The loop's only other thread is the JDK's I/O thread of its group (a daemon), and closing the
     * loop returns only after that thread has exited: nothing is left behind.
     */
    @Test
    @Timeout(30)
    void shouldLeaveNoThreadAfterClose() throws Exception {
        Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
        Peers.Opened o = Peers.openIocpWithPoller();
        Thread loopThread;
        List<Thread> io;
        try (EventLoop loop = o.loop()) {
            loopThread = loop.submit(Thread::currentThread).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Server server = Peers.listen(loop, Peers::echo); // the accept waits, so the I/O thread completes it
            try (Socket peer = Peers.peer(server)) {
                peer.getOutputStream().write(1);
                assertEquals(1, peer.getInputStream().read());
            }
            io = o.poller().ioThreads();
            assertEquals(1, io.size(), "one JDK I/O thread per group: " + io);
            assertTrue(io.get(0).isDaemon(), "the I/O thread is a daemon");
            assertFalse(io.contains(loopThread));
        }
        assertFalse(io.get(0).isAlive(), "close waited for the group's I/O thread: " + io.get(0));
        assertEquals(List.of(), Peers.awaitExit(List.of(loopThread)), "the loop thread exits");
        List<Thread> extra = new ArrayList<>(Thread.getAllStackTraces().keySet());
        extra.removeAll(before);
        extra.removeIf(t -> t.getName().equals("roundhouse-watchdog")); // shared, exits shortly after the last loop
        assertEquals(List.of(), Peers.awaitExit(extra), "no thread left behind (e.g. a JDK default-group thread)");
    }

    /** An idle loop with a pending read and a pending accept parks: loop and I/O threads use (almost) no CPU. */
    @Test
    @Timeout(30)
    void shouldNotSpinWhileIdle() throws Exception {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            Server server = Peers.listen(loop, Peers::echo);
            try (Socket peer = Peers.peer(server)) {
                peer.getOutputStream().write(1);
                assertEquals(1, peer.getInputStream().read()); // a read is pending again now
                List<Thread> watched = new ArrayList<>(o.poller().ioThreads());
                watched.add(loop.submit(Thread::currentThread).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
                assertEquals(2, watched.size(), "the loop thread and the group's I/O thread: " + watched);
                long before = watched.stream().mapToLong(t -> mx.getThreadCpuTime(t.getId())).sum();
                CompletableFuture<Void> window = new CompletableFuture<>(); // timed by the loop: one wakeup
                loop.schedule(() -> window.complete(null), 500, TimeUnit.MILLISECONDS);
                window.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                long usedMs = TimeUnit.NANOSECONDS.toMillis(
                        watched.stream().mapToLong(t -> mx.getThreadCpuTime(t.getId())).sum() - before);
                assertTrue(usedMs < 50, "idle loop and I/O threads used " + usedMs + " ms of CPU in 500 ms");
            }
        }
    }

    /** Closing the loop under a connection delivers connectionLost(LoopClosedException) on the loop thread. */
    @Test
    @Timeout(30)
    void shouldLoseConnectionsWithLoopClosedExceptionAtTermination() throws Exception {
        Recorder r = new Recorder();
        try (ServerSocket plain = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            EventLoop loop = Peers.openIocp();
            loop.connect(plain.getLocalSocketAddress(), r).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            try (Socket accepted = plain.accept()) {
                loop.close();
                assertInstanceOf(dev.roundhouse.loop.LoopClosedException.class,
                        r.lost.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
                assertEquals(List.of("made", "lost"), r.kinds());
            }
        }
    }

    /** A refused connect fails with ConnectException and calls nothing on the protocol. */
    @Test
    @Timeout(30)
    void shouldFailRefusedConnectWithConnectException() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Recorder r = new Recorder();
        try (EventLoop loop = Peers.openIocp()) {
            CompletableFuture<Transport> f = loop.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), r);
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
            assertInstanceOf(ConnectException.class, e.getCause());
            assertEquals(List.of(), r.kinds());
        }
    }

    /**
     * A connect that gets no answer fails with SocketTimeoutException after the configured time.
     * The listener's backlog is filled first, so Linux and BSD drop our SYN and the connect hangs
     * (Windows refuses instead: skipped there with the reason).
     */
    @Test
    @Timeout(30)
    void shouldTimeOutConnectWithSocketTimeoutException() throws Exception {
        Recorder r = new Recorder();
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             EventLoop loop = Peers.openIocp()) {
            for (int i = 0; i < 4; i++) { // backlog 1 holds 2 on Linux; the rest are never accepted
                Socket c = new Socket();
                fillers.add(c);
                try {
                    c.connect(s.getLocalSocketAddress(), 200);
                } catch (java.io.IOException full) { // timed out (dropped SYN) or refused (Windows)
                    break;
                }
            }
            SocketOptions quick = SocketOptions.builder().connectTimeout(300, TimeUnit.MILLISECONDS).build();
            long start = System.nanoTime();
            CompletableFuture<Transport> f = loop.connect(s.getLocalSocketAddress(), r, quick);
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            org.junit.jupiter.api.Assumptions.assumeFalse(e.getCause() instanceof ConnectException,
                    "this OS refuses a connect to a full backlog (Windows) instead of dropping the SYN");
            assertInstanceOf(SocketTimeoutException.class, e.getCause(), "after " + ms + " ms: " + e.getCause());
            assertTrue(ms >= 250, "timed out after " + ms + " ms");
            assertEquals(List.of(), r.kinds());
        } finally {
            for (Socket c : fillers) {
                c.close();
            }
        }
    }
}
