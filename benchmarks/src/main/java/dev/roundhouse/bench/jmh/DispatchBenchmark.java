package dev.roundhouse.bench.jmh;

import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.Registration;
import dev.roundhouse.loop.Trigger;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.nio.NioIoHandle;
import io.netty.channel.nio.NioIoOps;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
 * any backend with READINESS); Netty registers its own low-level equivalent, a plain handle that
 * only counts: a {@link NioIoHandle} on {@code NioIoHandler} ({@code netty-nio}) or an
 * {@link EpollIoHandle} submitted with {@code EPOLLIN}, level-triggered, on {@code EpollIoHandler}
 * ({@code netty-epoll}; the pipe's descriptor is read through {@code sun.nio.ch.SelChImpl}, which
 * needs the fork's {@code --add-exports}). {@code netty-io_uring} has no counterpart (its loop cannot
 * dispatch readiness of a foreign channel): {@code roundhouse-io_uring}, whose registrations sit on
 * an epoll set the ring polls, is compared with {@code netty-epoll}. ops/µs = ready events
 * dispatched per µs.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED"})
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
    public void open() throws Throwable {
        loop = LoopUnderTest.open(impl);
        if (loop.roundhouse != null && !loop.roundhouse.hasCapability(Capability.READINESS)) {
            loop.close();
            throw new IllegalStateException(impl + " has no READINESS capability: nothing to dispatch");
        }
        if (loop.netty != null && !impl.equals("netty-nio") && !impl.equals("netty-epoll")) {
            loop.close();
            throw new IllegalStateException(impl + ": only netty-nio and netty-epoll have a dispatch counterpart");
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
            boolean epoll = impl.equals("netty-epoll");
            for (Pipe p : pipes) {
                IoRegistration r = loop.netty.register(new CountingHandle(p.source(), epoll, counter)).get();
                loop.runOnLoop(() -> r.submit(epoll ? EpollIoOps.EPOLLIN : NioIoOps.READ));
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

    /** The descriptor number of a JDK pipe end (sun.nio.ch.SelChImpl#getFDVal). */
    private static int fdOf(SelectableChannel channel) throws Throwable {
        Class<?> selCh = Class.forName("sun.nio.ch.SelChImpl");
        return (int) MethodHandles.lookup().findVirtual(selCh, "getFDVal", MethodType.methodType(int.class))
                .invoke(channel);
    }

    /**
     * A Netty I/O handle that only counts its events: a {@link NioIoHandle} for
     * {@code NioIoHandler} and an {@link EpollIoHandle} for {@code EpollIoHandler} (each handler
     * takes only its own kind). The epoll descriptor object wraps the pipe's fd without owning it:
     * {@link #close()} does nothing, the pipe is closed by the benchmark.
     */
    static final class CountingHandle implements NioIoHandle, EpollIoHandle {
        private final SelectableChannel channel;
        private final FileDescriptor fd;
        private final LoopCounter counter;

        /** @param epoll whether it is for {@code netty-epoll} (reads the channel's descriptor) */
        CountingHandle(SelectableChannel channel, boolean epoll, LoopCounter counter) throws Throwable {
            this.channel = channel;
            this.fd = epoll ? new FileDescriptor(fdOf(channel)) : null;
            this.counter = counter;
        }

        @Override
        public SelectableChannel selectableChannel() {
            return channel;
        }

        @Override
        public FileDescriptor fd() {
            return fd;
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
