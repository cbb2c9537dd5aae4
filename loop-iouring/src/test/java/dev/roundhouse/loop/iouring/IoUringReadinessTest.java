package dev.roundhouse.loop.iouring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Loops;
import dev.roundhouse.loop.ReadinessHandler;
import dev.roundhouse.loop.Registration;
import dev.roundhouse.loop.Trigger;
import dev.roundhouse.loop.unix.ChannelFds;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * What the TCK's readiness cases cannot see of the io_uring backend's registrations: that closing a
 * registered channel really closes its socket (the reason they sit on an epoll set rather than a
 * {@code POLL_ADD} each: a poll in flight would hold the file open), and that the epoll set is made
 * on the first registration and closed with the loop.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "io_uring exists only on Linux")
class IoUringReadinessTest {
    private static final long TIMEOUT_MS = 10_000;
    private static final String EPOLL_SET = "anon_inode:[eventpoll]";

    @BeforeAll
    static void available() {
        assumeTrue(new IoUringProvider().availability().available(),
                () -> "io_uring is not available here: " + new IoUringProvider().availability());
    }

    @Test
    @Timeout(30)
    void shouldDeclareReadinessWithNativeEdge() throws Exception {
        try (EventLoop loop = open()) {
            assertTrue(loop.hasCapability(Capability.READINESS));
            assertTrue(loop.hasCapability(Capability.NATIVE_EDGE));
            assertTrue(loop.hasCapability(Capability.COMPLETION));
        }
    }

    @Test
    @Timeout(30)
    void shouldCloseTheSocketOfAChannelClosedWhileRegistered() throws Exception {
        try (EventLoop loop = open();
             ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel channel = SocketChannel.open(listener.getLocalAddress());
            try (Socket peer = listener.accept().socket()) {
                peer.setSoTimeout((int) TIMEOUT_MS);
                channel.configureBlocking(false);
                CountDownLatch ready = new CountDownLatch(1);
                Registration r = call(loop, () -> loop.register(channel, Interest.READ, Trigger.LEVEL,
                        (reg, interest) -> ready.countDown()));
                peer.getOutputStream().write(1);
                assertTrue(ready.await(TIMEOUT_MS, TimeUnit.MILLISECONDS), "the registration works");
                call(loop, () -> {
                    ByteBuffer one = ByteBuffer.allocate(1);
                    r.read(one); // drained: the registration now waits, as one that is closed idle would
                    channel.close(); // no cancel: closing cancels
                    assertFalse(r.isActive());
                    return null;
                });
                assertEquals(-1, readOrTimeout(peer.getInputStream()), "the peer sees the close at once");
            }
        }
    }

    @Test
    @Timeout(30)
    void shouldMakeTheEpollSetOnFirstRegistrationAndCloseItWithTheLoop() throws Exception {
        long before = IoUringTcpTest.countFds(EPOLL_SET);
        EventLoop loop = open();
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.configureBlocking(false);
            call(loop, () -> null);
            assertEquals(before, IoUringTcpTest.countFds(EPOLL_SET), "no epoll set until something registers");
            Registration r = call(loop, () -> loop.register(listener, Interest.READ, Trigger.LEVEL, (reg, i) -> { }));
            assertEquals(before + 1, IoUringTcpTest.countFds(EPOLL_SET), "one epoll set for the loop's registrations");
            call(loop, () -> {
                r.cancel();
                return null;
            });
            loop.close();
            loop.terminationFuture().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertEquals(before, IoUringTcpTest.countFds(EPOLL_SET), "the epoll set closed with the loop");
        } finally {
            loop.close();
        }
    }

    @Test
    @Timeout(60)
    void shouldDropTheEntryOfAClosedChannelWhoseNumberWasReusedInTheSameBatch() throws Exception {
        // one batch holds A's entry, then B's; A's handler closes B's channel and registers a new,
        // idle channel that gets B's descriptor number: B's entry, still in the batch, is stale
        int reused = 0;
        for (int attempt = 0; attempt < 16 && reused < 3; attempt++) {
            try (EventLoop loop = open()) {
                Pipe a = Pipe.open();
                Pipe b = Pipe.open();
                a.source().configureBlocking(false);
                b.source().configureBlocking(false);
                int bFd = ChannelFds.of(b.source());
                AtomicInteger staleEvents = new AtomicInteger();
                AtomicReference<ServerSocketChannel> fresh = new AtomicReference<>();
                CountDownLatch handled = new CountDownLatch(1);
                ReadinessHandler onA = (reg, ready) -> {
                    reg.cancel();
                    try {
                        b.source().close();
                        ServerSocketChannel s = ServerSocketChannel.open(); // the lowest free number: often B's
                        fresh.set(s);
                        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                        s.configureBlocking(false);
                        loop.register(s, Interest.READ, Trigger.LEVEL, (r2, ready2) -> staleEvents.incrementAndGet());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    handled.countDown();
                };
                call(loop, () -> {
                    loop.register(a.source(), Interest.READ, Trigger.LEVEL, onA);
                    loop.register(b.source(), Interest.READ, Trigger.LEVEL, (reg, ready) -> { });
                    a.sink().write(ByteBuffer.wrap(new byte[1])); // A ready first: first in the batch
                    b.sink().write(ByteBuffer.wrap(new byte[1]));
                    return null;
                });
                assertTrue(handled.await(TIMEOUT_MS, TimeUnit.MILLISECONDS));
                call(loop, () -> null); // a further iteration: a new arrival would have been reported by now
                call(loop, () -> null);
                boolean sameNumber = ChannelFds.of(fresh.get()) == bFd;
                if (sameNumber) {
                    reused++;
                    assertEquals(0, staleEvents.get(), "the new channel got the closed channel's entry");
                }
                fresh.get().close();
                a.source().close();
                a.sink().close();
                b.sink().close();
            }
        }
        assumeTrue(reused > 0, "the descriptor number was never reused here");
    }

    private static EventLoop open() {
        return Loops.open(LoopOptions.builder().backend("io_uring").build());
    }

    private static <T> T call(EventLoop loop, java.util.concurrent.Callable<T> task) throws Exception {
        return loop.submit(task).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /** The next byte, -1 at end of stream, -2 if nothing came within the socket's timeout. */
    private static int readOrTimeout(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (SocketTimeoutException e) {
            return -2;
        }
    }
}
