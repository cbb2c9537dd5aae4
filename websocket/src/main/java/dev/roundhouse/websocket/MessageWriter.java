package dev.roundhouse.websocket;

import dev.roundhouse.loop.Transport;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * The send side of a connection: frames messages (compressing them when negotiated), enforces
 * {@link WebSocketOptions#maxPendingOutboundBytes()}, keeps fragmented sends in order, and
 * completes send futures by the water-mark rule described on {@link WebSocket}.
 *
 * <p><b>Thread:</b> the connection's loop thread.
 */
final class MessageWriter {
    private final FrameEncoder encoder;
    private final WebSocketOptions options;
    private final ArrayDeque<CompletableFuture<Void>> waitingForDrain = new ArrayDeque<>();
    private Transport transport;
    private PerMessageDeflate deflate;
    private String refusal = "opening";
    private boolean fragmentOpen;
    private boolean fragmentText;

    MessageWriter(boolean client, WebSocketOptions options) {
        this.encoder = new FrameEncoder(client);
        this.options = options;
    }

    void attach(Transport t) {
        transport = t;
    }

    /** The connection is open: sends are accepted from now on. */
    void open(PerMessageDeflate negotiated) {
        deflate = negotiated;
        refusal = null;
    }

    /** From now on sends fail with "the WebSocket is {@code state}". Idempotent. */
    void refuse(String state) {
        refusal = state;
    }

    /** Writes a control frame the protocol itself needs (pong, close, auto-ping); no future, no limit. */
    void writeControl(int opcode, byte[] payload, int len) {
        encoder.write(transport, opcode, true, false, payload, 0, len);
    }

    CompletableFuture<Void> text(CharSequence text) {
        byte[] b = text.toString().getBytes(StandardCharsets.UTF_8);
        return message(Opcodes.TEXT, b, 0, b.length);
    }

    CompletableFuture<Void> binary(ByteBuffer data) {
        int len = data.remaining();
        if (data.hasArray()) {
            int off = data.arrayOffset() + data.position();
            data.position(data.limit());
            return message(Opcodes.BINARY, data.array(), off, len);
        }
        byte[] copy = new byte[len];
        data.get(copy);
        return message(Opcodes.BINARY, copy, 0, len);
    }

    private CompletableFuture<Void> message(int opcode, byte[] b, int off, int len) {
        if (fragmentOpen) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "a fragmented message is being sent; end it with sendFragment(..., last=true) first"));
        }
        if (refusal == null && deflate != null && len >= options.compressionThresholdBytes()) {
            ByteAccumulator c = deflate.compress(b, off, len);
            return frame(opcode, true, true, c.array(), 0, c.size());
        }
        return frame(opcode, true, false, b, off, len);
    }

    CompletableFuture<Void> fragment(boolean text, ByteBuffer data, boolean last) {
        if (fragmentOpen && text != fragmentText) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("fragment type differs from the message's"));
        }
        int opcode = fragmentOpen ? Opcodes.CONTINUATION : text ? Opcodes.TEXT : Opcodes.BINARY;
        byte[] b = new byte[data.remaining()];
        data.get(b);
        CompletableFuture<Void> f = frame(opcode, last, false, b, 0, b.length);
        if (!f.isCompletedExceptionally()) {
            fragmentOpen = !last;
            fragmentText = text;
        }
        return f;
    }

    /**
     * @throws IllegalArgumentException if the payload is longer than 125 bytes
     */
    CompletableFuture<Void> control(int opcode, ByteBuffer payload) {
        if (payload.remaining() > 125) {
            throw new IllegalArgumentException("control frame payload must be at most 125 bytes, got " + payload.remaining());
        }
        byte[] b = new byte[payload.remaining()];
        payload.get(b);
        return frame(opcode, true, false, b, 0, b.length);
    }

    private CompletableFuture<Void> frame(int opcode, boolean fin, boolean rsv1, byte[] b, int off, int len) {
        if (refusal != null) {
            return CompletableFuture.failedFuture(new WebSocketException(CloseCodes.ABNORMAL, "the WebSocket is " + refusal));
        }
        long frameBytes = encoder.frameBytes(len);
        if (transport.writeBufferSize() + frameBytes > options.maxPendingOutboundBytes()) {
            return CompletableFuture.failedFuture(new WebSocketException(CloseCodes.TOO_BIG, "sending " + frameBytes
                    + " bytes would exceed maxPendingOutboundBytes=" + options.maxPendingOutboundBytes()
                    + " (buffered: " + transport.writeBufferSize() + ")"));
        }
        if (!encoder.write(transport, opcode, fin, rsv1, b, off, len)) {
            return CompletableFuture.failedFuture(new WebSocketException(CloseCodes.ABNORMAL, "connection lost"));
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (transport.writeBufferSize() <= transport.writeBufferHighBytes()) {
            f.complete(null);
        } else {
            waitingForDrain.add(f);
        }
        return f;
    }

    /** The transport drained to its low-water mark: complete the waiting sends. */
    void onDrained() {
        while (!waitingForDrain.isEmpty()) {
            waitingForDrain.poll().complete(null);
        }
    }

    /** The connection is lost: fail the waiting sends and refuse new ones. */
    void onLost() {
        refusal = "closed";
        WebSocketException closed = new WebSocketException(CloseCodes.ABNORMAL, "connection closed");
        while (!waitingForDrain.isEmpty()) {
            waitingForDrain.poll().completeExceptionally(closed);
        }
    }
}
