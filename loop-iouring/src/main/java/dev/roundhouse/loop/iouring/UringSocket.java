package dev.roundhouse.loop.iouring;

import io.netty.channel.unix.Socket;

/**
 * A socket descriptor with Netty's syscall wrappers ({@code bind}, {@code listen}, {@code connect},
 * options, addresses); reads, writes and accepts go through the ring instead.
 */
final class UringSocket extends Socket {

    UringSocket(int fd) {
        super(fd);
    }

    /** A new non-blocking, close-on-exec TCP socket of the address family asked for. */
    static UringSocket newStream(boolean ipv6) {
        return new UringSocket(newSocketStream0(ipv6));
    }
}
