package dev.roundhouse.loop.tck;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.LoopAffinityException;
import dev.roundhouse.loop.Registration;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.Transport;
import dev.roundhouse.loop.Trigger;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * Thread affinity (DESIGN.md, "The loop"): every loop-thread-only method called from a foreign
 * thread throws {@link LoopAffinityException} whose message names both threads, and the rejected
 * call has no effect. Transport and Server cases need TCP; Registration cases need READINESS.
 */
public abstract class AffinityTck extends BackendTck {

    /** EventLoop: callLater, callAt (and register where READINESS exists) off the loop thread throw LoopAffinityException. */
    @Test
    @Timeout(30)
    void shouldRejectLoopThreadOnlyEventLoopMethodsOffLoop() throws Exception {
        EventLoop loop = openLoop();
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("EventLoop.callLater", () -> loop.callLater(() -> { }, 1, TimeUnit.MILLISECONDS));
        calls.put("EventLoop.callAt", () -> loop.callAt(() -> { }, loop.time()));
        if (loop.hasCapability(Capability.READINESS)) {
            Pipe p = Channels.pipe();
            closeLater(Channels.closer(p));
            calls.put("EventLoop.register",
                    () -> loop.register(p.source(), Interest.READ, Trigger.LEVEL, new ReadinessRecorder("x")));
        }
        assertAllRejected(loop, calls);
    }

    /** Transport: every method except loop() off the loop thread throws LoopAffinityException and changes nothing. */
    @Test
    @Timeout(30)
    void shouldRejectEveryTransportMethodOffLoop() throws Exception {
        requireCapability(Capability.TCP);
        EventLoop loop = openLoop();
        Server server = Await.get(loop.listen(TcpTck.anyLoopbackPort(), () -> ProtocolRecorder.echo("echo")), "listen");
        ProtocolRecorder client = new ProtocolRecorder("client");
        Transport t = Await.get(loop.connect(server.localAddress(), client), "connect");
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("Transport.write(ByteBuffer)", () -> t.write(ByteBuffer.allocate(1)));
        calls.put("Transport.write(byte[])", () -> t.write(new byte[1]));
        calls.put("Transport.close", t::close);
        calls.put("Transport.abort", t::abort);
        calls.put("Transport.shutdownOutput", t::shutdownOutput);
        calls.put("Transport.pauseReading", t::pauseReading);
        calls.put("Transport.resumeReading", t::resumeReading);
        calls.put("Transport.isReading", t::isReading);
        calls.put("Transport.isClosing", t::isClosing);
        calls.put("Transport.setWriteBufferLimits", () -> t.setWriteBufferLimits(2, 1));
        calls.put("Transport.writeBufferSize", t::writeBufferSize);
        calls.put("Transport.writeBufferHighBytes", t::writeBufferHighBytes);
        calls.put("Transport.writeBufferLowBytes", t::writeBufferLowBytes);
        calls.put("Transport.localAddress", t::localAddress);
        calls.put("Transport.remoteAddress", t::remoteAddress);
        calls.put("Server.connectionCount", server::connectionCount);
        assertAllRejected(loop, calls);
        assertTrue(t.loop() == loop, "Transport.loop() is callable from any thread");
        assertFalse(Await.call(loop, t::isClosing), "the rejected calls had no effect");
        Await.run(loop, () -> t.write("still open".getBytes(US_ASCII)));
        assertArrayEquals("still open".getBytes(US_ASCII), client.awaitReceived(10), "the connection still echoes");
        Await.run(loop, t::close);
        client.awaitLost();
    }

    /** Registration: every method off the loop thread throws LoopAffinityException and changes nothing. */
    @Test
    @Timeout(30)
    void shouldRejectEveryRegistrationMethodOffLoop() throws Exception {
        requireCapability(Capability.READINESS);
        EventLoop loop = openLoop();
        Channels.SocketPair pair = closeLater(Channels.SocketPair.open()); // readable and writable
        ReadinessRecorder rec = new ReadinessRecorder("affinity");
        Registration r = Await.call(loop, () -> loop.register(pair.local(), Interest.READ, Trigger.ONESHOT, rec));
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("Registration.channel", r::channel);
        calls.put("Registration.interest", r::interest);
        calls.put("Registration.trigger", r::trigger);
        calls.put("Registration.setInterest", () -> r.setInterest(Interest.NONE));
        calls.put("Registration.rearm", r::rearm);
        calls.put("Registration.cancel", r::cancel);
        calls.put("Registration.isActive", r::isActive);
        calls.put("Registration.read", () -> r.read(ByteBuffer.allocate(1)));
        calls.put("Registration.write", () -> r.write(ByteBuffer.allocate(1)));
        assertAllRejected(loop, calls);
        assertTrue(Await.call(loop, () -> r.isActive() && r.interest() == Interest.READ), "no effect");
        Channels.writeBytes(pair.peer(), 1);
        rec.expectEvent(Interest.READ);
    }

    private static void assertAllRejected(EventLoop loop, Map<String, Executable> calls) {
        String loopThread = Await.loopThread(loop).getName();
        String caller = Thread.currentThread().getName();
        assertAll(calls.entrySet().stream().map(e -> () -> {
            Throwable thrown = null;
            try {
                e.getValue().execute();
            } catch (Throwable t) {
                thrown = t;
            }
            LoopAffinityException a = assertInstanceOf(LoopAffinityException.class, thrown,
                    e.getKey() + " off the loop thread");
            assertTrue(a.getMessage().contains(loopThread) && a.getMessage().contains(caller),
                    e.getKey() + ": the message must name the loop thread '" + loopThread + "' and the caller '"
                            + caller + "': " + a.getMessage());
        }));
    }
}
