package dev.roundhouse.loop.epoll;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.spi.LoopContext;
import java.nio.ByteBuffer;

/** A LoopContext for driving package classes directly in tests, on the given loop's thread. */
final class StubContext implements LoopContext {
    private final EventLoop loop;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private final dev.roundhouse.loop.internal.BufferPool readBuffers = dev.roundhouse.loop.internal.BufferPool.readBuffers(64 * 1024);
    private final dev.roundhouse.loop.internal.BufferPool writeChunks = dev.roundhouse.loop.internal.BufferPool.writeChunks();

    StubContext(EventLoop loop) {
        this.loop = loop;
    }

    @Override
    public EventLoop loop() {
        return loop;
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

    /** Polls driven directly by a test are never woken by another thread. */
    @Override
    public boolean mayBlock() {
        return true;
    }

    @Override
    public ByteBuffer readBuffer() {
        return readBuffer;
    }

    @Override
    public dev.roundhouse.loop.internal.BufferPool writeChunks() {
        return writeChunks;
    }

    @Override
    public dev.roundhouse.loop.internal.BufferPool readBuffers() {
        return readBuffers;
    }
}
