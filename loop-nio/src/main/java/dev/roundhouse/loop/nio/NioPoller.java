package dev.roundhouse.loop.nio;

import dev.roundhouse.loop.internal.Channels;
import dev.roundhouse.loop.Interest;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.ProtocolFactory;
import dev.roundhouse.loop.ReadinessHandler;
import dev.roundhouse.loop.Registration;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.Transport;
import dev.roundhouse.loop.Trigger;
import dev.roundhouse.loop.internal.LoopResources;
import dev.roundhouse.loop.internal.ReadinessConnector;
import dev.roundhouse.loop.internal.ReadinessServer;
import dev.roundhouse.loop.spi.LoopContext;
import dev.roundhouse.loop.spi.Poller;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** One loop's Selector. Loop thread only, but for {@link #wakeup()}. */
final class NioPoller implements Poller {
    /** {@link #spinBelowNanos()}: half of the {@code Selector}'s millisecond. */
    static final long SPIN_BELOW_NANOS = 500_000;
    private final LoopContext ctx;
    private final Selector selector;
    private final LoopResources resources = new LoopResources();
    private final Set<NioRegistration> registrations = Collections.newSetFromMap(new IdentityHashMap<>());
    /**
     * Collects the selected keys; they are dispatched once the select has returned. Running the
     * handlers inside the JDK's select loop interleaved them with its per-key volatile stores, so
     * every handler's shared-memory writes stalled the next key's (DispatchBenchmark: 0.79 of
     * Netty nio, which also collects first).
     */
    private final Consumer<SelectionKey> collect = this::collect;
    private SelectionKey[] selected = new SelectionKey[64];
    private int selectedCount;
    /** Registrations waiting for the Selector to flush their channel's cancelled key. */
    private final ArrayList<NioRegistration> pending = new ArrayList<>();

    NioPoller(LoopContext ctx) throws IOException {
        this.ctx = ctx;
        this.selector = Selector.open();
    }

    Selector selector() {
        return selector;
    }

    LoopContext context() {
        return ctx;
    }

    @Override
    public int poll(long timeoutNanos) throws IOException {
        int flushed = 0;
        if (!pending.isEmpty()) {
            flushed = selector.selectNow(collect); // flushes cancelled keys, so the channels can re-register
            dispatchSelected();
            for (NioRegistration r : new ArrayList<>(pending)) {
                if (r.bindKey()) {
                    pending.remove(r);
                }
            }
            if (flushed > 0) {
                timeoutNanos = 0;
            }
        }
        int n;
        if (timeoutNanos < 0) {
            n = selector.select(collect);
        } else if (timeoutNanos == 0) {
            n = flushed + selector.selectNow(collect);
        } else {
            n = selector.select(collect, selectMillis(timeoutNanos));
        }
        dispatchSelected();
        return n;
    }

    /**
     * Half a millisecond: a {@code Selector} waits in whole milliseconds, so the engine spins
     * toward a deadline closer than that ({@link #pollSpinning(long)}, i.e. {@code selectNow}) and a
     * timer fires within microseconds of it, never early, at the price of up to ~0.5 ms of
     * spinning per timer (Netty's {@code NioIoHandler} makes the same trade). Waiting instead, a
     * 100 &micro;s timer fired ~1 ms late (p50 0.99&ndash;1.02 ms against Netty nio's 1 &micro;s,
     * 2026-12-05).
     */
    @Override
    public long spinBelowNanos() {
        return SPIN_BELOW_NANOS;
    }

    /**
     * The {@code Selector} time-out for a wait of {@code timeoutNanos} (&gt; 0): whole milliseconds,
     * rounded to the nearest but at least one, so a wait of at least {@link #SPIN_BELOW_NANOS}
     * ends at most half a millisecond late; one that ends early is followed by another with what
     * is left, which the engine spins through by default. A shorter wait (a loop whose options
     * turned the timer spin off) lasts a millisecond: returning at once instead would make the
     * engine spin after all. Pure; does not overflow for any positive time-out.
     */
    static long selectMillis(long timeoutNanos) {
        return Math.max(1, timeoutNanos / 1_000_000 + (timeoutNanos % 1_000_000 >= 500_000 ? 1 : 0));
    }

    private void collect(SelectionKey key) {
        if (selectedCount == selected.length) {
            selected = java.util.Arrays.copyOf(selected, selectedCount * 2);
        }
        selected[selectedCount++] = key;
    }

    private void dispatchSelected() {
        int count = selectedCount;
        selectedCount = 0;
        for (int i = 0; i < count; i++) {
            SelectionKey key = selected[i];
            selected[i] = null;
            dispatch(key);
        }
    }

    private void dispatch(SelectionKey key) {
        if (!key.isValid()) {
            return; // cancelled earlier in this batch: never delivered
        }
        NioHandle handle = (NioHandle) key.attachment(); // marks the callback it runs (NioHandle)
        int ready;
        try {
            ready = key.readyOps();
        } catch (java.nio.channels.CancelledKeyException e) {
            return;
        }
        try {
            handle.onSelected(ready);
        } catch (Throwable t) {
            // The SPI: a handler's exception is reported and never escapes poll().
            ctx.reportException("I/O event of " + handle.getClass().getSimpleName(), t);
        }
    }

    @Override
    public void wakeup() {
        selector.wakeup();
    }

    @Override
    public Registration register(SelectableChannel channel, Interest interest, Trigger trigger,
                                 ReadinessHandler handler) {
        SelectionKey old = channel.keyFor(selector);
        if ((old != null && old.isValid()) || pending.stream().anyMatch(p -> p.channelUnchecked() == channel)) {
            throw new IllegalArgumentException("channel is already registered on this loop: " + channel);
        }
        NioRegistration r = new NioRegistration(this, channel, interest, trigger, handler);
        registrations.add(r);
        if (!r.bindKey()) {
            pending.add(r);
        }
        return r;
    }

    void forget(NioRegistration r) {
        registrations.remove(r);
        pending.remove(r);
    }

    @Override
    public void listen(SocketAddress local, ProtocolFactory factory, SocketOptions options,
                       CompletableFuture<Server> result) {
        ServerSocketChannel ch = null;
        try {
            if (options.ipv6Only()) {
                throw new UnsupportedOperationException("the nio backend cannot set IPV6_V6ONLY "
                        + "(java.nio has no such option); listen without ipv6Only or use a native backend");
            }
            ch = ServerSocketChannel.open();
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, options.reuseAddress());
            if (options.reusePort()) {
                ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            if (options.receiveBufferBytes() > 0) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, options.receiveBufferBytes());
            }
            ch.bind(local, options.backlog());
            NioListenerIo io = new NioListenerIo(this, ch);
            result.complete(new ReadinessServer(ctx, io, factory, options, resources));
        } catch (IOException | RuntimeException e) {
            Channels.closeQuietly(ch);
            result.completeExceptionally(e);
        }
    }

    @Override
    public void connect(SocketAddress remote, Protocol protocol, SocketOptions options,
                        CompletableFuture<Transport> result) {
        SocketChannel ch;
        try {
            ch = SocketChannel.open();
            ch.configureBlocking(false);
        } catch (IOException e) {
            result.completeExceptionally(e);
            return;
        }
        ReadinessConnector.connect(ctx, new NioSocketIo(this, ch), remote, protocol, options, resources, result);
    }

    @Override
    public void close() {
        resources.closeAll(ctx.loop().toString(), ctx::reportException);
        for (NioRegistration r : new ArrayList<>(registrations)) {
            r.cancel();
        }
        try {
            selector.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
