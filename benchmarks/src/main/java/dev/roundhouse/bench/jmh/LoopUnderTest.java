package dev.roundhouse.bench.jmh;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Loops;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * One single-threaded event loop under test, by the name the JMH parameter {@code impl} gives:
 * {@code roundhouse-BACKEND} (a Roundhouse loop; stall detection off, as Netty has none) or
 * {@code netty-nio|netty-epoll|netty-io_uring} (Netty's {@code SingleThreadIoEventLoop}, the one
 * loop of a {@code MultiThreadIoEventLoopGroup(1, handlerFactory)}).
 *
 * <p>A name ending in {@value #LISTENING} gives the loop a server socket on a loopback port that
 * nobody connects to, as in any server's loop: an accept is always pending in it (registered for
 * readiness on epoll, nio and Netty's loops; posted and waiting in the port or ring on iocp and
 * io_uring). Without it, a completion loop has nothing in its port: iocp's then parks instead of
 * waiting in the port, which a server's loop never does (docs/benchmark-history.md, 2026-12-06).
 */
final class LoopUnderTest implements AutoCloseable {
    /** The suffix of a loop name that gives the loop a listening socket. */
    static final String LISTENING = "+listening";

    final String name;
    /** Non-null for a Roundhouse loop. */
    final EventLoop roundhouse;
    /** Non-null for a Netty loop. */
    final IoEventLoop netty;
    private final MultiThreadIoEventLoopGroup nettyGroup;

    private LoopUnderTest(String name, EventLoop roundhouse, MultiThreadIoEventLoopGroup nettyGroup) {
        this.name = name;
        this.roundhouse = roundhouse;
        this.nettyGroup = nettyGroup;
        this.netty = nettyGroup == null ? null : (IoEventLoop) nettyGroup.next();
    }

    static LoopUnderTest open(String name) {
        boolean listening = name.endsWith(LISTENING);
        String impl = listening ? name.substring(0, name.length() - LISTENING.length()) : name;
        if (impl.startsWith("roundhouse-")) {
            LoopOptions.Builder options = LoopOptions.builder()
                    .backend(impl.substring("roundhouse-".length()))
                    .stallThreshold(0, TimeUnit.NANOSECONDS);
            // compares spin settings: -Droundhouse.bench.spinNanos=N spins a fixed N ns (0: off),
            // -Droundhouse.bench.adaptiveSpinNanos=N adapts up to N; neither: the default. Pass them
            // with JMH's -jvmArgsPrepend (-jvmArgsAppend would drop the forks' own flags)
            Long fixed = Long.getLong("roundhouse.bench.spinNanos");
            Long adaptive = Long.getLong("roundhouse.bench.adaptiveSpinNanos");
            if (fixed != null) {
                options.spinBeforeSleep(fixed, TimeUnit.NANOSECONDS);
            } else if (adaptive != null) {
                options.adaptiveSpinBeforeSleep(adaptive, TimeUnit.NANOSECONDS);
            }
            // -Droundhouse.bench.timerSlackNanos=N sets the loop thread's timer slack (-1: inherited)
            Long slack = Long.getLong("roundhouse.bench.timerSlackNanos");
            if (slack != null && slack < 0) {
                options.inheritedTimerSlack();
            } else if (slack != null) {
                options.timerSlack(slack, TimeUnit.NANOSECONDS);
            }
            EventLoop loop = Loops.open(options.build());
            if (listening) {
                listen(loop);
            }
            return new LoopUnderTest(name, loop, null);
        }
        IoHandlerFactory factory;
        Class<? extends ServerChannel> serverChannel;
        switch (impl) {
            case "netty-nio" -> {
                factory = NioIoHandler.newFactory();
                serverChannel = NioServerSocketChannel.class;
            }
            case "netty-epoll" -> {
                factory = EpollIoHandler.newFactory();
                serverChannel = EpollServerSocketChannel.class;
            }
            case "netty-io_uring" -> {
                factory = IoUringIoHandler.newFactory();
                serverChannel = IoUringServerSocketChannel.class;
            }
            default -> throw new IllegalArgumentException("unknown impl " + name);
        }
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, factory);
        if (listening) {
            listen(group, serverChannel);
        }
        return new LoopUnderTest(name, null, group);
    }

    /** A Roundhouse server nobody connects to (see {@link #LISTENING}); closed with the loop. */
    private static void listen(EventLoop loop) {
        Protocol ignoring = new Protocol() {
            @Override
            public void connectionMade(Transport transport) {
                transport.close();
            }

            @Override
            public void dataReceived(ByteBuffer data) {
            }

            @Override
            public void connectionLost(Throwable cause) {
            }
        };
        try {
            loop.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), () -> ignoring)
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            loop.close();
            throw new IllegalStateException("could not open the listener of a " + LISTENING + " loop", e);
        }
    }

    /** A Netty server channel nobody connects to on the group's one loop; closed with the group. */
    private static void listen(MultiThreadIoEventLoopGroup group, Class<? extends ServerChannel> type) {
        try {
            new ServerBootstrap().group(group).channel(type)
                    .childHandler(new ChannelInboundHandlerAdapter())
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .sync();
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("could not open the listener of a " + LISTENING + " loop", e);
        }
    }

    /** Runs {@code task} on the loop thread. Any thread. */
    void execute(Runnable task) {
        if (roundhouse != null) {
            roundhouse.execute(task);
        } else {
            netty.execute(task);
        }
    }

    /** Runs {@code task} on the loop thread and waits for it. */
    void runOnLoop(Runnable task) throws Exception {
        if (roundhouse != null) {
            roundhouse.submit(() -> {
                task.run();
                return null;
            }).get(30, TimeUnit.SECONDS);
        } else {
            netty.submit(task).get(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        if (roundhouse != null) {
            roundhouse.close();
        } else {
            nettyGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
