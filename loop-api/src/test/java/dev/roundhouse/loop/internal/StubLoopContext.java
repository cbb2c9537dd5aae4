package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.spi.LoopContext;
import java.nio.ByteBuffer;

/**
 * The loop side a transport needs, without a loop: its pools and read buffer; callbacks run on the
 * test's thread, and a reported exception fails the test.
 */
final class StubLoopContext implements LoopContext {
    private final BufferPool readBuffers;
    private final BufferPool writeChunks;
    private final ByteBuffer readBuffer;

    /** {@code readBuffer}: the loop's shared read buffer, or {@code null} for transports that read into their own. */
    StubLoopContext(BufferPool readBuffers, BufferPool writeChunks, ByteBuffer readBuffer) {
        this.readBuffers = readBuffers;
        this.writeChunks = writeChunks;
        this.readBuffer = readBuffer;
    }

    @Override
    public EventLoop loop() {
        throw new UnsupportedOperationException("no loop in this test");
    }

    @Override
    public LoopOptions options() {
        return LoopOptions.DEFAULTS;
    }

    @Override
    public void reportException(String context, Throwable error) {
        throw new AssertionError(context, error);
    }

    @Override
    public void checkInLoop(String method) {
    }

    @Override
    public void enterCallback(Object callback) {
    }

    @Override
    public boolean mayBlock() {
        return true;
    }

    @Override
    public ByteBuffer readBuffer() {
        if (readBuffer == null) {
            throw new UnsupportedOperationException("completion transports read into their own buffers");
        }
        return readBuffer;
    }

    @Override
    public BufferPool writeChunks() {
        return writeChunks;
    }

    @Override
    public BufferPool readBuffers() {
        return readBuffers;
    }
}
