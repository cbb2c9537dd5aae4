package dev.roundhouse.loop.iocp;

import dev.roundhouse.loop.internal.Channels;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.internal.LoopResources;
import dev.roundhouse.loop.internal.StreamTransport;
import dev.roundhouse.loop.internal.WriteQueue;
import dev.roundhouse.loop.spi.LoopContext;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A TCP connection of the completion backend: the completion counterpart of the readiness
 * transport, over the same {@link StreamTransport} (close state machine, callback grammar, write
 * queue, water marks).
 *
 * <p><b>Reading.</b> At most one read is outstanding, into a direct buffer this transport owns
 * until the read completes (not the loop's shared read buffer, which the loop reuses while the
 * read is in flight). Pausing means not posting the next read: a pending read is never cancelled,
 * because cancelling can lose data (bpo-33694) and leaves an {@code AsynchronousSocketChannel}
 * unable to read again. A read that completes while reading is paused is held, and delivered on
 * resume, in order, through the completion queue (never re-entrantly from {@code resumeReading}).
 * After a read is delivered, the next one is posted only once the loop has dispatched the rest of
 * the completions it took ({@link CompletionQueue#afterPass}): a ping-pong peer usually answers
 * within that time, and then the JDK reads its bytes inside the {@code read} call, on the loop
 * thread, instead of re-arming the socket for its I/O thread and handing the completion over
 * (measured in BENCHMARKS.md: the 64-connection ping-pong on Linux). A pass of one completion
 * posts it at once, as before.
 *
 * <p><b>Writing.</b> {@link #writeNow} does nothing: the queued buffers are posted as one gathered
 * write; on its completion the bytes are accounted, the rest is posted and the water marks and any
 * deferred close follow ({@link #afterFlush}). On Linux and macOS the JDK performs that write inside
 * the {@code write} call when the socket can take it (the group is not a fixed pool, see
 * {@link InlineExecutor}); the completion is still only posted there, and dispatched when the loop
 * next takes its queue, so the queue and the water marks change in one place, on dispatch. Every
 * byte written is therefore copied once, into the queue: a posted write holds its buffers until it
 * completes, and the caller may reuse its buffer as soon as {@code write} returns. The exception is
 * the read buffer a protocol was given, written back (an echo) or to another connection of the
 * loop: it is handed over (4 KiB and up, see {@code StreamTransport.fireLentData}); the next read
 * goes into another pooled buffer.
 *
 * <p><b>Closing.</b> Closing the channel makes pending operations complete with
 * {@code AsynchronousCloseException}; those completions arrive after {@code connectionLost} and are
 * ignored. Abort cannot send RST: the JDK's asynchronous channels do not offer {@code SO_LINGER}
 * (checked on JDK 17 and 25), so the peer sees EOF; the contract allows "reset or EOF".
 *
 * <p>Loop thread only.
 */
final class IocpTransport extends StreamTransport {
    private final AsynchronousSocketChannel ch;
    private final CompletionQueue completions;
    private final SocketAddress local;
    private final SocketAddress remote;
    private final Completion<Integer> readDone;
    private final Completion<Long> writeDone;
    private final WriteQueue.GatheringSink writeSink = this::accountOrCollect;
    private final int readBufferBytes;
    private ByteBuffer readBuffer;
    private boolean readInFlight;
    /** The next read waits for the end of the current pass over the completions. */
    private boolean readDeferred;
    private final Runnable postDeferredRead = this::postDeferredRead;
    /** A completed read held while reading is paused: its byte count (-1 for EOF). */
    private int heldRead;
    private boolean holding;
    private ByteBuffer[] writeBuffers = new ByteBuffer[0];
    private boolean writeInFlight;
    /** Buffers collected into {@link #writeBuffers} for the next write, not posted yet. */
    private int gathered;
    /** Bytes of the write that just completed, not yet taken off the queue. */
    private long writtenBytes;

    IocpTransport(LoopContext ctx, CompletionQueue completions, AsynchronousSocketChannel ch, Protocol protocol,
                  SocketOptions options, LoopResources resources) {
        super(ctx, protocol, options, resources);
        this.ch = ch;
        this.completions = completions;
        this.local = addressOrNull(ch, true);
        this.remote = addressOrNull(ch, false);
        this.readBufferBytes = ctx.options().readBufferBytes();
        this.readDone = new Completion<>(completions, protocol, this::onRead);
        this.writeDone = new Completion<>(completions, protocol, this::onWrite);
    }

    // ------------------------------------------------------------------ reading

    @Override
    protected void setReading(boolean on) {
        if (!on || isLost()) {
            return; // pausing is not posting the next read; the pending one is never cancelled
        }
        if (holding) {
            holding = false;
            readInFlight = true;
            readDone.completed(heldRead, null); // delivered from the queue, after this callback returns
        } else if (!readInFlight && !readDeferred) {
            postRead();
        }
    }

    /**
     * The end of the pass that delivered the last read: posts the next, unless reading was paused
     * or the connection closed or lost later in the pass (a loss gave the buffer back already).
     */
    private void postDeferredRead() {
        readDeferred = false;
        if (wantsReading()) {
            postRead();
        }
    }

    private void postRead() {
        if (readBuffer == null) {
            readBuffer = ctx.readBuffers().take(); // the loop's pool while its budget lasts
            if (readBuffer == null) {
                readBuffer = ByteBuffer.allocate(readBufferBytes);
            }
        }
        readBuffer.clear();
        readInFlight = true;
        readDone.starting();
        try {
            ch.read(readBuffer, null, readDone);
        } catch (RuntimeException e) { // e.g. ShutdownChannelGroupException
            readDone.notStarted();
            readInFlight = false;
            fail(e);
        }
    }

    private void onRead(Integer bytes, Throwable error) {
        if (isLost()) {
            readInFlight = false;
            releaseReadBuffer(); // the read is over: the JDK no longer fills the buffer
            return; // e.g. AsynchronousCloseException after close or abort
        }
        if (error != null) {
            readInFlight = false;
            fail(error);
            return;
        }
        int n = bytes;
        if (!wantsReading()) {
            readInFlight = false;
            heldRead = n; // paused (or closing) while the read was in flight: keep it for resume
            holding = true;
            return;
        }
        if (n < 0) {
            readInFlight = false;
            fireEof();
            return;
        }
        if (n > 0) {
            readBuffer.flip();
            // readInFlight stays set during the callback: a pauseReading/resumeReading pair inside it
            // must not post a read into the buffer being delivered
            if (!readBuffer.isDirect()) {
                fireData(readBuffer); // a heap buffer: the pool's budget was spent
            } else if (fireLentData(readBuffer)) {
                readBuffer = null; // written on (an echo or a relay): a write queue keeps it; the next read takes another
            }
        }
        readInFlight = false;
        if (wantsReading()) {
            readDeferred = true; // no read is posted meanwhile: setReading waits for the deferred one
            completions.afterPass(postDeferredRead);
        } else if (isLost()) {
            releaseReadBuffer(); // closed inside the callback, while the buffer was being delivered
        }
    }

    // ------------------------------------------------------------------ writing

    @Override
    protected void writeNow(ByteBuffer data) {
        // completion backends never write synchronously: write() queues and startFlush() posts
    }

    @Override
    protected void startFlush() {
        flushQueue();
    }

    @Override
    protected boolean flushPending() {
        return writeInFlight;
    }

    /**
     * Drives the shared {@link WriteQueue} with a collecting sink: a first sink call accounts the
     * bytes of the write that just completed (the queue drops what was sent), a later one collects
     * the next batch and reports 0 bytes, which ends the queue's pass. The write is posted only
     * after the pass: once posted, the JDK moves the buffers' positions (inside the call, or later on
     * its I/O thread), and the queue must not look at them until the completion is dispatched (it
     * would race and could drop a buffer before its bytes were accounted).
     */
    private void flushQueue() {
        try {
            queue.writeTo(writeSink);
            if (gathered == 0 && !queue.isEmpty()) {
                queue.writeTo(writeSink); // the completed write was partial: collect the rest
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
            return;
        }
        if (gathered == 0 || isLost()) {
            return;
        }
        int n = gathered;
        gathered = 0;
        writeInFlight = true;
        writeDone.starting();
        try {
            ch.write(writeBuffers, 0, n, 0L, TimeUnit.MILLISECONDS, null, writeDone);
        } catch (RuntimeException e) { // e.g. ShutdownChannelGroupException
            writeDone.notStarted();
            writeInFlight = false;
            fail(e);
        }
    }

    private long accountOrCollect(ByteBuffer[] srcs, int offset, int length) {
        if (writtenBytes > 0) {
            long n = writtenBytes;
            writtenBytes = 0;
            return n;
        }
        if (gathered == 0) {
            if (writeBuffers.length < length) {
                writeBuffers = new ByteBuffer[length];
            }
            // the queue reuses its array at once; the channel keeps ours until the write completes
            System.arraycopy(srcs, offset, writeBuffers, 0, length);
            gathered = length;
        }
        return 0;
    }

    private void onWrite(Long bytes, Throwable error) {
        writeInFlight = false;
        Arrays.fill(writeBuffers, null);
        if (isLost()) {
            return;
        }
        if (error != null) {
            fail(error);
            return;
        }
        writtenBytes = bytes;
        flushQueue();
        writtenBytes = 0;
        afterFlush();
    }

    // ------------------------------------------------------------------ closing

    @Override
    protected void shutdownOutputNow() throws IOException {
        ch.shutdownOutput();
    }

    /** Returns the read buffer to the loop's pool once no read is in flight into it. */
    private void releaseReadBuffer() {
        if (readBuffer != null && !readInFlight) {
            ctx.readBuffers().giveBack(readBuffer, true);
            readBuffer = null;
        }
    }

    @Override
    protected void closeSocket(boolean reset) {
        holding = false;
        releaseReadBuffer(); // else when the pending read completes (with AsynchronousCloseException)
        // JDK 17 and 25 offer no SO_LINGER here (see the class comment): a plain close then; should a
        // later JDK offer it, abort resets as the contract prefers.
        if (reset && ch.isOpen() && ch.supportedOptions().contains(StandardSocketOptions.SO_LINGER)) {
            try {
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException ignored) {
                // not connected any more: a plain close is all that is left
            }
        }
        Channels.closeQuietly(ch);
    }

    // ------------------------------------------------------------------ addresses

    @Override
    public SocketAddress localAddress() {
        ctx.checkInLoop("Transport.localAddress");
        return isLost() ? null : local;
    }

    @Override
    public SocketAddress remoteAddress() {
        ctx.checkInLoop("Transport.remoteAddress");
        return isLost() ? null : remote;
    }

    private static SocketAddress addressOrNull(AsynchronousSocketChannel ch, boolean local) {
        try {
            return local ? ch.getLocalAddress() : ch.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }
}
