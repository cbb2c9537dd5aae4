package dev.roundhouse.loop.epoll;

import static dev.roundhouse.loop.epoll.EpollTesting.await;
import static dev.roundhouse.loop.epoll.EpollTesting.call;
import static dev.roundhouse.loop.epoll.EpollTesting.kernelMask;
import static dev.roundhouse.loop.epoll.EpollTesting.quiet;
import static dev.roundhouse.loop.epoll.EpollTesting.run;
import static dev.roundhouse.loop.epoll.EpollTesting.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.Registration;
import dev.roundhouse.loop.Trigger;
import dev.roundhouse.loop.unix.ChannelFds;
import dev.roundhouse.loop.unix.EpollEvents;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The trigger modes are the kernel's: the epoll set's own record of each fd's mask
 * ({@code /proc/self/fdinfo} of the epoll descriptor) shows EPOLLET, EPOLLONESHOT, the one-shot
 * disarm, and the removal of an fd whose interest is NONE.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "epoll exists only on Linux")
class EpollTriggerTest {
    /** epoll_ctl(2) always adds EPOLLERR | EPOLLHUP: why an fd left in the set with no interest can spin. */
    private static final long IN = EpollEvents.EPOLLIN | EpollEvents.EPOLLERR | EpollEvents.EPOLLHUP;
    private static final long ET = EpollEvents.EPOLLET & 0xFFFF_FFFFL;
    private static final long ONESHOT = EpollEvents.EPOLLONESHOT;

    private EventLoop loop;
    private Pipe pipe;
    private int fd;
    private int descriptorBaseline;

    @BeforeEach
    void open() throws Exception {
        descriptorBaseline = EpollTesting.ioDescriptors().size();
        loop = EpollTesting.openLoop();
        pipe = EpollTesting.pipe();
        fd = ChannelFds.of(pipe.source());
    }

    /** Every case ends with the loop terminated and every descriptor it or the case opened closed. */
    @AfterEach
    void close() throws Exception {
        loop.close();
        assertTrue(loop.isTerminated());
        pipe.source().close();
        pipe.sink().close();
        java.util.List<String> left = EpollTesting.awaitDescriptorsAtMost(descriptorBaseline);
        assertTrue(left.isEmpty(), () -> "descriptors leaked (baseline " + descriptorBaseline + "): " + left);
    }

    /** LEVEL is the plain mask and repeats while the pipe stays readable. */
    @Test
    @Timeout(30)
    void shouldRegisterLevelAsThePlainMaskAndRepeat() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        call(loop, () -> loop.register(pipe.source(), Interest.READ, Trigger.LEVEL, (r, ready) -> calls.incrementAndGet()));
        assertEquals(OptionalLong.of(IN), kernelMask(fd));
        write(pipe, 1);
        await("three level notifications", () -> calls.get() >= 3);
    }

    /** EDGE carries EPOLLET: one notification per arrival, each new arrival notified without a drain. */
    @Test
    @Timeout(30)
    void shouldRegisterEdgeWithEpollEtAndNotifyEachArrival() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        call(loop, () -> loop.register(pipe.source(), Interest.READ, Trigger.EDGE, (r, ready) -> calls.incrementAndGet()));
        assertEquals(OptionalLong.of(IN | ET), kernelMask(fd));
        for (int arrival = 1; arrival <= 3; arrival++) {
            write(pipe, 1);
            int expected = arrival;
            await("edge notification " + arrival, () -> calls.get() >= expected);
            quiet(loop, 50);
            assertEquals(arrival, calls.get(), "one notification per arrival");
        }
    }

    /**
     * ONESHOT is EPOLLONESHOT in the kernel: after the event the kernel itself disarms the fd (its
     * mask keeps only the flag), new data is not reported, and rearm re-submits the mask.
     */
    @Test
    @Timeout(30)
    void shouldRegisterOneshotWithEpollOneshotDisarmedByTheKernel() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Registration reg = call(loop, () -> loop.register(pipe.source(), Interest.READ, Trigger.ONESHOT,
                (r, ready) -> calls.incrementAndGet()));
        assertEquals(OptionalLong.of(IN | ONESHOT), kernelMask(fd), "armed");
        write(pipe, 1);
        await("the one-shot notification", () -> calls.get() == 1);
        assertEquals(OptionalLong.of(ONESHOT), kernelMask(fd), "the kernel disarmed the fd after its event");
        write(pipe, 1);
        quiet(loop, 100);
        assertEquals(1, calls.get(), "no notification while disarmed, even on new data");
        for (int arm = 2; arm <= 4; arm++) {
            run(loop, reg::rearm);
            int expected = arm;
            await("notification after rearm " + arm, () -> calls.get() == expected);
            quiet(loop, 50);
            assertEquals(arm, calls.get(), "exactly one notification per arm");
        }
    }

    /**
     * NONE takes the fd out of the epoll set (netty#16683: a registered fd with an empty mask still
     * reports errors and spins). A reset socket with NONE leaves the loop idle; READ puts it back.
     */
    @Test
    @Timeout(30)
    void shouldRemoveFdFromSetWithInterestNoneAndNotSpin() throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel local = SocketChannel.open(listener.getLocalAddress());
                 SocketChannel peer = listener.accept()) {
                local.configureBlocking(false);
                int sfd = ChannelFds.of(local);
                peer.setOption(StandardSocketOptions.SO_LINGER, 0);
                peer.close(); // RST: the local socket now has a pending error (EPOLLERR | EPOLLHUP)
                AtomicInteger calls = new AtomicInteger();
                Registration reg = call(loop, () -> loop.register(local, Interest.NONE, Trigger.LEVEL,
                        (r, ready) -> calls.incrementAndGet()));
                assertFalse(kernelMask(sfd).isPresent(), "NONE: not in the epoll set");
                long loopThread = call(loop, () -> Thread.currentThread().getId());
                assertIdle(mx, loopThread, calls, 0);

                run(loop, () -> reg.setInterest(Interest.READ));
                await("READ on the reset socket", () -> calls.get() >= 1);
                run(loop, () -> reg.setInterest(Interest.NONE));
                assertFalse(kernelMask(sfd).isPresent(), "NONE again: removed from the set");
                assertTrue(call(loop, reg::isActive), "NONE keeps the registration");
                assertIdle(mx, loopThread, calls, calls.get());
                run(loop, reg::cancel);
            }
        }
    }

    private void assertIdle(ThreadMXBean mx, long threadId, AtomicInteger calls, int expected) throws Exception {
        long cpu0 = mx.getThreadCpuTime(threadId);
        long wall0 = System.nanoTime();
        quiet(loop, 300);
        long cpuNs = mx.getThreadCpuTime(threadId) - cpu0;
        long wallNs = System.nanoTime() - wall0;
        assertEquals(expected, calls.get(), "Interest.NONE is never reported");
        assertTrue(cpuNs < wallNs / 10, "loop thread used " + cpuNs / 1_000_000 + " ms CPU in "
                + wallNs / 1_000_000 + " ms: it spins");
    }

    /** Cancel and close take the fd out of the set; the handler never runs after cancel. */
    @Test
    @Timeout(30)
    void shouldLeaveTheSetOnCancel() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Registration reg = call(loop, () -> loop.register(pipe.source(), Interest.READ, Trigger.LEVEL,
                (r, ready) -> calls.incrementAndGet()));
        assertTrue(kernelMask(fd).isPresent());
        write(pipe, 1);
        int atCancel = call(loop, () -> {
            reg.cancel();
            return calls.get();
        });
        assertFalse(kernelMask(fd).isPresent(), "cancel removes the fd from the set");
        quiet(loop, 50);
        assertEquals(atCancel, calls.get());
    }

    /** A reused fd number never reaches the closed channel's handler, even when reused within one batch. */
    @Test
    @Timeout(30)
    void shouldNotDeliverToTheClosedChannelWhenItsFdIsReusedInTheSameBatch() throws Exception {
        AtomicInteger oldCalls = new AtomicInteger();
        AtomicInteger newCalls = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean reused = new java.util.concurrent.atomic.AtomicBoolean();
        Pipe trigger = EpollTesting.pipe();
        try {
            Pipe[] fresh = new Pipe[1];
            write(pipe, 1); // the old channel is ready in the same batch as the trigger
            write(trigger, 1);
            run(loop, () -> {
                loop.register(trigger.source(), Interest.READ, Trigger.ONESHOT, (r, ready) -> {
                    try {
                        pipe.source().close(); // frees the fd number: the new pipe's source takes it
                        fresh[0] = EpollTesting.pipe();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    reused.set(ChannelFds.of(fresh[0].source()) == fd);
                    loop.register(fresh[0].source(), Interest.READ, Trigger.LEVEL, (r2, ready2) -> newCalls.incrementAndGet());
                    r.cancel();
                });
                loop.register(pipe.source(), Interest.READ, Trigger.LEVEL, (r, ready) -> oldCalls.incrementAndGet());
            });
            await("the trigger ran", () -> fresh[0] != null);
            assertTrue(reused.get(), "the new pipe did not get the old fd number; the case proves nothing");
            quiet(loop, 50);
            assertEquals(0, newCalls.get(), "the new channel is empty: any event would be the old channel's");
            int oldAtClose = oldCalls.get();
            write(fresh[0], 1);
            await("the new channel's own event", () -> newCalls.get() >= 1);
            assertEquals(oldAtClose, oldCalls.get());
            fresh[0].source().close();
            fresh[0].sink().close();
        } finally {
            trigger.source().close();
            trigger.sink().close();
        }
    }
}
