package dev.roundhouse.bench.jmh;

import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.Registration;
import dev.roundhouse.loop.Trigger;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.nio.NioIoHandle;
import io.netty.channel.nio.NioIoOps;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Dispatch cost per ready event: 64 pipes, each holding one unread byte, registered for READ
 * level-triggered with a handler that does not drain them, so every loop iteration polls and
 * dispatches 64 ready events. The loop spins on its own; the benchmark thread times windows of
 * 10,000 dispatched events. Roundhouse uses the public readiness API ({@code EventLoop.register},
 * any backend with READINESS); Netty registers a plain {@link NioIoHandle} on its
 * {@code NioIoHandler}, its own low-level equivalent (so only {@code netty-nio} is paired; an
 * {@code EpollIoHandle} for {@code netty-epoll} is still to be written). ops/µs = ready events
 * dispatched per µs.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DispatchBenchmark {
    static final int PIPES = 64;
    static final int WINDOW = 10_000;

    @Param({"roundhouse-nio", "netty-nio"})
    public String impl;

    private LoopUnderTest loop;
    private final List<Pipe> pipes = new ArrayList<>();
    private final List<Registration> registrations = new ArrayList<>();
    private final List<IoRegistration> nettyRegistrations = new ArrayList<>();
    private final LoopCounter counter = new LoopCounter();

    @Setup
    public void open() throws Exception {
        loop = LoopUnderTest.open(impl);
        if (loop.roundhouse != null && !loop.roundhouse.hasCapability(Capability.READINESS)) {
            loop.close();
            throw new IllegalStateException(impl + " has no READINESS capability: nothing to dispatch");
        }
        if (loop.netty != null && !impl.equals("netty-nio")) {
            loop.close(); // EpollIoHandler takes only an EpollIoHandle: not written yet
            throw new IllegalStateException(impl + ": only netty-nio has a dispatch counterpart so far");
        }
        for (int i = 0; i < PIPES; i++) {
            Pipe p = Pipe.open();
            p.source().configureBlocking(false);
            p.sink().write(ByteBuffer.wrap(new byte[] {1}));
            pipes.add(p);
        }
        if (loop.roundhouse != null) {
            loop.runOnLoop(() -> {
                for (Pipe p : pipes) {
                    registrations.add(loop.roundhouse.register(p.source(), Interest.READ, Trigger.LEVEL,
                            (registration, ready) -> counter.run()));
                }
            });
        } else {
            for (Pipe p : pipes) {
                IoRegistration r = loop.netty.register(new CountingHandle(p.source(), counter)).get();
                loop.runOnLoop(() -> r.submit(NioIoOps.READ));
                nettyRegistrations.add(r);
            }
        }
    }

    @TearDown
    public void close() throws Exception {
        if (loop.roundhouse != null) {
            loop.runOnLoop(() -> registrations.forEach(Registration::cancel));
        } else {
            loop.runOnLoop(() -> nettyRegistrations.forEach(IoRegistration::cancel));
        }
        loop.close();
        for (Pipe p : pipes) {
            p.source().close();
            p.sink().close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(WINDOW)
    public void dispatchReadyEvent() {
        counter.awaitAtLeast(counter.get() + WINDOW);
    }

    /** A Netty I/O handle that only counts its events. */
    static final class CountingHandle implements NioIoHandle {
        private final SelectableChannel channel;
        private final LoopCounter counter;

        CountingHandle(SelectableChannel channel, LoopCounter counter) {
            this.channel = channel;
            this.counter = counter;
        }

        @Override
        public SelectableChannel selectableChannel() {
            return channel;
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            counter.run();
        }

        @Override
        public void close() {
        }
    }
}
