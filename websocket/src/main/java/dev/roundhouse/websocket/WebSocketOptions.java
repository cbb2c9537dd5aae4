package dev.roundhouse.websocket;

import java.util.concurrent.TimeUnit;

/**
 * Immutable limits and behaviour for WebSocket connections, server or client. Every limit has a
 * default that protects a server left at its defaults; raise them deliberately (the {@code ws-echo}
 * demo raises them for 16 MiB messages).
 *
 * <p><b>Thread:</b> immutable, any thread. Build with {@link #builder()}.
 */
public final class WebSocketOptions {
    /** The defaults: see each getter. */
    public static final WebSocketOptions DEFAULTS = builder().build();

    private final int maxFrameBytes;
    private final int maxMessageBytes;
    private final int maxInflatedBytes;
    private final int maxFragmentsPerMessage;
    private final int maxHandshakeBytes;
    private final int maxHeaderCount;
    private final long handshakeTimeoutNanos;
    private final long closeTimeoutNanos;
    private final long idleTimeoutNanos;
    private final long autoPingIntervalNanos;
    private final long maxPendingOutboundBytes;
    private final long writeHighWaterBytes;
    private final long writeLowWaterBytes;
    private final boolean perMessageDeflate;
    private final boolean serverNoContextTakeover;
    private final boolean clientNoContextTakeover;
    private final int compressionThresholdBytes;
    private final boolean streamFragments;

    private WebSocketOptions(Builder b) {
        maxFrameBytes = b.maxFrameBytes;
        maxMessageBytes = b.maxMessageBytes;
        maxInflatedBytes = b.maxInflatedBytes;
        maxFragmentsPerMessage = b.maxFragmentsPerMessage;
        maxHandshakeBytes = b.maxHandshakeBytes;
        maxHeaderCount = b.maxHeaderCount;
        handshakeTimeoutNanos = b.handshakeTimeoutNanos;
        closeTimeoutNanos = b.closeTimeoutNanos;
        idleTimeoutNanos = b.idleTimeoutNanos;
        autoPingIntervalNanos = b.autoPingIntervalNanos;
        maxPendingOutboundBytes = b.maxPendingOutboundBytes;
        writeHighWaterBytes = b.writeHighWaterBytes;
        writeLowWaterBytes = b.writeLowWaterBytes;
        perMessageDeflate = b.perMessageDeflate;
        serverNoContextTakeover = b.serverNoContextTakeover;
        clientNoContextTakeover = b.clientNoContextTakeover;
        compressionThresholdBytes = b.compressionThresholdBytes;
        streamFragments = b.streamFragments;
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Largest frame payload accepted; default 1 MiB. Larger: close 1009 before reading the payload. */
    public int maxFrameBytes() { return maxFrameBytes; }

    /** Largest message accepted (sum of its frames' payloads, on the wire); default 4 MiB; else 1009. */
    public int maxMessageBytes() { return maxMessageBytes; }

    /**
     * Largest message after permessage-deflate inflation; default 4 MiB. Enforced while inflating,
     * so a decompression bomb stops at this many bytes (Netty CVE-2020-11612); else 1009.
     */
    public int maxInflatedBytes() { return maxInflatedBytes; }

    /**
     * Most frames one message may have; default 1024; else 1009. Caps the work and the state an
     * endless trickle of tiny fragments can pin (ws CVE-2026-48779).
     */
    public int maxFragmentsPerMessage() { return maxFragmentsPerMessage; }

    /** Largest HTTP request or response head (request line and headers); default 8 KiB; else 431. */
    public int maxHandshakeBytes() { return maxHandshakeBytes; }

    /** Most header fields in a handshake; default 64; else 431 (ws CVE-2024-37890). */
    public int maxHeaderCount() { return maxHeaderCount; }

    /** How long the opening handshake may take from connection to 101; default 10 s. */
    public long handshakeTimeoutNanos() { return handshakeTimeoutNanos; }

    /**
     * How long to wait, after sending a close frame, for the peer's close and the TCP close
     * before aborting; default 5 s (netty PR #17574: a close echo must not pin the socket forever).
     */
    public long closeTimeoutNanos() { return closeTimeoutNanos; }

    /** Close with 1001 after this long without receiving anything; 0 disables; default 120 s. */
    public long idleTimeoutNanos() { return idleTimeoutNanos; }

    /** Send a ping after this long without receiving anything; 0 disables; default 30 s. */
    public long autoPingIntervalNanos() { return autoPingIntervalNanos; }

    /**
     * A send that would leave more than this many bytes waiting in the transport fails its future
     * with a {@link WebSocketException} (the connection stays open); default 16 MiB.
     */
    public long maxPendingOutboundBytes() { return maxPendingOutboundBytes; }

    /** Write-buffer high-water mark: above it the socket is not writable; default 64 KiB. */
    public long writeHighWaterBytes() { return writeHighWaterBytes; }

    /** Write-buffer low-water mark: at or below it the socket is writable again; default 16 KiB. */
    public long writeLowWaterBytes() { return writeLowWaterBytes; }

    /**
     * Whether to negotiate permessage-deflate (RFC 7692): a server accepts an offer, a client makes
     * one. Default {@code false}: each compressing connection holds zlib state (about 300 KiB), so
     * a server opts in knowingly, as with npm {@code ws}.
     */
    public boolean perMessageDeflate() { return perMessageDeflate; }

    /**
     * Ask (client) or impose (server) {@code server_no_context_takeover}: the server's compressor
     * resets per message. Default {@code false}. A server always honours a client's request.
     */
    public boolean serverNoContextTakeover() { return serverNoContextTakeover; }

    /**
     * Ask (client) or impose (server) {@code client_no_context_takeover}. Default {@code false}.
     */
    public boolean clientNoContextTakeover() { return clientNoContextTakeover; }

    /** Messages shorter than this are sent uncompressed even when deflate is on; default 32 bytes. */
    public int compressionThresholdBytes() { return compressionThresholdBytes; }

    /**
     * Deliver data messages frame by frame to {@link WebSocketHandler#onFragment} instead of whole
     * to {@code onText}/{@code onBinary}; default {@code false}. Limits still apply per message.
     */
    public boolean streamFragments() { return streamFragments; }

    /** Builds {@link WebSocketOptions}. Not thread-safe; setters validate at once. */
    public static final class Builder {
        private int maxFrameBytes = 1 << 20;
        private int maxMessageBytes = 4 << 20;
        private int maxInflatedBytes = 4 << 20;
        private int maxFragmentsPerMessage = 1024;
        private int maxHandshakeBytes = 8 * 1024;
        private int maxHeaderCount = 64;
        private long handshakeTimeoutNanos = TimeUnit.SECONDS.toNanos(10);
        private long closeTimeoutNanos = TimeUnit.SECONDS.toNanos(5);
        private long idleTimeoutNanos = TimeUnit.SECONDS.toNanos(120);
        private long autoPingIntervalNanos = TimeUnit.SECONDS.toNanos(30);
        private long maxPendingOutboundBytes = 16L << 20;
        private long writeHighWaterBytes = 64 * 1024;
        private long writeLowWaterBytes = 16 * 1024;
        private boolean perMessageDeflate;
        private boolean serverNoContextTakeover;
        private boolean clientNoContextTakeover;
        private int compressionThresholdBytes = 32;
        private boolean streamFragments;

        private Builder() {
        }

        /** @see WebSocketOptions#maxFrameBytes() */
        public Builder maxFrameBytes(int bytes) { maxFrameBytes = positive("maxFrameBytes", bytes); return this; }

        /** @see WebSocketOptions#maxMessageBytes() */
        public Builder maxMessageBytes(int bytes) { maxMessageBytes = positive("maxMessageBytes", bytes); return this; }

        /** @see WebSocketOptions#maxInflatedBytes() */
        public Builder maxInflatedBytes(int bytes) { maxInflatedBytes = positive("maxInflatedBytes", bytes); return this; }

        /** @see WebSocketOptions#maxFragmentsPerMessage() */
        public Builder maxFragmentsPerMessage(int frames) {
            maxFragmentsPerMessage = positive("maxFragmentsPerMessage", frames);
            return this;
        }

        /** @see WebSocketOptions#maxHandshakeBytes() */
        public Builder maxHandshakeBytes(int bytes) {
            if (bytes < 256 || bytes > 1 << 20) {
                throw new IllegalArgumentException("maxHandshakeBytes must be in [256, 1 MiB], got " + bytes);
            }
            maxHandshakeBytes = bytes;
            return this;
        }

        /** @see WebSocketOptions#maxHeaderCount() */
        public Builder maxHeaderCount(int headers) { maxHeaderCount = positive("maxHeaderCount", headers); return this; }

        /** @see WebSocketOptions#handshakeTimeoutNanos() */
        public Builder handshakeTimeout(long timeout, TimeUnit unit) {
            handshakeTimeoutNanos = positive("handshakeTimeout", unit.toNanos(timeout));
            return this;
        }

        /** @see WebSocketOptions#closeTimeoutNanos() */
        public Builder closeTimeout(long timeout, TimeUnit unit) {
            closeTimeoutNanos = positive("closeTimeout", unit.toNanos(timeout));
            return this;
        }

        /** @see WebSocketOptions#idleTimeoutNanos() (0 disables) */
        public Builder idleTimeout(long timeout, TimeUnit unit) {
            idleTimeoutNanos = nonNegative("idleTimeout", unit.toNanos(timeout));
            return this;
        }

        /** @see WebSocketOptions#autoPingIntervalNanos() (0 disables) */
        public Builder autoPingInterval(long interval, TimeUnit unit) {
            autoPingIntervalNanos = nonNegative("autoPingInterval", unit.toNanos(interval));
            return this;
        }

        /** @see WebSocketOptions#maxPendingOutboundBytes() */
        public Builder maxPendingOutboundBytes(long bytes) {
            maxPendingOutboundBytes = positive("maxPendingOutboundBytes", bytes);
            return this;
        }

        /**
         * Sets both water marks.
         *
         * @throws IllegalArgumentException unless {@code 0 <= lowBytes <= highBytes}
         */
        public Builder writeWaterMarks(long highBytes, long lowBytes) {
            dev.roundhouse.loop.SocketOptions.checkWaterMarks(highBytes, lowBytes);
            writeHighWaterBytes = highBytes;
            writeLowWaterBytes = lowBytes;
            return this;
        }

        /** @see WebSocketOptions#perMessageDeflate() */
        public Builder perMessageDeflate(boolean on) { perMessageDeflate = on; return this; }

        /** @see WebSocketOptions#serverNoContextTakeover() */
        public Builder serverNoContextTakeover(boolean on) { serverNoContextTakeover = on; return this; }

        /** @see WebSocketOptions#clientNoContextTakeover() */
        public Builder clientNoContextTakeover(boolean on) { clientNoContextTakeover = on; return this; }

        /** @see WebSocketOptions#compressionThresholdBytes() */
        public Builder compressionThresholdBytes(int bytes) {
            compressionThresholdBytes = (int) nonNegative("compressionThresholdBytes", bytes);
            return this;
        }

        /** @see WebSocketOptions#streamFragments() */
        public Builder streamFragments(boolean on) { streamFragments = on; return this; }

        /** Returns the immutable options. */
        public WebSocketOptions build() {
            return new WebSocketOptions(this);
        }

        private static int positive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
            return value;
        }

        private static long positive(String name, long value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
            return value;
        }

        private static long nonNegative(String name, long value) {
            if (value < 0) {
                throw new IllegalArgumentException(name + " must not be negative, got " + value);
            }
            return value;
        }
    }
}
