package dev.roundhouse.loop.iouring;

import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.internal.BufferPool;
import dev.roundhouse.loop.internal.StreamTransport;
import dev.roundhouse.loop.internal.WriteQueue;
import dev.roundhouse.loop.unix.KernelRelease;
import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.Socket;
import io.netty.channel.uring.IoUringIoOps;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A TCP connection on the ring, over the shared {@link StreamTransport} (close state machine,
 * callback grammar, write queue, water marks), like iocp's: completion I/O.
 *
 * <p><b>Reading.</b> At most one {@code RECV} is in flight, into a direct buffer this transport owns
 * until the receive completes (the loop's per-connection read buffers while their budget lasts,
 * then a 16 KiB direct buffer of its own). A receive whose last completion said nothing more was
 * queued on the socket is posted poll-first ({@link #RECV_POLL_FIRST}). Pausing means not posting the next receive: the pending
 * one is never cancelled (that could lose data); a receive that completes while reading is paused is
 * held and delivered on resume, in order, from the end of the loop's next poll (never re-entrantly
 * from {@code resumeReading}).
 *
 * <p><b>Writing.</b> {@link #writeNow} does nothing: {@code write} queues (the shared queue's direct
 * chunks; a read buffer of 4 KiB and up written on by its protocol, to this connection or another
 * of the loop, is handed over instead, see {@code StreamTransport.fireLentData}) and the queue is
 * posted as one {@code WRITEV} entry (up to 64 buffers), which goes to the kernel with the loop's
 * next wait, in the same system call. On
 * its completion the buffers' positions move by the bytes sent, the queue drops what was sent, the
 * rest is posted, and the water marks and any deferred close follow. A heap chunk (past the loop's
 * direct budget) is copied into a direct staging buffer first.
 *
 * <p><b>Closing</b> cancels what is in flight and closes the descriptor once the ring has let go of
 * it ({@link UringFd}); abort sets {@code SO_LINGER} 0 first, so the peer sees a reset.
 *
 * <p>Loop thread only.
 */
final class UringTransport extends StreamTransport implements UringFd.Owner {
    private static final int MAX_IOV = 64; // the write queue's gather limit
    private static final int IOV_BYTES = 16; // struct iovec on 64-bit Linux
    private static final int FALLBACK_READ_BYTES = 16 * 1024;
    /**
     * Whether a receive posted after one that emptied the socket (its completion without
     * {@link UringOps#CQE_F_SOCK_NONEMPTY}) skips the kernel's first try
     * ({@link UringOps#RECVSEND_POLL_FIRST}), which would find nothing and then arm the poll anyway:
     * on request-response traffic every receive is posted right after one that emptied the socket.
     * Linux 5.19+ (before, the flag fails the receive); {@code -Droundhouse.iouring.recvPollFirst=false}
     * switches it off (for comparisons). perf on 1-connection ping-pong (2026-12-07, JDK 17, 2 runs
     * each way) put the kernel's receive work at 0.79&ndash;0.90 &micro;s per round trip with it and
     * 1.12&ndash;1.20 without, of the ~10 &micro;s the server's thread spent (loop-iouring's README).
     */
    static final boolean RECV_POLL_FIRST = KernelRelease.atLeast(5, 19)
            && Boolean.parseBoolean(System.getProperty("roundhouse.iouring.recvPollFirst", "true"));

    /** Where the read is: none, in the kernel, completed while paused, due from the next poll, delivering. */
    private enum Read { IDLE, POSTED, HELD, DUE, DELIVERING }

    private final UringPoller poller;
    private final UringFd fd;
    /** Asked of the kernel on first use ({@code getsockname}): most connections never ask. */
    private SocketAddress local;
    /** From the accept's own output, or the address connected to: no system call. */
    private final SocketAddress remote;
    private final WriteQueue.GatheringSink writeSink = this::accountOrCollect;
    private Read read = Read.IDLE;
    private ByteBuffer readBuffer;
    private boolean readBufferPooled;
    /**
     * The receive into {@link #readBuffer}, made on first use per buffer (set to null when
     * {@link #postRead} takes a new one) and submitted again each time (not poll-first).
     */
    private IoUringIoOps recvOps;
    /** The same, poll-first ({@link #RECV_POLL_FIRST}); each made on first use per buffer. */
    private IoUringIoOps recvPollFirstOps;
    /** The last receive's completion said nothing more was queued on the socket. */
    private boolean socketDrained;
    /** Receives posted, and of them poll-first (for tests). */
    private long receivesPosted;
    private long pollFirstReceives;
    private int heldResult;
    /** The queue's buffers of the write in flight (their positions move on its completion). */
    private ByteBuffer[] writeBuffers = new ByteBuffer[1];
    private int gathered;
    private int posted;
    /** Bytes of the write that just completed, not yet taken off the queue. */
    private long writtenBytes;
    /** This connection's iovec array, from its first write until closed with no write in flight. */
    private IovSlots.Slot iov;
    /**
     * {@code WRITEV} of the first n iovecs of {@link #iov}, index n - 1, made on first use.
     * This array and {@link #writeBuffers} grow to the largest gather seen (most connections write
     * one buffer at a time): sized 64 up front they were most of the allocation per connection.
     */
    private IoUringIoOps[] writevOps = new IoUringIoOps[1];
    private ByteBuffer staging;
    private boolean stagingPooled;
    private long stagingAddress;

    /**
     * Takes over {@code fd}'s completions.
     *
     * @param fd the connection's descriptor: a connect's, with its registration, or an accepted one
     *     (a bare descriptor: its {@code Socket} is made only if needed)
     * @param remote the peer's address as the accept reported it, or the address connected to;
     *     {@code null} asks the kernel
     */
    UringTransport(UringPoller poller, UringFd fd, SocketAddress remote, Protocol protocol, SocketOptions options) {
        super(poller.context(), protocol, options, poller.resources());
        this.poller = poller;
        this.fd = fd;
        fd.owner(this);
        this.remote = remote != null ? remote : fd.socket().remoteAddress();
    }

    /** The socket (for tests; an accepted one's is made by the call). Loop thread. */
    Socket socket() {
        return fd.socket();
    }

    /** Receives posted so far (for tests). Loop thread. */
    long receivesPosted() {
        return receivesPosted;
    }

    /** Of {@link #receivesPosted}, those posted poll-first ({@link #RECV_POLL_FIRST}; for tests). Loop thread. */
    long pollFirstReceives() {
        return pollFirstReceives;
    }

    /** Whether the socket has been made, or was one from the start (for tests). Loop thread. */
    boolean hasSocket() {
        return fd.hasSocket();
    }

    @Override
    public void completed(byte opcode, int res, int flags) {
        if (opcode == UringOps.OP_RECV) {
            socketDrained = RECV_POLL_FIRST && res > 0 && (flags & UringOps.CQE_F_SOCK_NONEMPTY) == 0;
            onRead(res);
        } else if (opcode == UringOps.OP_WRITEV) {
            onWrite(res);
        }
    }

    // ------------------------------------------------------------------ reading

    @Override
    protected void setReading(boolean on) {
        if (!on || isLost()) {
            return; // pausing is not posting the next receive; the pending one is never cancelled
        }
        if (read == Read.HELD) {
            read = Read.DUE;
            poller.defer(this::deliverHeld);
        } else if (read == Read.IDLE) {
            postRead();
        }
    }

    private void postRead() {
        if (readBuffer == null) {
            readBuffer = ctx.readBuffers().take();
            readBufferPooled = readBuffer != null;
            if (readBuffer == null) {
                readBuffer = ByteBuffer.allocateDirect(FALLBACK_READ_BYTES);
            }
            recvOps = null; // the entries of the last buffer: each is made again on first use
            recvPollFirstOps = null;
        }
        boolean pollFirst = socketDrained;
        IoUringIoOps ops = pollFirst ? recvPollFirstOps : recvOps;
        if (ops == null) { // the first receive into this buffer of its kind: one entry per buffer and kind
            ops = UringOps.recv(fd.fd(), Buffer.memoryAddress(readBuffer), readBuffer.capacity(), pollFirst);
            if (pollFirst) {
                recvPollFirstOps = ops;
            } else {
                recvOps = ops;
            }
        }
        try {
            fd.submit(UringOps.OP_RECV, ops);
            read = Read.POSTED;
            receivesPosted++;
            if (pollFirst) {
                pollFirstReceives++;
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    private void onRead(int res) {
        read = Read.IDLE;
        if (isLost()) {
            releaseReadBuffer(); // the kernel is done with it (e.g. -ECANCELED after close)
            return;
        }
        if (!wantsReading()) {
            heldResult = res; // paused (or closing) while the receive was in flight: keep it for resume
            read = Read.HELD;
            return;
        }
        deliver(res);
    }

    private void deliverHeld() {
        if (read != Read.DUE) {
            return;
        }
        read = Read.IDLE;
        if (isLost()) {
            releaseReadBuffer();
        } else if (!wantsReading()) {
            read = Read.HELD; // paused again before the delivery was due
        } else {
            deliver(heldResult);
        }
    }

    private void deliver(int res) {
        if (res == 0) {
            fireEof();
            return;
        }
        if (res < 0) {
            if (res == UringOps.EAGAIN || res == UringOps.EINTR) {
                postRead();
            } else {
                fail(Errors.newIOException("recv", res));
            }
            return;
        }
        readBuffer.clear().limit(res);
        read = Read.DELIVERING; // a pause/resume pair inside the callback must not post into this buffer
        if (!readBufferPooled) {
            fireData(readBuffer);
        } else if (fireLentData(readBuffer)) {
            readBuffer = null; // written on (an echo or a relay): a write queue keeps it; the next receive takes another
        }
        read = Read.IDLE;
        if (wantsReading()) {
            postRead();
        } else if (isLost()) {
            releaseReadBuffer(); // closed inside the callback, while the buffer was being delivered
        }
    }

    private void releaseReadBuffer() {
        if (readBuffer != null && read != Read.POSTED && read != Read.DELIVERING) {
            if (readBufferPooled) {
                ctx.readBuffers().giveBack(readBuffer, true);
            }
            readBuffer = null;
        }
    }

    // ------------------------------------------------------------------ writing

    @Override
    protected void writeNow(ByteBuffer data) {
        // completion I/O: write() queues and startFlush() posts
    }

    @Override
    protected void startFlush() {
        flushQueue();
    }

    @Override
    protected boolean flushPending() {
        return posted > 0;
    }

    /**
     * Drives the shared {@link WriteQueue} with a collecting sink: a first sink call accounts the
     * bytes of the write that just completed (the queue drops what was sent), a later one collects
     * the next batch and reports 0 bytes, which ends the queue's pass; the write is posted after it.
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
            gathered = 0;
            return;
        }
        int n = gathered;
        gathered = 0;
        try {
            post(n);
            posted = n;
        } catch (IOException | RuntimeException e) {
            Arrays.fill(writeBuffers, 0, n, null);
            fail(e);
        }
    }

    /**
     * Posts the {@code n} gathered buffers as one {@code WRITEV} (one buffer too: with the entries
     * cached per count, the echo path allocates nothing; {@code SEND} would need a new entry per
     * address). A heap chunk, alone, goes through the direct staging chunk.
     */
    private void post(int n) throws IOException {
        if (iov == null) {
            iov = poller.iovSlots().take();
        }
        ByteBuffer iovs = iov.view;
        ByteBuffer first = writeBuffers[0];
        if (!first.isDirect()) { // a heap chunk: the loop's direct budget was spent
            if (staging == null) {
                staging = ctx.writeChunks().take();
                stagingPooled = staging != null;
                if (staging == null) {
                    staging = ByteBuffer.allocateDirect(BufferPool.WRITE_CHUNK_BYTES);
                }
                stagingAddress = Buffer.memoryAddress(staging);
            }
            int k = Math.min(first.remaining(), staging.capacity());
            staging.clear().put(0, first, first.position(), k);
            iovs.putLong(0, stagingAddress);
            iovs.putLong(8, k);
        } else {
            for (int i = 0; i < n; i++) {
                ByteBuffer b = writeBuffers[i];
                iovs.putLong(i * IOV_BYTES, poller.addresses().addressOf(b) + b.position());
                iovs.putLong(i * IOV_BYTES + 8, b.remaining());
            }
        }
        if (n > writevOps.length) {
            writevOps = Arrays.copyOf(writevOps, MAX_IOV);
        }
        IoUringIoOps ops = writevOps[n - 1];
        if (ops == null) {
            ops = UringOps.writev(fd.fd(), iov.address, n);
            writevOps[n - 1] = ops;
        }
        fd.submit(UringOps.OP_WRITEV, ops);
    }

    private long accountOrCollect(ByteBuffer[] srcs, int offset, int length) {
        if (writtenBytes > 0) {
            long n = writtenBytes;
            writtenBytes = 0;
            return n;
        }
        if (gathered == 0) {
            if (length > writeBuffers.length) {
                writeBuffers = new ByteBuffer[MAX_IOV]; // empty here: nothing is in flight while collecting
            }
            int n = 0;
            while (n < length && (n == 0 || srcs[offset + n].isDirect())) {
                writeBuffers[n] = srcs[offset + n]; // the queue reuses its array at once
                n++;
                if (!writeBuffers[0].isDirect()) {
                    break; // a heap chunk goes alone, through the staging buffer
                }
            }
            gathered = n;
        }
        return 0;
    }

    private void onWrite(int res) {
        int n = posted;
        posted = 0;
        if (isLost()) {
            Arrays.fill(writeBuffers, 0, n, null);
            releaseStaging();
            return;
        }
        if (res < 0) {
            Arrays.fill(writeBuffers, 0, n, null);
            if (res == UringOps.EAGAIN || res == UringOps.EINTR) {
                flushQueue();
            } else {
                fail(Errors.newIOException("writev", res));
            }
            return;
        }
        long left = res;
        for (int i = 0; i < n && left > 0; i++) {
            ByteBuffer b = writeBuffers[i];
            int k = (int) Math.min(left, b.remaining());
            b.position(b.position() + k);
            left -= k;
        }
        Arrays.fill(writeBuffers, 0, n, null);
        writtenBytes = res;
        flushQueue();
        writtenBytes = 0;
        afterFlush();
    }

    /** Gives back the staging chunk and the iovec array once no write is in flight. */
    private void releaseStaging() {
        if (iov != null && posted == 0 && isLost()) {
            poller.iovSlots().giveBack(iov);
            iov = null;
        }
        if (staging != null && posted == 0) {
            if (stagingPooled) {
                ctx.writeChunks().giveBack(staging, true);
            }
            staging = null;
        }
    }

    // ------------------------------------------------------------------ closing

    @Override
    protected void shutdownOutputNow() throws IOException {
        fd.socket().shutdown(false, true);
    }

    @Override
    protected void closeSocket(boolean reset) {
        if (read == Read.HELD || read == Read.DUE) {
            read = Read.IDLE;
        }
        if (reset) {
            try {
                fd.socket().setSoLinger(0); // the close then sends RST
            } catch (IOException | RuntimeException ignored) {
                // not connected any more: a plain close is all that is left
            }
        }
        fd.close(); // cancels the receive and write in flight; the descriptor closes when the ring lets go
        releaseReadBuffer();
        releaseStaging();
    }

    // ------------------------------------------------------------------ addresses

    @Override
    public SocketAddress localAddress() {
        ctx.checkInLoop("Transport.localAddress");
        if (isLost()) {
            return null;
        }
        if (local == null) {
            local = fd.socket().localAddress(); // null if the kernel cannot say (the connection broke)
        }
        return local;
    }

    @Override
    public SocketAddress remoteAddress() {
        ctx.checkInLoop("Transport.remoteAddress");
        return isLost() ? null : remote;
    }
}
