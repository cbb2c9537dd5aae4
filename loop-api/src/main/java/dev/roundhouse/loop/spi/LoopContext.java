package dev.roundhouse.loop.spi;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.internal.BufferPool;
import java.nio.ByteBuffer;

/**
 * What the engine gives a {@link Poller}: the loop, its options and the engine services a backend
 * needs. Not implemented by backends.
 */
public interface LoopContext {

    /** The loop the poller serves. */
    EventLoop loop();

    /** The loop's options. */
    LoopOptions options();

    /**
     * Passes an exception that escaped a callback to the loop's exception handler. Loop thread only.
     *
     * @param context what was running, e.g. {@code "onReady of MyHandler"}
     */
    void reportException(String context, Throwable error);

    /**
     * Throws {@link dev.roundhouse.loop.LoopAffinityException} unless called on the loop thread.
     *
     * @param method the public method being guarded, e.g. {@code "Transport.write"}
     */
    void checkInLoop(String method);

    /**
     * Tells the stall detector which callback is about to run (two plain stores). Loop thread only.
     *
     * @param callback the handler or protocol; its class names the stall
     */
    void enterCallback(Object callback);

    /**
     * Whether the current {@link Poller#poll} may still block: true from the moment the engine
     * published that the loop sleeps (a poll with a timeout other than 0) until another thread
     * requests a wakeup, after which the engine calls {@link Poller#wakeup()}; false during a poll
     * with timeout 0. A poller whose OS wait can miss a wakeup that comes before it publishes that
     * it is about to block (Netty's epoll handler) asks again after publishing: a wakeup requested
     * before that reads false here, one requested after it reaches the OS wait. A volatile read of
     * a field the waking thread writes anyway, so a wakeup touches no other shared memory.
     * Loop thread only.
     */
    boolean mayBlock();

    /** The loop's shared direct read buffer ({@link LoopOptions#readBufferBytes()}); loop thread only. */
    ByteBuffer readBuffer();

    /** The loop's direct chunks for its connections' write queues; loop thread only. */
    BufferPool writeChunks();

    /**
     * The loop's direct buffers of {@link LoopOptions#readBufferBytes()} for per-connection reads
     * (completion backends, whose reads are in flight per connection); loop thread only.
     */
    BufferPool readBuffers();
}
