package dev.roundhouse.loop.iocp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The wake channel of a {@link DirectPort}: a loopback TCP connection whose reading end is an
 * asynchronous channel of the loop's group with a read always pending ({@link #arm}), and whose
 * writing end any thread writes one byte to ({@link #write}, coalesced). The JDK waits in its port
 * without a timeout and offers no public way to wake it; a byte arriving here completes the pending
 * read, which ends the wait. Costs: two sockets per loop, and a wake-up is a byte's round trip over
 * loopback (its write, the JDK's read, which also sends a TCP ACK, and the re-armed read).
 *
 * <p><b>Thread:</b> {@link #write}, {@link #bytesWritten} any thread; {@link #arm} and
 * {@link #close} the loop thread. The read's completion runs wherever the JDK completes it (the loop
 * thread, or the JDK's I/O thread) and then calls the port's {@code afterRead}.
 */
final class WakeChannel {
    /** Only ever read (by each writer's own buffer over it). */
    private static final byte[] WAKE_BYTE = {1};

    private final AsynchronousSocketChannel in;
    private final SocketChannel out;
    private final Runnable afterRead;
    private final ByteBuffer buffer = ByteBuffer.allocate(64);
    private final Handler handler = new Handler();
    /** A read is pending on {@link #in}; written by whoever completes it (see the port's capture). */
    private volatile boolean armed;
    private volatile Throwable failure;
    /** Closing: a failed read is the close's, not a failure. */
    private volatile boolean closing;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final LongAdder bytes = new LongAdder();

    private WakeChannel(AsynchronousSocketChannel in, SocketChannel out, Runnable afterRead) {
        this.in = in;
        this.out = out;
        this.afterRead = afterRead;
    }

    /**
     * Connects the two ends over loopback, the reading one in {@code group}; no read is armed yet.
     * {@code afterRead} runs after each read completed or failed, on the thread that completed it.
     * Loop thread.
     *
     * @throws IOException if loopback cannot be bound or the connection does not complete within
     *     {@code waitMs}; the writing end is closed then, the reading end is the group's to close
     */
    static WakeChannel open(AsynchronousChannelGroup group, Runnable afterRead, long waitMs) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        AsynchronousSocketChannel in;
        SocketChannel out;
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(loopback, 0), 1);
            in = AsynchronousSocketChannel.open(group);
            try {
                in.connect(listener.getLocalAddress()).get(waitMs, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IOException("could not connect the iocp loop's wake channel over " + loopback, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while opening the iocp loop's wake channel", e);
            }
            out = listener.accept();
        }
        try {
            out.configureBlocking(false); // non-blocking writes ignore the writer's interrupt status
            out.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException | RuntimeException e) {
            try {
                out.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return new WakeChannel(in, out, afterRead);
    }

    /**
     * Writes the wake byte unless one is on its way (not yet read: it wakes this waiter too). Any
     * thread. Does nothing once the channel is closed.
     *
     * @throws UncheckedIOException if the byte cannot be written (the socket's buffer is full, or
     *     the connection failed)
     */
    void write() {
        if (pending.get() || !pending.compareAndSet(false, true)) {
            return;
        }
        try {
            if (out.write(ByteBuffer.wrap(WAKE_BYTE)) != 1) { // a buffer per writer: they may overlap
                throw new IOException("the iocp loop's wake channel is full");
            }
            bytes.increment();
        } catch (ClosedChannelException e) {
            // the loop is closing: nothing is waited for any more
        } catch (IOException e) {
            pending.set(false);
            throw new UncheckedIOException("could not wake the iocp loop", e);
        }
    }

    /**
     * Re-arms the read until one is pending (a read that finds a byte completes at once, and its
     * completion may run inside this call). Loop thread.
     *
     * @throws IOException if a read failed or the peer closed (the loop can no longer be woken here)
     */
    void arm() throws IOException {
        while (!armed) {
            Throwable f = failure;
            if (f != null) {
                throw new IOException("the iocp loop's wake channel failed", f);
            }
            armed = true;
            buffer.clear();
            in.read(buffer, null, handler);
        }
    }

    /** Wake bytes written so far. Any thread. */
    long bytesWritten() {
        return bytes.sum();
    }

    /**
     * Closes the writing end; the pending read then fails without counting as a failure (the group's
     * shutdown closes the reading end). Loop thread.
     */
    void close() throws IOException {
        closing = true;
        out.close();
    }

    /** The read's handler: on the loop thread (inline or in the port) or on the JDK's I/O thread. */
    private final class Handler implements CompletionHandler<Integer, Void> {
        @Override
        public void completed(Integer n, Void attachment) {
            armed = false;
            pending.set(false); // before the poll returns: a later wake-up writes a new byte
            if (n < 0) {
                failure = new IOException("the wake channel's peer closed");
            }
            afterRead.run();
        }

        @Override
        public void failed(Throwable exc, Void attachment) {
            armed = false;
            if (!closing) {
                failure = exc;
            }
            afterRead.run();
        }
    }
}
