package dev.roundhouse.loop.epoll;

import dev.roundhouse.loop.internal.WaitWindow;
import dev.roundhouse.loop.spi.LoopContext;
import io.netty.channel.IoHandlerContext;

/**
 * What one {@code EpollIoHandler.run} may do: block or not, and until when ({@link WaitWindow},
 * including why a wakeup is never lost: Netty's epoll {@code wakeup()} writes the eventfd only
 * once the handler has published that it is about to wait, and it asks {@code canBlock()} again
 * right after publishing).
 */
final class EpollWaitContext extends WaitWindow implements IoHandlerContext {
    EpollWaitContext(LoopContext ctx) {
        super(ctx);
    }
}
