package dev.roundhouse.loop.iouring;

import dev.roundhouse.loop.internal.WaitWindow;
import dev.roundhouse.loop.spi.LoopContext;
import io.netty.channel.IoHandlerContext;

/**
 * What one {@code IoUringIoHandler.run} may do: block or not, and until when ({@link WaitWindow}).
 * Netty's io_uring {@code wakeup()} writes its eventfd from any thread but the loop's whenever no
 * write is pending, and the ring always has a read of that eventfd in flight, so a wakeup before the
 * wait makes the wait return at once; {@code canBlock()} answering {@code false} after a request
 * ({@link LoopContext#mayBlock()}) saves the system call.
 */
final class UringWaitContext extends WaitWindow implements IoHandlerContext {
    UringWaitContext(LoopContext ctx) {
        super(ctx);
    }
}
