package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopClosedException;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.Transport;
import dev.roundhouse.loop.spi.LoopContext;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The transport logic every backend shares: the close state machine, the protocol's callback
 * grammar ({@code made -> data* -> eof? -> lost} exactly once), the write queue and the water
 * marks. A backend supplies how bytes reach the OS ({@link #writeNow}, {@link #startFlush}) and
 * how reading is armed, shut down and closed.
 *
 * <p>Loop thread only, like {@link Transport}.
 */
public abstract class StreamTransport implements Transport, LoopResource {
    /**
     * The smallest write of a lent read buffer kept instead of copied ({@link #fireLentData}):
     * below it the copy costs about what the hand-over does (a view, a pooled buffer more per
     * connection, and a buffer of its own per write where copies share a chunk).
     */
    public static final int KEEP_MIN_BYTES = 4096;
    protected final LoopContext ctx;
    protected final Protocol protocol;
    protected final WriteQueue queue;
    private final LoopResources resources;
    private Runnable onLost;
    private long highBytes;
    private long lowBytes;
    private boolean writingPaused;
    private boolean readingPaused;
    private boolean started;
    private boolean closing;
    private boolean outputShutdownRequested;
    private boolean outputShut;
    private boolean eofSeen;
    private boolean lost;

    protected StreamTransport(LoopContext ctx, Protocol protocol, SocketOptions options, LoopResources resources) {
        this.ctx = ctx;
        this.protocol = protocol;
        this.resources = resources;
        this.highBytes = options.writeHighWaterBytes();
        this.lowBytes = options.writeLowWaterBytes();
        this.queue = new WriteQueue(ctx.writeChunks());
    }

    // ------------------------------------------------------------------ backend hooks

    /**
     * Writes what the OS takes now from {@code data} (readiness backends); completion backends
     * write nothing here and return.
     */
    protected abstract void writeNow(ByteBuffer data) throws IOException;

    /** The queue is not empty: move it to the OS (arm WRITE, or post a write). */
    protected abstract void startFlush();

    /** Whether a flush is under way (WRITE armed or a write posted). */
    protected abstract boolean flushPending();

    /** Reading should be on or off now. */
    protected abstract void setReading(boolean on);

    /** Sends FIN. */
    protected abstract void shutdownOutputNow() throws IOException;

    /** Closes the socket; {@code reset} asks for RST. Never throws. */
    protected abstract void closeSocket(boolean reset);

    // ------------------------------------------------------------------ lifecycle, backend side

    /** Runs {@code r} once when the connection is lost (a server's connection count). */
    public final void onLost(Runnable r) {
        onLost = r;
    }

    /** Delivers {@code connectionMade} and starts reading. */
    public final void start() {
        started = true;
        resources.add(this);
        ctx.enterCallback(protocol);
        try {
            protocol.connectionMade(this);
        } catch (Throwable t) {
            callbackFailed("connectionMade", t);
            return;
        }
        if (!lost && !closing && !readingPaused && !eofSeen) {
            setReading(true);
        }
    }

    /** Delivers bytes read; {@code data} is valid during this call only. */
    protected final void fireData(ByteBuffer data) {
        ctx.enterCallback(protocol);
        try {
            protocol.dataReceived(data);
        } catch (Throwable t) {
            callbackFailed("dataReceived", t);
        }
    }

    /**
     * Delivers bytes read into a buffer of the loop's read pool ({@link LoopContext#readBuffers()})
     * that the transport may give away: when the protocol writes {@code data} itself during the
     * call, to this transport (an echo) or to another of the loop (a relay), that transport's write
     * queue keeps the buffer instead of copying its bytes ({@link #KEEP_MIN_BYTES} and up, while
     * the pool can replace it) and gives it back to the pool once they are sent
     * ({@link BufferPool#keepLent}).
     *
     * @return {@code true} if a queue kept {@code data}: the caller no longer owns it and must
     *     read into another buffer next
     */
    protected final boolean fireLentData(ByteBuffer data) {
        BufferPool pool = ctx.readBuffers();
        pool.lend(data);
        boolean kept;
        try {
            fireData(data);
        } finally {
            kept = pool.endLend(data);
        }
        return kept;
    }

    /** The peer sent FIN. */
    protected final void fireEof() {
        if (eofSeen || lost) {
            return;
        }
        eofSeen = true;
        setReading(false);
        boolean keepOpen;
        ctx.enterCallback(protocol);
        try {
            keepOpen = protocol.eofReceived();
        } catch (Throwable t) {
            callbackFailed("eofReceived", t);
            return;
        }
        if (lost) {
            return;
        }
        if (!keepOpen) {
            close();
        } else if (outputShut) {
            finish(null, false);
        }
    }

    /** The OS took some queued bytes: water marks, then deferred close or shutdown. */
    protected final void afterFlush() {
        if (lost) {
            return;
        }
        if (writingPaused && queue.size() <= lowBytes) {
            writingPaused = false;
            ctx.enterCallback(protocol);
            try {
                protocol.resumeWriting();
            } catch (Throwable t) {
                callbackFailed("resumeWriting", t);
                return;
            }
        }
        if (queue.isEmpty()) {
            if (closing) {
                finish(null, false);
            } else if (outputShutdownRequested && !outputShut) {
                shutdownOutputSocket();
            }
        }
    }

    /** An I/O error ended the connection. */
    protected final void fail(Throwable cause) {
        finish(cause, false);
    }

    @Override
    public final void closeForShutdown(LoopClosedException cause) {
        finish(cause, true);
    }

    private void callbackFailed(String callback, Throwable t) {
        ctx.reportException(callback + " of " + Names.of(protocol), t);
        finish(t, true);
    }

    private void finish(Throwable cause, boolean reset) {
        if (lost) {
            return;
        }
        lost = true;
        queue.clear();
        closeSocket(reset);
        resources.remove(this);
        if (onLost != null) {
            onLost.run();
        }
        if (!started) {
            return;
        }
        ctx.enterCallback(protocol);
        try {
            protocol.connectionLost(cause);
        } catch (Throwable t) {
            ctx.reportException("connectionLost of " + Names.of(protocol), t);
        }
    }

    private void shutdownOutputSocket() {
        outputShut = true;
        try {
            shutdownOutputNow();
        } catch (IOException e) {
            fail(e);
            return;
        }
        if (eofSeen) {
            finish(null, false);
        }
    }

    /** Whether the connection is lost; nothing may be delivered after. */
    protected final boolean isLost() {
        return lost;
    }

    /** Whether reading should be active (started, not paused, not closing, no EOF). */
    protected final boolean wantsReading() {
        return !lost && !closing && !readingPaused && !eofSeen;
    }

    // ------------------------------------------------------------------ Transport

    @Override
    public final EventLoop loop() {
        return ctx.loop();
    }

    @Override
    public final boolean write(ByteBuffer data) {
        ctx.checkInLoop("Transport.write");
        // this side's close()/shutdownOutput() first: a close() that finished at once (nothing was
        // queued) has already made the transport lost, and a write after it is still a caller bug
        if (closing || outputShutdownRequested) {
            throw new IllegalStateException("write after " + (closing ? "close()" : "shutdownOutput()")
                    + " on " + this);
        }
        if (lost) {
            data.position(data.limit());
            return false;
        }
        if (!data.hasRemaining()) {
            return true;
        }
        if (queue.isEmpty() && !flushPending()) {
            try {
                writeNow(data);
            } catch (IOException e) {
                data.position(data.limit());
                fail(e);
                return false;
            }
            if (!data.hasRemaining()) {
                return true;
            }
        }
        BufferPool reads = ctx.readBuffers();
        ByteBuffer kept = reads.keepLent(data, KEEP_MIN_BYTES);
        if (kept != null) {
            queue.addKept(kept, reads); // a view: the caller's object moves to its limit below
            data.position(data.limit());
        } else {
            queue.add(data);
        }
        if (!flushPending()) {
            startFlush();
        }
        checkHighWater();
        return true;
    }

    /** Tells the protocol to pause writing when the queue rose above the high-water mark. */
    private boolean checkHighWater() {
        if (writingPaused || lost || queue.size() <= highBytes) {
            return false;
        }
        writingPaused = true;
        ctx.enterCallback(protocol);
        try {
            protocol.pauseWriting();
        } catch (Throwable t) {
            callbackFailed("pauseWriting", t);
        }
        return true;
    }

    @Override
    public final void close() {
        ctx.checkInLoop("Transport.close");
        if (lost || closing) {
            return;
        }
        closing = true;
        setReading(false);
        if (queue.isEmpty() && !flushPending()) {
            finish(null, false);
        }
    }

    @Override
    public final void abort() {
        ctx.checkInLoop("Transport.abort");
        finish(null, true);
    }

    @Override
    public final void shutdownOutput() {
        ctx.checkInLoop("Transport.shutdownOutput");
        if (lost || closing || outputShutdownRequested) {
            return;
        }
        outputShutdownRequested = true;
        if (queue.isEmpty() && !flushPending()) {
            shutdownOutputSocket();
        }
    }

    @Override
    public final void pauseReading() {
        ctx.checkInLoop("Transport.pauseReading");
        if (!readingPaused) {
            readingPaused = true;
            if (!lost && !closing && !eofSeen) {
                setReading(false);
            }
        }
    }

    @Override
    public final void resumeReading() {
        ctx.checkInLoop("Transport.resumeReading");
        if (readingPaused) {
            readingPaused = false;
            if (wantsReading() && started) {
                setReading(true);
            }
        }
    }

    @Override
    public final boolean isReading() {
        ctx.checkInLoop("Transport.isReading");
        return started && wantsReading();
    }

    @Override
    public final boolean isClosing() {
        ctx.checkInLoop("Transport.isClosing");
        return lost || closing || outputShutdownRequested;
    }

    @Override
    public final void setWriteBufferLimits(long high, long low) {
        ctx.checkInLoop("Transport.setWriteBufferLimits");
        SocketOptions.checkWaterMarks(high, low);
        highBytes = high;
        lowBytes = low;
        if (!lost && !checkHighWater()) {
            afterFlush();
        }
    }

    @Override
    public final long writeBufferSize() {
        ctx.checkInLoop("Transport.writeBufferSize");
        return queue.size();
    }

    @Override
    public final long writeBufferHighBytes() {
        ctx.checkInLoop("Transport.writeBufferHighBytes");
        return highBytes;
    }

    @Override
    public final long writeBufferLowBytes() {
        ctx.checkInLoop("Transport.writeBufferLowBytes");
        return lowBytes;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + Names.of(protocol) + (lost ? ", lost" : closing ? ", closing" : "") + "]";
    }
}
