package dev.roundhouse.loop.iouring;

import dev.roundhouse.loop.unix.UnixSockets;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.uring.IoUringIoHandle;

/**
 * Closes descriptors through the ring ({@code IORING_OP_CLOSE}) instead of a {@code close(2)} per
 * connection on the loop thread: the close goes to the kernel with the loop's next wait, in the same
 * system call. One per loop, registered on first use. Falls back to {@code close(2)} when the ring
 * no longer takes entries (the loop is ending), so every descriptor is closed either way.
 *
 * <p>Only for descriptors no submitted entry refers to any more ({@link UringFd#unregistered()}): the
 * number is free once the close completes, and nothing of ours names it again.
 *
 * <p><b>Thread:</b> loop thread only.
 */
final class Closer implements IoUringIoHandle {
    private final UringPoller poller;
    private IoRegistration registration;
    private boolean closed;

    Closer(UringPoller poller) {
        this.poller = poller;
    }

    /** Closes {@code descriptor} through the ring, or at once if the ring is ending. */
    void close(FileDescriptor descriptor) {
        if (!closed) {
            try {
                if (registration == null) {
                    registration = poller.ioHandler().register(this);
                }
                if (registration.submit(UringOps.close(descriptor.intValue())) != 0) {
                    return;
                }
            } catch (Exception e) {
                // the handler is shutting down: close it here
            }
        }
        UnixSockets.closeQuietly(descriptor);
    }

    @Override
    public void handle(IoRegistration from, IoEvent event) {
        // a close's result: nothing to do (EBADF cannot happen for a number we held)
    }

    /** Netty's prepareToDestroy: later closes go through close(2). */
    @Override
    public void close() {
        closed = true;
        if (registration != null) {
            registration.cancel();
        }
    }
}
