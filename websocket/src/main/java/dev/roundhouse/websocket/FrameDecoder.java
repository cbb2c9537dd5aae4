package dev.roundhouse.websocket;

import dev.roundhouse.websocket.fastpath.Masking;
import java.nio.ByteBuffer;

/**
 * Incremental RFC 6455 §5.2 frame parser, for either role. Feeds any split of the byte stream and
 * reports frames to a {@link FrameListener}; checks everything the frame layer can: reserved bits
 * (RSV1 only when permessage-deflate is on, and only on a message's first frame), unknown opcodes,
 * control frames (FIN set, payload at most 125), masking (a server requires it, a client forbids it),
 * minimal length encoding, the 64-bit length's most significant bit, the frame-size limit (checked
 * on the declared length, before any payload is read), and fragmentation order with a cap on the
 * frames per message.
 *
 * <p>Allocation: none per frame; one scratch array per decoder for unmasking.
 *
 * <p><b>Thread:</b> not thread-safe; used on the connection's loop thread.
 */
final class FrameDecoder {
    private static final int SCRATCH_BYTES = 8 * 1024;

    private final boolean server;
    private final long maxFrameBytes;
    private final int maxFragments;
    private final FrameListener listener;
    private final byte[] header = new byte[14];
    private final byte[] scratch = new byte[SCRATCH_BYTES];
    private boolean rsv1Allowed;

    private int headerHave;
    private int headerNeed = 2;
    private boolean inPayload;
    private long payloadLeft;
    private long payloadDone;
    private int maskKey;
    private boolean masked;
    private boolean messageOpen;
    private int fragments;
    private boolean stopped;

    FrameDecoder(boolean server, long maxFrameBytes, int maxFragments, FrameListener listener) {
        this.server = server;
        this.maxFrameBytes = maxFrameBytes;
        this.maxFragments = maxFragments;
        this.listener = listener;
    }

    /** Permits RSV1 on first data frames (permessage-deflate negotiated). */
    void allowRsv1(boolean allowed) {
        rsv1Allowed = allowed;
    }

    /** Stops for good: later input is ignored. */
    void stop() {
        stopped = true;
    }

    boolean isStopped() {
        return stopped;
    }

    /** Whether a fragmented message has started and not ended. */
    boolean isMessageOpen() {
        return messageOpen;
    }

    /** Consumes all of {@code in} (or stops early once stopped). */
    void feed(ByteBuffer in) {
        while (!stopped && in.hasRemaining()) {
            if (inPayload) {
                readPayload(in);
            } else {
                readHeader(in);
            }
        }
    }

    private void readHeader(ByteBuffer in) {
        while (headerHave < headerNeed && in.hasRemaining()) {
            header[headerHave++] = in.get();
            if (headerHave == 2) {
                int len7 = header[1] & 0x7F;
                headerNeed = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((header[1] & 0x80) != 0 ? 4 : 0);
            }
        }
        if (headerHave == headerNeed && headerHave >= 2) {
            startFrame();
        }
    }

    private void startFrame() {
        int b0 = header[0] & 0xFF;
        int b1 = header[1] & 0xFF;
        boolean fin = (b0 & 0x80) != 0;
        boolean rsv1 = (b0 & 0x40) != 0;
        int opcode = b0 & 0x0F;
        masked = (b1 & 0x80) != 0;
        int len7 = b1 & 0x7F;
        int pos = 2;
        long length;
        if (len7 == 126) {
            length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            pos = 4;
            if (length < 126) {
                fail(CloseCodes.PROTOCOL_ERROR, "length " + length + " not minimally encoded (16-bit form)");
                return;
            }
        } else if (len7 == 127) {
            length = 0;
            for (int i = 2; i < 10; i++) {
                length = (length << 8) | (header[i] & 0xFF);
            }
            pos = 10;
            if (length < 0) {
                fail(CloseCodes.PROTOCOL_ERROR, "64-bit length has its most significant bit set");
                return;
            }
            if (length <= 0xFFFF) {
                fail(CloseCodes.PROTOCOL_ERROR, "length " + length + " not minimally encoded (64-bit form)");
                return;
            }
        } else {
            length = len7;
        }
        if (masked) {
            maskKey = ((header[pos] & 0xFF) << 24) | ((header[pos + 1] & 0xFF) << 16)
                    | ((header[pos + 2] & 0xFF) << 8) | (header[pos + 3] & 0xFF);
        }
        if (!checkHeader(fin, (b0 & 0x70) >>> 4, opcode, length)) {
            return;
        }
        headerHave = 0;
        headerNeed = 2;
        payloadLeft = length;
        payloadDone = 0;
        inPayload = true;
        if (!listener.onFrameStart(opcode, fin, rsv1, length)) {
            stopped = true;
            return;
        }
        if (length == 0) {
            endFrame();
        }
    }

    private boolean checkHeader(boolean fin, int rsv, int opcode, long length) {
        if (!Opcodes.isKnown(opcode)) {
            return fail(CloseCodes.PROTOCOL_ERROR, "reserved opcode " + opcode);
        }
        if (masked != server) {
            return fail(CloseCodes.PROTOCOL_ERROR, server ? "client frame not masked" : "server frame masked");
        }
        boolean control = Opcodes.isControl(opcode);
        boolean rsv1Ok = rsv1Allowed && !control && opcode != Opcodes.CONTINUATION;
        if ((rsv & 0b011) != 0 || (rsv & 0b100) != 0 && !rsv1Ok) {
            return fail(CloseCodes.PROTOCOL_ERROR, "reserved bits set: " + rsv);
        }
        if (control) {
            if (!fin) {
                return fail(CloseCodes.PROTOCOL_ERROR, "fragmented control frame");
            }
            if (length > 125) {
                return fail(CloseCodes.PROTOCOL_ERROR, "control frame payload " + length + " > 125");
            }
            return true;
        }
        if (opcode == Opcodes.CONTINUATION ? !messageOpen : messageOpen) {
            return fail(CloseCodes.PROTOCOL_ERROR, messageOpen
                    ? "new data frame while a fragmented message is open" : "continuation frame without a message");
        }
        if (length > maxFrameBytes) {
            return fail(CloseCodes.TOO_BIG, "frame of " + length + " bytes exceeds maxFrameBytes=" + maxFrameBytes);
        }
        fragments = opcode == Opcodes.CONTINUATION ? fragments + 1 : 1;
        if (fragments > maxFragments) {
            return fail(CloseCodes.TOO_BIG, "message has more than maxFragmentsPerMessage=" + maxFragments + " frames");
        }
        messageOpen = !fin;
        return true;
    }

    private void readPayload(ByteBuffer in) {
        int n = (int) Math.min(Math.min(payloadLeft, in.remaining()), SCRATCH_BYTES);
        in.get(scratch, 0, n);
        if (masked) {
            Masking.mask(scratch, 0, n, maskKey, payloadDone);
        }
        payloadDone += n;
        payloadLeft -= n;
        if (!listener.onFramePayload(scratch, 0, n)) {
            stopped = true;
            return;
        }
        if (payloadLeft == 0) {
            endFrame();
        }
    }

    private void endFrame() {
        inPayload = false;
        if (!listener.onFrameEnd()) {
            stopped = true;
        }
    }

    private boolean fail(int code, String reason) {
        stopped = true;
        listener.onFrameError(code, reason);
        return false;
    }
}
