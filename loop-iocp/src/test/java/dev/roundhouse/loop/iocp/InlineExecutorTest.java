package dev.roundhouse.loop.iocp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The group's executor on its own and in a real group: where handlers run, shutdown and termination. */
class InlineExecutorTest {

    /** A task runs at once on the thread that hands it over. */
    @Test
    @Timeout(10)
    void shouldRunTasksOnTheCallingThread() {
        InlineExecutor e = new InlineExecutor(Thread.currentThread());
        Thread[] ran = new Thread[1];
        e.execute(() -> ran[0] = Thread.currentThread());
        assertSame(Thread.currentThread(), ran[0]);
        assertEquals(List.of(), e.foreignThreads(), "the owner is not a foreign thread");
    }

    /** After shutdown a task is discarded without an exception, and the executor is terminated. */
    @Test
    @Timeout(10)
    void shouldDiscardTasksAfterShutdownWithoutThrowing() throws Exception {
        InlineExecutor e = new InlineExecutor(Thread.currentThread());
        assertFalse(e.awaitTermination(1, TimeUnit.MILLISECONDS), "not terminated before shutdown");
        e.shutdown();
        AtomicInteger runs = new AtomicInteger();
        e.execute(runs::incrementAndGet);
        assertEquals(0, runs.get());
        assertTrue(e.isShutdown());
        assertTrue(e.isTerminated());
        assertTrue(e.awaitTermination(0, TimeUnit.MILLISECONDS));
        assertEquals(List.of(), e.shutdownNow());
    }

    /**
     * In a real group, a deferred accept completes on the JDK's I/O thread and an immediate write on
     * the thread that starts it. After shutdownNow, termination waits for a handler still running on
     * the I/O thread, then for that thread to exit and close the port's epoll descriptor.
     */
    @Test
    @Timeout(30)
    void shouldWaitForTheJdkIoThreadOnTermination() throws Exception {
        long epollBefore = epollDescriptors();
        InlineExecutor executor = new InlineExecutor(Thread.currentThread());
        AsynchronousChannelGroup group = AsynchronousChannelGroup.withThreadPool(executor);
        CountDownLatch release = new CountDownLatch(1);
        Thread io;
        try (AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open(group)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             Socket peer = new Socket()) {
            CompletableFuture<AsynchronousSocketChannel> accepted = new CompletableFuture<>();
            CompletableFuture<Thread> acceptThread = new CompletableFuture<>();
            server.accept(null, handler(accepted, acceptThread)); // no peer yet: it waits
            peer.connect(server.getLocalAddress(), Peers.TIMEOUT_MS);
            AsynchronousSocketChannel ch = accepted.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            io = acceptThread.get();
            assertNotSame(Thread.currentThread(), io, "a deferred completion runs on the JDK's I/O thread");
            assertEquals(List.of(io), executor.foreignThreads());

            CompletableFuture<Integer> written = new CompletableFuture<>();
            CompletableFuture<Thread> writeThread = new CompletableFuture<>();
            ch.write(ByteBuffer.wrap(new byte[64]), null, handler(written, writeThread));
            if (!IocpProvider.isWindows()) { // there the port completes every write
                assertTrue(written.isDone(), "the write completed inside the call");
                assertSame(Thread.currentThread(), writeThread.get(), "on the thread that started it");
            }
            assertEquals(64, written.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));

            CompletableFuture<Thread> reading = new CompletableFuture<>(); // a handler that holds the I/O thread
            ch.read(ByteBuffer.allocate(1), null, new CompletionHandler<Integer, Void>() {
                @Override
                public void completed(Integer n, Void a) {
                    reading.complete(Thread.currentThread());
                    awaitQuietly(release);
                }

                @Override
                public void failed(Throwable t, Void a) {
                    reading.completeExceptionally(t);
                }
            });
            peer.getOutputStream().write(1);
            assertSame(io, reading.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
        }
        group.shutdownNow();
        assertFalse(group.awaitTermination(50, TimeUnit.MILLISECONDS), "terminated while a handler still runs");
        assertFalse(group.isTerminated());
        release.countDown();
        assertTrue(group.awaitTermination(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
        assertTrue(group.isTerminated());
        assertFalse(io.isAlive(), "awaitTermination returned before the I/O thread exited");
        // at most: an unobserved group (the availability probe's) may close its own meanwhile
        assertTrue(epollDescriptors() <= epollBefore, "the group's epoll descriptor is closed");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static <V> CompletionHandler<V, Void> handler(CompletableFuture<V> result, CompletableFuture<Thread> on) {
        return new CompletionHandler<>() {
            @Override
            public void completed(V v, Void a) {
                on.complete(Thread.currentThread());
                result.complete(v);
            }

            @Override
            public void failed(Throwable t, Void a) {
                on.complete(Thread.currentThread());
                result.completeExceptionally(t);
            }
        };
    }

    /** Open epoll instances of this process (0 where {@code /proc} does not exist, e.g. macOS, Windows). */
    private static long epollDescriptors() throws IOException {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(fds)) {
            return s.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals("anon_inode:[eventpoll]");
                } catch (IOException vanished) {
                    return false;
                }
            }).count();
        }
    }
}
