package dev.roundhouse.websocket;

/**
 * Receives what {@link FrameDecoder} parses, in the order
 * {@code (start -> payload* -> end)* -> error?}. Each method returns {@code false} to stop decoding
 * (the listener failed or closed the connection).
 */
interface FrameListener {

    /**
     * A frame header passed the protocol checks (opcode, reserved bits, masking, lengths, limits).
     *
     * @param fragment true for a continuation frame
     */
    boolean onFrameStart(int opcode, boolean fin, boolean rsv1, long length);

    /** Part of the current frame's payload, unmasked; {@code buf} is valid only during the call. */
    boolean onFramePayload(byte[] buf, int off, int len);

    /** The current frame's payload is complete. */
    boolean onFrameEnd();

    /** The input broke the protocol or a limit; decoding has stopped for good. */
    void onFrameError(int closeCode, String reason);
}
