package dev.roundhouse.loop.iouring;

import io.netty.channel.uring.IoUringIoOps;

/**
 * The submission entries this backend uses, built with {@link IoUringIoOps}'s public constructor
 * (one field per {@code io_uring_sqe} field; Netty's own factories are package-private). Opcode
 * numbers and flags are the kernel's ABI ({@code include/uapi/linux/io_uring.h},
 * {@code sys/socket.h}, {@code poll.h}), fixed since the kernels that introduced them (5.5-5.6).
 */
final class UringOps {
    /**
     * {@code IORING_CQE_F_SOCK_NONEMPTY}: after a receive (5.19+) or an accept (6.10+), more was
     * queued on the socket when the operation finished.
     */
    static final int CQE_F_SOCK_NONEMPTY = 1 << 2;
    /**
     * {@code IORING_RECVSEND_POLL_FIRST}, in a receive's {@code ioprio}: arm the poll for data
     * without trying the receive first (5.19+; before, a nonzero {@code ioprio} fails the receive
     * with {@code EINVAL}).
     */
    static final short RECVSEND_POLL_FIRST = 1;
    static final byte OP_WRITEV = 2;
    static final byte OP_POLL_ADD = 6;
    static final byte OP_ACCEPT = 13;
    static final byte OP_ASYNC_CANCEL = 14;
    static final byte OP_CLOSE = 19;
    static final byte OP_RECV = 27;

    /** {@code SOCK_NONBLOCK | SOCK_CLOEXEC} for accepted sockets. */
    static final int ACCEPT_FLAGS = 0x800 | 0x80000;
    static final int POLLOUT = 0x4;

    /** Negated errno values as completions report them. */
    static final int ECANCELED = -125;
    static final int EMFILE = -24;
    static final int ENFILE = -23;
    static final int EAGAIN = -11;
    static final int EINTR = -4;

    private UringOps() {
    }

    /**
     * Receives up to {@code length} bytes at {@code address}; with {@code pollFirst} the kernel
     * waits for data before it tries ({@link #RECVSEND_POLL_FIRST}: only where
     * {@link UringTransport#RECV_POLL_FIRST} says the kernel has it).
     */
    static IoUringIoOps recv(int fd, long address, int length, boolean pollFirst) {
        return new IoUringIoOps(OP_RECV, (byte) 0, pollFirst ? RECVSEND_POLL_FIRST : (short) 0, fd, 0L, address,
                length, 0, 0L, (short) 0, (short) 0, 0, 0L);
    }

    /** Writes the {@code count} {@code struct iovec}s at {@code iovAddress}. */
    static IoUringIoOps writev(int fd, long iovAddress, int count) {
        return new IoUringIoOps(OP_WRITEV, (byte) 0, (short) 0, fd, 0L, iovAddress, count, 0, 0L,
                (short) 0, (short) 0, 0, 0L);
    }

    /**
     * Accepts one connection; the kernel writes the peer's {@code struct sockaddr} at
     * {@code addrAddress} and its length at {@code addrLenAddress} (a {@code socklen_t} holding the
     * room there on entry).
     */
    static IoUringIoOps accept(int fd, long addrAddress, long addrLenAddress) {
        return new IoUringIoOps(OP_ACCEPT, (byte) 0, (short) 0, fd, addrLenAddress, addrAddress, 0, ACCEPT_FLAGS, 0L,
                (short) 0, (short) 0, 0, 0L);
    }

    /** One-shot poll for {@code mask} ({@code POLL*} bits). */
    static IoUringIoOps pollAdd(int fd, int mask) {
        return new IoUringIoOps(OP_POLL_ADD, (byte) 0, (short) 0, fd, 0L, 0L, 0, mask, 0L,
                (short) 0, (short) 0, 0, 0L);
    }

    /** Closes {@code fd} (the kernel's {@code close}, done in the ring). */
    static IoUringIoOps close(int fd) {
        return new IoUringIoOps(OP_CLOSE, (byte) 0, (short) 0, fd, 0L, 0L, 0, 0, 0L,
                (short) 0, (short) 0, 0, 0L);
    }

    /** Cancels the operation whose user data {@code target} is (the id its submit returned). */
    static IoUringIoOps cancel(long target) {
        return new IoUringIoOps(OP_ASYNC_CANCEL, (byte) 0, (short) 0, -1, 0L, target, 0, 0, 0L,
                (short) 0, (short) 0, 0, 0L);
    }
}
