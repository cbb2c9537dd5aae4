package dev.roundhouse.loop;

import java.util.concurrent.TimeUnit;

/**
 * Immutable options for {@link EventLoop#listen} and {@link EventLoop#connect}. Every limit has a
 * safe default; {@link #DEFAULTS} is what the one-argument overloads use.
 *
 * <p><b>Thread:</b> immutable, any thread. Build with {@link #builder()}.
 */
public final class SocketOptions {
    /** The defaults: see each getter. */
    public static final SocketOptions DEFAULTS = builder().build();

    private final boolean tcpNoDelay;
    private final boolean keepAlive;
    private final boolean reuseAddress;
    private final boolean reusePort;
    private final int receiveBufferBytes;
    private final int sendBufferBytes;
    private final int backlog;
    private final long writeHighWaterBytes;
    private final long writeLowWaterBytes;
    private final long connectTimeoutNanos;
    private final long acceptBackoffNanos;
    private final boolean ipv6Only;

    private SocketOptions(Builder b) {
        tcpNoDelay = b.tcpNoDelay;
        keepAlive = b.keepAlive;
        reuseAddress = b.reuseAddress;
        reusePort = b.reusePort;
        receiveBufferBytes = b.receiveBufferBytes;
        sendBufferBytes = b.sendBufferBytes;
        backlog = b.backlog;
        writeHighWaterBytes = b.writeHighWaterBytes;
        writeLowWaterBytes = b.writeLowWaterBytes;
        connectTimeoutNanos = b.connectTimeoutNanos;
        acceptBackoffNanos = b.acceptBackoffNanos;
        ipv6Only = b.ipv6Only;
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.tcpNoDelay = tcpNoDelay;
        b.keepAlive = keepAlive;
        b.reuseAddress = reuseAddress;
        b.reusePort = reusePort;
        b.receiveBufferBytes = receiveBufferBytes;
        b.sendBufferBytes = sendBufferBytes;
        b.backlog = backlog;
        b.writeHighWaterBytes = writeHighWaterBytes;
        b.writeLowWaterBytes = writeLowWaterBytes;
        b.connectTimeoutNanos = connectTimeoutNanos;
        b.acceptBackoffNanos = acceptBackoffNanos;
        b.ipv6Only = ipv6Only;
        return b;
    }

    /** {@code TCP_NODELAY}; default {@code true} (request/response latency over batching). */
    public boolean tcpNoDelay() { return tcpNoDelay; }

    /** {@code SO_KEEPALIVE}; default {@code false}. */
    public boolean keepAlive() { return keepAlive; }

    /** {@code SO_REUSEADDR} on listeners; default {@code true} (restart without TIME_WAIT errors). */
    public boolean reuseAddress() { return reuseAddress; }

    /**
     * {@code SO_REUSEPORT} on listeners, so that each loop of a group can own a listener on the
     * same port; default {@code false}. Needs {@link Capability#REUSE_PORT}.
     */
    public boolean reusePort() { return reusePort; }

    /** {@code SO_RCVBUF} in bytes, or 0 (default) to leave the OS default. */
    public int receiveBufferBytes() { return receiveBufferBytes; }

    /** {@code SO_SNDBUF} in bytes, or 0 (default) to leave the OS default. */
    public int sendBufferBytes() { return sendBufferBytes; }

    /** The accept backlog; default 1024 (the kernel caps it at {@code somaxconn}). */
    public int backlog() { return backlog; }

    /** Initial write-buffer high-water mark; default 64 KiB (asyncio's). */
    public long writeHighWaterBytes() { return writeHighWaterBytes; }

    /** Initial write-buffer low-water mark; default 16 KiB (asyncio's). */
    public long writeLowWaterBytes() { return writeLowWaterBytes; }

    /** How long a connect may take before it fails; default 30 s. */
    public long connectTimeoutNanos() { return connectTimeoutNanos; }

    /**
     * How long a listener stops accepting after the process ran out of file descriptors;
     * default 1 s (Netty's and asyncio's choice: long enough to stay off the CPU, short
     * enough to recover quickly).
     */
    public long acceptBackoffNanos() { return acceptBackoffNanos; }

    /** {@code IPV6_V6ONLY} for IPv6 listeners; default {@code false} (dual-stack). */
    public boolean ipv6Only() { return ipv6Only; }

    @Override
    public String toString() {
        return "SocketOptions{tcpNoDelay=" + tcpNoDelay + ", keepAlive=" + keepAlive
                + ", reuseAddress=" + reuseAddress + ", reusePort=" + reusePort
                + ", receiveBufferBytes=" + receiveBufferBytes + ", sendBufferBytes=" + sendBufferBytes
                + ", backlog=" + backlog + ", writeHighWaterBytes=" + writeHighWaterBytes
                + ", writeLowWaterBytes=" + writeLowWaterBytes
                + ", connectTimeoutMs=" + TimeUnit.NANOSECONDS.toMillis(connectTimeoutNanos)
                + ", acceptBackoffMs=" + TimeUnit.NANOSECONDS.toMillis(acceptBackoffNanos)
                + ", ipv6Only=" + ipv6Only + '}';
    }

    /** Builds {@link SocketOptions}. Not thread-safe. Setters validate at once. */
    public static final class Builder {
        private boolean tcpNoDelay = true;
        private boolean keepAlive;
        private boolean reuseAddress = true;
        private boolean reusePort;
        private int receiveBufferBytes;
        private int sendBufferBytes;
        private int backlog = 1024;
        private long writeHighWaterBytes = 64 * 1024;
        private long writeLowWaterBytes = 16 * 1024;
        private long connectTimeoutNanos = TimeUnit.SECONDS.toNanos(30);
        private long acceptBackoffNanos = TimeUnit.SECONDS.toNanos(1);
        private boolean ipv6Only;

        private Builder() {
        }

        /** @see SocketOptions#tcpNoDelay() */
        public Builder tcpNoDelay(boolean on) { tcpNoDelay = on; return this; }

        /** @see SocketOptions#keepAlive() */
        public Builder keepAlive(boolean on) { keepAlive = on; return this; }

        /** @see SocketOptions#reuseAddress() */
        public Builder reuseAddress(boolean on) { reuseAddress = on; return this; }

        /** @see SocketOptions#reusePort() */
        public Builder reusePort(boolean on) { reusePort = on; return this; }

        /** @see SocketOptions#ipv6Only() */
        public Builder ipv6Only(boolean on) { ipv6Only = on; return this; }

        /**
         * @see SocketOptions#receiveBufferBytes()
         * @throws IllegalArgumentException if negative
         */
        public Builder receiveBufferBytes(int bytes) {
            receiveBufferBytes = requireNonNegative("receiveBufferBytes", bytes);
            return this;
        }

        /**
         * @see SocketOptions#sendBufferBytes()
         * @throws IllegalArgumentException if negative
         */
        public Builder sendBufferBytes(int bytes) {
            sendBufferBytes = requireNonNegative("sendBufferBytes", bytes);
            return this;
        }

        /**
         * @see SocketOptions#backlog()
         * @throws IllegalArgumentException unless positive
         */
        public Builder backlog(int connections) {
            if (connections < 1) {
                throw new IllegalArgumentException("backlog must be at least 1, got " + connections);
            }
            backlog = connections;
            return this;
        }

        /**
         * Sets both write-buffer water marks.
         *
         * @throws IllegalArgumentException unless {@code 0 <= lowBytes <= highBytes}
         */
        public Builder writeWaterMarks(long highBytes, long lowBytes) {
            checkWaterMarks(highBytes, lowBytes);
            writeHighWaterBytes = highBytes;
            writeLowWaterBytes = lowBytes;
            return this;
        }

        /**
         * @see SocketOptions#connectTimeoutNanos()
         * @throws IllegalArgumentException unless positive
         */
        public Builder connectTimeout(long timeout, TimeUnit unit) {
            connectTimeoutNanos = requirePositive("connectTimeout", unit.toNanos(timeout));
            return this;
        }

        /**
         * @see SocketOptions#acceptBackoffNanos()
         * @throws IllegalArgumentException unless positive
         */
        public Builder acceptBackoff(long delay, TimeUnit unit) {
            acceptBackoffNanos = requirePositive("acceptBackoff", unit.toNanos(delay));
            return this;
        }

        /** Returns the immutable options. */
        public SocketOptions build() {
            return new SocketOptions(this);
        }
    }

    /**
     * Validates a pair of water marks.
     *
     * @throws IllegalArgumentException unless {@code 0 <= lowBytes <= highBytes}
     */
    public static void checkWaterMarks(long highBytes, long lowBytes) {
        if (lowBytes < 0 || highBytes < lowBytes) {
            throw new IllegalArgumentException("write water marks need 0 <= low <= high, got high="
                    + highBytes + " low=" + lowBytes);
        }
    }

    private static int requireNonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
        return value;
    }

    private static long requirePositive(String name, long nanos) {
        if (nanos <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + nanos + " ns");
        }
        return nanos;
    }
}
