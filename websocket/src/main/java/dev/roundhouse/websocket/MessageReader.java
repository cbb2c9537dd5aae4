package dev.roundhouse.websocket;

import dev.roundhouse.websocket.fastpath.Utf8Validator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;

/**
 * Turns frames from a {@link FrameDecoder} into messages for the handler: assembles fragments,
 * inflates permessage-deflate payloads under {@link WebSocketOptions#maxInflatedBytes()}, validates
 * text as it arrives (a bad byte fails the connection with 1007 at once, mid-frame and across
 * fragments), enforces the message limit on declared lengths before payload is read (so an
 * overflowing 64-bit length cannot slip past: gorilla CVE-2020-27813), and validates close frames.
 *
 * <p>Allocation: none per frame; the message buffer grows to the largest message and is reused.
 *
 * <p><b>Thread:</b> the connection's loop thread.
 */
final class MessageReader implements FrameListener {
    /** A message buffer grown beyond this is dropped after the message, so one big message does not pin memory. */
    private static final int KEEP_BUFFER_BYTES = 1 << 20;

    private final WebSocketConnection conn;
    private final WebSocketOptions options;
    private final PerMessageDeflate deflate;
    private final FrameDecoder decoder;
    private final boolean stream;
    private ByteAccumulator message = new ByteAccumulator(4096);
    private final byte[] control = new byte[125];
    private final ByteBuffer controlView = ByteBuffer.wrap(control);
    private int controlLen;

    private int frameOpcode;
    private boolean frameFin;
    private int messageOpcode;
    private boolean compressed;
    private long wireBytes;
    private long deliveredBytes;
    private int utf8;

    MessageReader(WebSocketConnection conn, boolean server, WebSocketOptions options, PerMessageDeflate deflate) {
        this.conn = conn;
        this.options = options;
        this.deflate = deflate;
        this.stream = options.streamFragments();
        this.decoder = new FrameDecoder(server, options.maxFrameBytes(), options.maxFragmentsPerMessage(), this);
        decoder.allowRsv1(deflate != null);
    }

    void feed(ByteBuffer data) {
        decoder.feed(data);
    }

    void stop() {
        decoder.stop();
    }

    @Override
    public boolean onFrameStart(int opcode, boolean fin, boolean rsv1, long length) {
        frameOpcode = opcode;
        frameFin = fin;
        if (Opcodes.isControl(opcode)) {
            controlLen = 0;
            return true;
        }
        if (opcode != Opcodes.CONTINUATION) {
            messageOpcode = opcode;
            compressed = rsv1;
            wireBytes = 0;
            deliveredBytes = 0;
            utf8 = Utf8Validator.ACCEPT;
            message.clear();
        }
        // Written as a subtraction so that no length, however large, overflows the sum.
        if (length > options.maxMessageBytes() - wireBytes) {
            return failed(CloseCodes.TOO_BIG, "message exceeds maxMessageBytes=" + options.maxMessageBytes());
        }
        wireBytes += length;
        return true;
    }

    @Override
    public boolean onFramePayload(byte[] buf, int off, int len) {
        if (Opcodes.isControl(frameOpcode)) {
            System.arraycopy(buf, off, control, controlLen, len);
            controlLen += len;
            return true;
        }
        int before = message.size();
        if (compressed) {
            if (!inflate(buf, off, len, false)) {
                return false;
            }
        } else {
            message.append(buf, off, len);
        }
        return checkText(before);
    }

    @Override
    public boolean onFrameEnd() {
        if (Opcodes.isControl(frameOpcode)) {
            return onControl();
        }
        if (compressed && frameFin) {
            int before = message.size();
            if (!inflate(null, 0, 0, true) || !checkText(before)) {
                return false;
            }
        }
        if (frameFin && messageOpcode == Opcodes.TEXT && utf8 != Utf8Validator.ACCEPT) {
            return failed(CloseCodes.INVALID_PAYLOAD, "text message ends inside a UTF-8 sequence");
        }
        if (stream) {
            deliverFragment();
        } else if (frameFin) {
            deliverMessage();
        }
        return !conn.isClosed() && !decoder.isStopped();
    }

    @Override
    public void onFrameError(int closeCode, String reason) {
        conn.fail(closeCode, reason, null);
    }

    private boolean inflate(byte[] buf, int off, int len, boolean finish) {
        int limit = (int) Math.max(0, options.maxInflatedBytes() - deliveredBytes);
        try {
            boolean ok = finish ? deflate.finishMessage(message, limit) : deflate.inflate(buf, off, len, message, limit);
            return ok || failed(CloseCodes.TOO_BIG, "inflated message exceeds maxInflatedBytes=" + options.maxInflatedBytes());
        } catch (DataFormatException e) {
            return failed(CloseCodes.PROTOCOL_ERROR, "invalid permessage-deflate data: " + e.getMessage());
        }
    }

    private boolean checkText(int from) {
        if (messageOpcode != Opcodes.TEXT || message.size() == from) {
            return true;
        }
        utf8 = Utf8Validator.validate(utf8, message.array(), from, message.size() - from);
        return utf8 != Utf8Validator.REJECT || failed(CloseCodes.INVALID_PAYLOAD, "invalid UTF-8 in text message");
    }

    private void deliverMessage() {
        WebSocketHandler h = conn.handler();
        try {
            if (messageOpcode == Opcodes.TEXT) {
                h.onText(conn, new String(message.array(), 0, message.size(), StandardCharsets.UTF_8));
            } else {
                h.onBinary(conn, message.view());
            }
        } catch (RuntimeException e) {
            conn.handlerFailed(messageOpcode == Opcodes.TEXT ? "onText" : "onBinary", e);
        }
        recycle();
    }

    private void deliverFragment() {
        deliveredBytes += message.size();
        try {
            conn.handler().onFragment(conn, messageOpcode == Opcodes.TEXT, message.view(), frameFin);
        } catch (RuntimeException e) {
            conn.handlerFailed("onFragment", e);
        }
        recycle();
    }

    private void recycle() {
        if (message.array().length > KEEP_BUFFER_BYTES) {
            message = new ByteAccumulator(4096);
        }
        message.clear();
    }

    private boolean onControl() {
        controlView.clear().limit(controlLen);
        WebSocketHandler h = conn.handler();
        try {
            switch (frameOpcode) {
                case Opcodes.PING -> {
                    conn.onPingFrame(control, controlLen);
                    h.onPing(conn, controlView);
                }
                case Opcodes.PONG -> {
                    conn.onPongFrame();
                    h.onPong(conn, controlView);
                }
                default -> {
                    return onClose();
                }
            }
        } catch (RuntimeException e) {
            conn.handlerFailed(frameOpcode == Opcodes.PING ? "onPing" : "onPong", e);
        }
        return !conn.isClosed() && !decoder.isStopped();
    }

    /** §5.5.1 and §7.4: a 1-byte body, a code not valid on the wire, or a non-UTF-8 reason fail with 1002/1007. */
    private boolean onClose() {
        if (controlLen == 1) {
            return failed(CloseCodes.PROTOCOL_ERROR, "close frame with a 1-byte body");
        }
        int code = CloseCodes.NO_STATUS;
        String reason = "";
        if (controlLen >= 2) {
            code = ((control[0] & 0xFF) << 8) | (control[1] & 0xFF);
            if (!CloseCodes.isValidOnWire(code)) {
                return failed(CloseCodes.PROTOCOL_ERROR, "invalid close code " + code);
            }
            if (!Utf8Validator.isValid(control, 2, controlLen - 2)) {
                return failed(CloseCodes.INVALID_PAYLOAD, "close reason is not valid UTF-8");
            }
            reason = new String(control, 2, controlLen - 2, StandardCharsets.UTF_8);
        }
        conn.onCloseFrame(code, reason);
        return false;
    }

    private boolean failed(int code, String reason) {
        decoder.stop();
        conn.fail(code, reason, null);
        return false;
    }
}
