package dev.roundhouse.bench.jmh;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Loops;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelHandlerContext;
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
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
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
 *
 * <p>A name ending in {@value #CONNECTED} gives the loop that server socket and one connection to
 * it, opened by a plain blocking socket of the benchmark's process, that stays idle, as a server's
 * keep-alive connection does: a read is always pending in the loop (registered on epoll, nio and
 * Netty's loops; posted on io_uring and iocp, where on Linux it waits in the JDK's port, so that
 * iocp's loop waits in the port itself: see loop-iocp's README).
 */
final class LoopUnderTest implements AutoCloseable {
    /** The suffix of a loop name that gives the loop a listening socket. */
    static final String LISTENING = "+listening";
    /** The suffix of a loop name that gives the loop a listening socket and one idle connection to it. */
    static final String CONNECTED = "+connected";

    final String name;
    /** Non-null for a Roundhouse loop. */
    final EventLoop roundhouse;
    /** Non-null for a Netty loop. */
    final IoEventLoop netty;
    private final MultiThreadIoEventLoopGroup nettyGroup;
    /** The client end of a {@value #CONNECTED} loop's idle connection, or null. */
    private Socket idlePeer;

    private LoopUnderTest(String name, EventLoop roundhouse, MultiThreadIoEventLoopGroup nettyGroup) {
        this.name = name;
        this.roundhouse = roundhouse;
        this.nettyGroup = nettyGroup;
        this.netty = nettyGroup == null ? null : (IoEventLoop) nettyGroup.next();
    }

    static LoopUnderTest open(String name) {
        boolean connected = name.endsWith(CONNECTED);
        boolean listening = connected || name.endsWith(LISTENING);
        String impl = connected ? name.substring(0, name.length() - CONNECTED.length())
                : listening ? name.substring(0, name.length() - LISTENING.length()) : name;
        CountDownLatch made = new CountDownLatch(1);
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
            LoopUnderTest under = new LoopUnderTest(name, loop, null);
            if (listening) {
                SocketAddress server = listen(loop, connected ? made : null);
                if (connected) {
                    under.connectIdle(server, made);
                }
            }
            return under;
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
        LoopUnderTest under = new LoopUnderTest(name, null, group);
        if (listening) {
            SocketAddress server = listen(group, serverChannel, made);
            if (connected) {
                under.connectIdle(server, made);
            }
        }
        return under;
    }

    /**
     * For a {@value #CONNECTED} loop: connects the idle peer to {@code server} and waits until the
     * loop has the connection ({@code made}). Closes the loop and throws if that fails.
     */
    private void connectIdle(SocketAddress server, CountDownLatch made) {
        try {
            idlePeer = new Socket();
            idlePeer.connect(server, 30_000);
            if (!made.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the loop did not take the connection within 30 s");
            }
        } catch (Exception e) {
            close();
            throw new IllegalStateException("could not open the idle connection of a " + CONNECTED + " loop", e);
        }
    }

    /**
     * A Roundhouse server (see {@link #LISTENING}); closed with the loop. With {@code made}, its
     * connections stay open and each counts it down; without, nobody is expected to connect.
     * Returns its address.
     */
    private static SocketAddress listen(EventLoop loop, CountDownLatch made) {
        Protocol server = new Protocol() {
            @Override
            public void connectionMade(Transport transport) {
                if (made == null) {
                    transport.close();
                } else {
                    made.countDown();
                }
            }

            @Override
            public void dataReceived(ByteBuffer data) {
            }

            @Override
            public void connectionLost(Throwable cause) {
            }
        };
        try {
            return loop.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), () -> server)
                    .get(30, TimeUnit.SECONDS).localAddress();
        } catch (Exception e) {
            loop.close();
            throw new IllegalStateException("could not open the listener of a " + LISTENING + " loop", e);
        }
    }

    /**
     * A Netty server channel on the group's one loop, closed with the group; each connection made
     * to it counts {@code made} down and stays open. Returns its address.
     */
    private static SocketAddress listen(MultiThreadIoEventLoopGroup group, Class<? extends ServerChannel> type,
                                        CountDownLatch made) {
        try {
            return new ServerBootstrap().group(group).channel(type)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            made.countDown();
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .sync().channel().localAddress();
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
        if (idlePeer != null) {
            try {
                idlePeer.close();
            } catch (IOException e) {
                // closing a plain socket: nothing left to do
            }
        }
        if (roundhouse != null) {
            roundhouse.close();
        } else {
            nettyGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
