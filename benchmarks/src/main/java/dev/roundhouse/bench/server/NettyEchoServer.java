package dev.roundhouse.bench.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.net.InetSocketAddress;

/**
 * Netty's echo server, the way Netty's own example writes it (write on read, flush on read
 * complete), on one transport: one event-loop thread serving both accept and I/O, pooled direct
 * buffers, TCP_NODELAY.
 */
final class NettyEchoServer implements EchoServer {
    /** A Netty transport: its handler factory and server channel class. */
    enum Kind {
        NIO("nio"), EPOLL("epoll"), IO_URING("io_uring");

        final String name;

        Kind(String name) {
            this.name = name;
        }

        /** Why the transport cannot run here, or {@code null} if it can. */
        String unavailableReason() {
            return switch (this) {
                case NIO -> null;
                case EPOLL -> Epoll.isAvailable() ? null : String.valueOf(Epoll.unavailabilityCause());
                case IO_URING -> IoUring.isAvailable() ? null : String.valueOf(IoUring.unavailabilityCause());
            };
        }

        IoHandlerFactory handlerFactory() {
            return switch (this) {
                case NIO -> NioIoHandler.newFactory();
                case EPOLL -> EpollIoHandler.newFactory();
                case IO_URING -> IoUringIoHandler.newFactory();
            };
        }

        Class<? extends ServerChannel> serverChannel() {
            return switch (this) {
                case NIO -> NioServerSocketChannel.class;
                case EPOLL -> EpollServerSocketChannel.class;
                case IO_URING -> IoUringServerSocketChannel.class;
            };
        }
    }

    private final Kind kind;
    private EventLoopGroup group;

    NettyEchoServer(Kind kind) {
        this.kind = kind;
    }

    @Override
    public String start(int port) throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, kind.handlerFactory());
        PooledByteBufAllocator pooledDirect = new PooledByteBufAllocator(true);
        Channel channel = new ServerBootstrap()
                .group(group) // one thread for the acceptor and the connections, like one Roundhouse loop
                .channel(kind.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, pooledDirect)
                .childHandler(EchoHandler.INSTANCE)
                .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
        return "netty " + kind.name + " on " + channel.localAddress();
    }

    @Override
    public void stop() throws Exception {
        if (group != null) {
            group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    @ChannelHandler.Sharable
    static final class EchoHandler extends ChannelInboundHandlerAdapter {
        static final EchoHandler INSTANCE = new EchoHandler();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
