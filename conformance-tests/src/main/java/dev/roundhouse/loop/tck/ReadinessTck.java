package dev.roundhouse.loop.tck;

import static dev.roundhouse.loop.tck.Channels.drain;
import static dev.roundhouse.loop.tck.Channels.writeBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.ReadinessHandler;
import dev.roundhouse.loop.Registration;
import dev.roundhouse.loop.Trigger;
import dev.roundhouse.loop.tck.Channels.SocketPair;
import dev.roundhouse.loop.tck.ReadinessRecorder.Event;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;

/**
 * The readiness contract (DESIGN.md, "Readiness contract"): LEVEL, EDGE, NATIVE_EDGE and ONESHOT
 * delivery, interest changes, cancel and close, EOF and error readiness. Every case needs
 * {@link Capability#READINESS}; pipes and loopback TCP pairs are the handles.
 */
public abstract class ReadinessTck extends BackendTck {

    /** Skips the class's cases on backends without readiness registration. */
    @BeforeEach
    final void requireReadiness() {
        requireCapability(Capability.READINESS);
    }

    /** Registers on the loop thread (registration is loop-thread-only). */
    protected static Registration register(EventLoop loop, SelectableChannel channel, Interest interest,
                                           Trigger trigger, ReadinessHandler handler) {
        return Await.call(loop, () -> loop.register(channel, interest, trigger, handler));
    }

    /** A pipe closed after the case. */
    protected final Pipe pipe() throws IOException {
        Pipe p = Channels.pipe();
        closeLater(Channels.closer(p));
        return p;
    }

    /** LEVEL: while the pipe stays readable the handler is called again on every iteration, and stops once drained. */
    @Test
    @Timeout(30)
    void shouldRepeatLevelNotificationUntilDrained() throws Exception {
        EventLoop loop = openLoop();
        Pipe p = pipe();
        ReadinessRecorder rec = new ReadinessRecorder("level");
        register(loop, p.source(), Interest.READ, Trigger.LEVEL, rec);
        rec.expectNoEvents(loop);
        writeBytes(p.sink(), 1);
        Thread loopThread = Await.loopThread(loop);
        for (Event e : rec.expectEvents(3)) {
            assertSame(Interest.READ, e.ready(), "a pipe source is only ever readable");
            assertSame(loopThread, e.thread(), "handlers run on the loop thread");
        }
        int atDrain = Await.call(loop, () -> {
            drain(p.source());
            return rec.count();
        });
        Await.quiet(loop);
        assertEquals(atDrain, rec.count(), "LEVEL must stop notifying once the condition is false");
    }

    /** EDGE (portable): no further notification without a new edge; without NATIVE_EDGE not even on new data. */
    @Test
    @Timeout(30)
    void shouldNotRepeatEdgeNotificationWithoutNewEdge() throws Exception {
        EventLoop loop = openLoop();
        Pipe p = pipe();
        ReadinessRecorder rec = new ReadinessRecorder("edge");
        register(loop, p.source(), Interest.READ, Trigger.EDGE, rec);
        writeBytes(p.sink(), 1);
        rec.expectEvent(Interest.READ);
        rec.expectNoEvents(loop);
        if (!loop.hasCapability(Capability.NATIVE_EDGE)) {
            writeBytes(p.sink(), 1);
            rec.expectNoEvents(loop);
        }
    }

    /**
     * EDGE (portable): after a drain to would-block through {@link Registration#read}, or a drain of
     * the channel followed by {@link Registration#rearm()}, new data is notified again, every time.
     */
    @Test
    @Timeout(30)
    void shouldNotifyEdgeAgainAfterDrainAndNewData() throws Exception {
        EventLoop loop = openLoop();
        Pipe p = pipe();
        ReadinessRecorder rec = new ReadinessRecorder("edge-drain");
        register(loop, p.source(), Interest.READ, Trigger.EDGE, rec);
        for (int round = 0; round < 6; round++) {
            boolean throughRegistration = round % 2 == 0;
            rec.react((r, ready) -> {
                if (throughRegistration) {
                    drainThrough(r);
                } else {
                    drain(p.source());
                    r.rearm(); // the documented alternative: declare the drain after a would-block
                }
            });
            writeBytes(p.sink(), 100 + round);
            rec.expectEvent(Interest.READ);
            rec.expectNoEvents(loop);
        }
    }

    /** Reads through the registration until it would block; returns the bytes read, or -1 at end-of-stream. */
    protected static long drainThrough(Registration r) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8192);
        long total = 0;
        for (;;) {
            b.clear();
            int n = r.read(b);
            if (n <= 0) {
                return n < 0 ? -1 : total;
            }
            total += n;
        }
    }

    /** NATIVE_EDGE: every new arrival is notified even when the consumer did not drain. */
    @Test
    @Timeout(30)
    void shouldNotifyNativeEdgeOnNewArrivalWithoutDrain() throws Exception {
        requireCapability(Capability.NATIVE_EDGE);
        EventLoop loop = openLoop();
        Pipe p = pipe();
        ReadinessRecorder rec = new ReadinessRecorder("native-edge");
        register(loop, p.source(), Interest.READ, Trigger.EDGE, rec);
        for (int round = 0; round < 3; round++) {
            writeBytes(p.sink(), 1);
            rec.expectEvent(Interest.READ);
            rec.expectNoEvents(loop);
        }
    }

    /** ONESHOT: exactly one notification per arm, none while disarmed even on new data, one promptly on rearm. */
    @Test
    @Timeout(30)
    void shouldDeliverOneshotExactlyOncePerArm() throws Exception {
        EventLoop loop = openLoop();
        Pipe p = pipe();
        ReadinessRecorder rec = new ReadinessRecorder("oneshot");
        Registration reg = register(loop, p.source(), Interest.READ, Trigger.ONESHOT, rec);
        writeBytes(p.sink(), 1);
        rec.expectEvent(Interest.READ);
        rec.expectNoEvents(loop);
        writeBytes(p.sink(), 1);
        rec.expectNoEvents(loop);
        for (int arm = 0; arm < 3; arm++) {
            int before = Await.call(loop, () -> {
                reg.rearm();
                return rec.count();
            });
            Await.quiet(loop, 3, 0);
            assertEquals(before + 1, rec.count(), "rearm of a still-ready handle must notify promptly, once");
            rec.expectEvent(Interest.READ);
            rec.expectNoEvents(loop);
        }
    }

    /** ONESHOT: a registration re-armed and cancelled in the same task is never notified. */
    @Test
    @Timeout(30)
    void shouldNotDeliverOneshotAfterCancel() throws Exception {
        EventLoop loop = openLoop();
        Pipe p = pipe();
        ReadinessRecorder rec = new ReadinessRecorder("oneshot-cancel");
        Registration reg = register(loop, p.source(), Interest.READ, Trigger.ONESHOT, rec);
        writeBytes(p.sink(), 1);
        rec.expectEvent(Interest.READ);
        Await.run(loop, () -> {
            reg.rearm();
            reg.cancel();
            assertFalse(reg.isActive(), "cancelled registration reports inactive");
        });
        rec.expectNoEvents(loop);
        assertInstanceOf(IllegalStateException.class, Await.thrownOnLoop(loop, reg::rearm), "rearm after cancel");
    }

    /** Interest change: setInterest replaces the set while registered, and only the new set is reported. */
    @Test
    @Timeout(30)
    void shouldReportOnlyTheNewInterestAfterSetInterest() throws Exception {
        EventLoop loop = openLoop();
        SocketPair pair = closeLater(SocketPair.open());
        ReadinessRecorder rec = new ReadinessRecorder("interest");
        Registration reg = register(loop, pair.local(), Interest.READ, Trigger.LEVEL, rec);
        rec.expectNoEvents(loop);
        Await.run(loop, () -> reg.setInterest(Interest.WRITE));
        assertSame(Interest.WRITE, Await.call(loop, reg::interest));
        assertSame(Interest.WRITE, rec.expectEvent(Interest.WRITE).ready());
        int atChange = Await.call(loop, () -> {
            reg.setInterest(Interest.READ);
            return rec.count();
        });
        Await.quiet(loop);
        assertEquals(atChange, rec.count(), "WRITE must not be reported once the interest is READ");
        rec.clear();
        writeBytes(pair.peer(), 1);
        assertSame(Interest.READ, rec.expectEvent(Interest.READ).ready(), "ready set within the interest");
    }

    /** Interest.NONE keeps the registration but never reports nor spins, even on a reset (error) socket. */
    @Test
    @Timeout(30)
    void shouldNotSpinWithInterestNone() throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx.isThreadCpuTimeSupported(), "thread CPU time is not measurable here");
        EventLoop loop = openLoop();
        SocketPair pair = closeLater(SocketPair.open());
        writeBytes(pair.peer(), 10);
        pair.resetFromPeer();
        ReadinessRecorder rec = new ReadinessRecorder("none");
        Registration reg = register(loop, pair.local(), Interest.NONE, Trigger.LEVEL, rec);
        long loopThreadId = Await.loopThread(loop).getId();
        assertIdle(mx, loopThreadId, loop, rec, 0);
        Await.run(loop, () -> reg.setInterest(Interest.READ));
        rec.expectEvent(Interest.READ);
        int atNone = Await.call(loop, () -> {
            reg.setInterest(Interest.NONE);
            assertTrue(reg.isActive(), "Interest.NONE keeps the registration");
            return rec.count();
        });
        assertIdle(mx, loopThreadId, loop, rec, atNone);
    }

    private static void assertIdle(ThreadMXBean mx, long threadId, EventLoop loop, ReadinessRecorder rec,
                                   int expectedCount) {
        long windowMs = 300;
        long cpuBefore = mx.getThreadCpuTime(threadId);
        long wallBefore = System.nanoTime();
        Await.quiet(loop, 1, windowMs);
        long cpuNs = mx.getThreadCpuTime(threadId) - cpuBefore;
        long wallNs = System.nanoTime() - wallBefore;
        assertEquals(expectedCount, rec.count(), "Interest.NONE must not be reported");
        assertTrue(cpuNs < wallNs / 4, "loop thread used " + cpuNs / 1_000_000 + " ms CPU in a "
                + wallNs / 1_000_000 + " ms window with Interest.NONE: it spins");
    }

    /** Cancel: a registration cancelled by another handler of the same dispatch batch is not called. */
    @Test
    @Timeout(60)
    void shouldSuppressPendingEventCancelledInSameBatch() throws Exception {
        EventLoop loop = openLoop();
        for (int round = 0; round < 20; round++) {
            Pipe a = pipe();
            Pipe b = pipe();
            AtomicReference<Registration> regA = new AtomicReference<>();
            AtomicReference<Registration> regB = new AtomicReference<>();
            ReadinessRecorder recA = new ReadinessRecorder("A", (r, i) -> {
                regB.get().cancel();
                r.cancel();
            });
            ReadinessRecorder recB = new ReadinessRecorder("B", (r, i) -> {
                regA.get().cancel();
                r.cancel();
            });
            Await.run(loop, () -> { // both become ready before the same poll
                regA.set(loop.register(a.source(), Interest.READ, Trigger.LEVEL, recA));
                regB.set(loop.register(b.source(), Interest.READ, Trigger.LEVEL, recB));
                writeBytes(a.sink(), 1);
                writeBytes(b.sink(), 1);
            });
            Await.quiet(loop);
            assertEquals(1, recA.count() + recB.count(), "round " + round + ": exactly the first handler "
                    + "runs; the one it cancelled must not (A=" + recA.count() + ", B=" + recB.count() + ")");
        }
    }

    /** Cancel on close: closing the channel, on the loop or another thread, cancels its registration. */
    @Test
    @Timeout(30)
    void shouldCancelRegistrationWhenChannelCloses() throws Exception {
        EventLoop loop = openLoop();
        Pipe onLoop = pipe();
        Pipe offLoop = pipe();
        ReadinessRecorder recOn = new ReadinessRecorder("closed-on-loop");
        ReadinessRecorder recOff = new ReadinessRecorder("closed-off-loop");
        Registration regOn = register(loop, onLoop.source(), Interest.READ, Trigger.LEVEL, recOn);
        Registration regOff = register(loop, offLoop.source(), Interest.READ, Trigger.LEVEL, recOff);
        Await.run(loop, () -> {
            onLoop.source().close();
            assertFalse(regOn.isActive(), "a registration of a closed channel is inactive");
        });
        offLoop.source().close();
        assertFalse(Await.call(loop, regOff::isActive), "a registration of a closed channel is inactive");
        recOn.expectNoEvents(loop);
        recOff.expectNoEvents(loop);
        Await.run(loop, () -> {
            regOn.cancel(); // idempotent after close
            regOff.cancel();
        });
    }

    /** Reused descriptor: a new channel that gets a closed channel's fd number never receives the old events. */
    @Test
    @Timeout(30)
    void shouldNotDeliverStaleEventToReusedDescriptor(TestReporter report) throws Exception {
        EventLoop loop = openLoop();
        Pipe old = pipe();
        writeBytes(old.sink(), 1); // the old handle stays ready until closed
        ReadinessRecorder recOld = new ReadinessRecorder("old");
        register(loop, old.source(), Interest.READ, Trigger.LEVEL, recOld);
        recOld.expectEvents(2);
        int oldFd = Channels.fdOf(old.source()).orElse(-1);
        int atClose = Await.call(loop, () -> {
            old.source().close();
            return recOld.count();
        });
        Pipe fresh = null;
        for (int attempt = 0; attempt < 16; attempt++) { // where fd numbers are observable, get the old one back
            Await.quiet(loop, 2, 0);
            fresh = pipe();
            if (oldFd < 0 || Channels.fdOf(fresh.source()).orElse(-2) == oldFd) {
                break;
            }
        }
        int freshFd = Channels.fdOf(fresh.source()).orElse(-2);
        report.publishEntry("descriptor reused", oldFd < 0 ? "not observable" : oldFd + " -> " + freshFd);
        ReadinessRecorder recNew = new ReadinessRecorder("new");
        register(loop, fresh.source(), Interest.READ, Trigger.LEVEL, recNew);
        recNew.expectNoEvents(loop);
        writeBytes(fresh.sink(), 1);
        recNew.expectEvent(Interest.READ);
        assertEquals(atClose, recOld.count(), "the closed channel's handler ran after close");
    }

    /** EOF: a pipe whose writer closed is reported as READ, and the read then returns end-of-stream. */
    @Test
    @Timeout(30)
    void shouldReportPipeHangUpAsReadReadinessThenEndOfStream() throws Exception {
        EventLoop loop = openLoop();
        Pipe p = pipe();
        List<Integer> reads = new CopyOnWriteArrayList<>();
        ReadinessRecorder rec = new ReadinessRecorder("hang-up", (r, ready) -> {
            reads.add(p.source().read(ByteBuffer.allocate(16)));
            r.cancel();
        });
        register(loop, p.source(), Interest.READ, Trigger.EDGE, rec);
        p.sink().close();
        assertSame(Interest.READ, rec.expectEvent(Interest.READ).ready());
        assertEquals(List.of(-1), reads, "the read after hang-up readiness returns end-of-stream");
    }

    /** EOF: a TCP peer's shutdownOutput is reported as READ, and the read then returns end-of-stream. */
    @Test
    @Timeout(30)
    void shouldReportPeerShutdownAsReadReadinessThenEndOfStream() throws Exception {
        EventLoop loop = openLoop();
        SocketPair pair = closeLater(SocketPair.open());
        List<Integer> reads = new CopyOnWriteArrayList<>();
        ReadinessRecorder rec = new ReadinessRecorder("fin", (r, ready) -> {
            reads.add(pair.local().read(ByteBuffer.allocate(16)));
            r.cancel();
        });
        register(loop, pair.local(), Interest.READ, Trigger.LEVEL, rec);
        pair.peer().shutdownOutput();
        rec.expectEvent(Interest.READ);
        assertEquals(List.of(-1), reads, "the read after FIN readiness returns end-of-stream");
    }

    /** Error: a reset from the peer is reported as READ readiness and the read throws. */
    @Test
    @Timeout(30)
    void shouldReportPeerResetAsReadReadinessWhoseReadThrows() throws Exception {
        EventLoop loop = openLoop();
        SocketPair pair = closeLater(SocketPair.open());
        List<Object> outcomes = new CopyOnWriteArrayList<>();
        ReadinessRecorder rec = new ReadinessRecorder("reset-read", (r, ready) -> {
            outcomes.add(attempt(() -> pair.local().read(ByteBuffer.allocate(16))));
            r.cancel();
        });
        register(loop, pair.local(), Interest.READ, Trigger.LEVEL, rec);
        pair.resetFromPeer();
        assertSame(Interest.READ, rec.expectEvent(Interest.READ).ready());
        assertInstanceOf(IOException.class, outcomes.get(0), "the read surfaces the reset");
    }

    /** Error: a reset on a socket that is neither readable nor writable is reported as READ and WRITE; the write throws. */
    @Test
    @Timeout(30)
    void shouldReportPeerResetAsReadAndWriteReadinessWhoseWriteThrows() throws Exception {
        EventLoop loop = openLoop();
        SocketPair pair = closeLater(SocketPair.open());
        assertTrue(Channels.fill(pair.local()) > 0);
        List<Object> outcomes = new CopyOnWriteArrayList<>();
        ReadinessRecorder rec = new ReadinessRecorder("reset-write", (r, ready) -> {
            outcomes.add(attempt(() -> pair.local().write(ByteBuffer.wrap(new byte[] {1}))));
            r.cancel();
        });
        register(loop, pair.local(), Interest.READ_WRITE, Trigger.LEVEL, rec);
        rec.expectNoEvents(loop);
        pair.resetFromPeer();
        assertSame(Interest.READ_WRITE, rec.expectEvents(1).get(0).ready(), "an error is READ and WRITE");
        assertInstanceOf(IOException.class, outcomes.get(0), "the write surfaces the reset");
    }

    /** Handler failure: an exception from onReady goes to the exception handler and cancels the registration. */
    @Test
    @Timeout(30)
    void shouldCancelRegistrationWhoseHandlerThrows() throws Exception {
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        EventLoop loop = openLoop(o -> o.exceptionHandler((l, context, error) -> reported.add(error)));
        Pipe p = pipe();
        IllegalStateException boom = new IllegalStateException("tck: handler failure");
        ReadinessRecorder rec = new ReadinessRecorder("throws", (r, ready) -> {
            throw boom;
        });
        Registration reg = register(loop, p.source(), Interest.READ, Trigger.LEVEL, rec);
        writeBytes(p.sink(), 1);
        rec.expectEvent(Interest.READ);
        rec.expectNoEvents(loop);
        assertEquals(List.of(boom), reported, "the handler's exception goes to the exception handler once");
        assertFalse(Await.call(loop, reg::isActive), "the failing registration is cancelled");
    }

    /** Registration arguments: a blocking channel or a second registration of the same channel is rejected. */
    @Test
    @Timeout(30)
    void shouldRejectBlockingOrAlreadyRegisteredChannel() throws Exception {
        EventLoop loop = openLoop();
        Pipe p = pipe();
        ReadinessRecorder rec = new ReadinessRecorder("args");
        assertInstanceOf(IllegalArgumentException.class, Await.thrownOnLoop(loop,
                () -> loop.register(p.sink(), Interest.WRITE, Trigger.LEVEL, rec)), "blocking channel");
        register(loop, p.source(), Interest.READ, Trigger.LEVEL, rec);
        assertInstanceOf(IllegalArgumentException.class, Await.thrownOnLoop(loop,
                () -> loop.register(p.source(), Interest.READ, Trigger.LEVEL, rec)),
                "second registration of the same channel");
    }

    /** Stress: 10,000 register/cancel cycles interleaved with traffic never lose, duplicate or misroute data. */
    @Test
    @Timeout(120)
    void shouldSurviveTenThousandRegisterCancelCyclesWithTraffic() throws Exception {
        EventLoop loop = openLoop();
        RegisterCancelCycles cycles = new RegisterCancelCycles(loop, pipe(), 10_000);
        cycles.run();
        assertEquals(0, cycles.violations(), "handlers called after cancel, or inactive registrations: "
                + cycles.violationDetails());
        assertEquals(cycles.bytesWritten(), cycles.bytesRead(), "every byte written was read once, in order");
    }

    private static Object attempt(Channels.IoCall call) {
        try {
            return call.run();
        } catch (IOException e) {
            return e;
        }
    }
}
