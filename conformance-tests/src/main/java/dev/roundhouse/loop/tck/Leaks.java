package dev.roundhouse.loop.tck;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.Pipe;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Leak probes used at the end of every loop test: live loop threads, open descriptors (from
 * {@code /proc/self/fd}, where it exists) and direct buffers.
 *
 * <p>A loop thread is one named {@code roundhouse-*} or one running the event handler of a JDK
 * {@code AsynchronousChannelGroup} (a {@code sun.nio.ch.*$EventHandlerTask} frame on its stack):
 * a completion backend's group threads may be created and named by the JDK itself (the iocp
 * backend's I/O thread is {@code Thread-N} or {@code InnocuousThread-N}), and a group left open
 * must show up as a leak all the same.
 *
 * <p>Descriptors are compared by kind: only sockets, pipes and anonymous inodes (epoll, eventfd,
 * io_uring) are counted, because class loading opens jar files lazily and those are not leaks.
 *
 * <p><b>Thread:</b> any thread; the probes read process-wide state.
 */
public final class Leaks {
    /** The prefix of every thread Roundhouse starts (loops and the shared watchdog). */
    public static final String THREAD_PREFIX = "roundhouse-";
    /** How long released resources may take to disappear (the watchdog exits within a tick). */
    public static final long SETTLE_MS = 3_000;
    private static final Path FD_DIR = Path.of("/proc/self/fd");

    static {
        warmUpJdk();
    }

    private Leaks() {
    }

    /** Whether descriptors can be counted here ({@code /proc/self/fd} exists). */
    public static boolean canCountDescriptors() {
        return Files.isDirectory(FD_DIR);
    }

    /**
     * The open sockets, pipes and anonymous inodes of this process, as their link targets
     * (e.g. {@code socket:[123]}); empty where {@code /proc} does not exist.
     */
    public static List<String> ioDescriptors() {
        if (!canCountDescriptors()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        try (Stream<Path> fds = Files.list(FD_DIR)) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:") || target.startsWith("pipe:")
                            || target.startsWith("anon_inode:")) {
                        out.add(fd.getFileName() + "->" + target);
                    }
                } catch (IOException vanished) {
                    // closed while listing (including the directory stream's own descriptor)
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + FD_DIR, e);
        }
        return out;
    }

    /**
     * Waits (bounded by {@link #SETTLE_MS}) until at most {@code baseline} I/O descriptors are
     * open; returns the descriptors still open when it gives up, or an empty list on success.
     */
    public static List<String> awaitDescriptorsAtMost(int baseline) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MS);
        for (long pauseMs = 1; ; pauseMs = Math.min(pauseMs * 2, 50)) {
            List<String> now = ioDescriptors();
            if (now.size() <= baseline) {
                return List.of();
            }
            if (System.nanoTime() - deadline > 0) {
                return now;
            }
            // bounded poll of process state, not synchronisation with the code under test
            TimeUnit.MILLISECONDS.sleep(pauseMs);
        }
    }

    /**
     * The live loop threads (see the class comment): names, with {@code " (JDK async I/O)"}
     * appended for a JDK group thread not named by Roundhouse.
     */
    public static List<String> roundhouseThreads() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().isAlive() && isLoopThread(e.getKey(), e.getValue()))
                .map(e -> e.getKey().getName().startsWith(THREAD_PREFIX) ? e.getKey().getName()
                        : e.getKey().getName() + " (JDK async I/O)")
                .sorted().collect(Collectors.toList());
    }

    /** Waits (bounded) until no loop thread is alive; returns the ones left, or an empty list. */
    public static List<String> awaitNoRoundhouseThreads() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MS);
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (isLoopThread(e.getKey(), e.getValue()) && leftMs > 0) {
                e.getKey().join(leftMs); // exits are events: wait for them, bounded, instead of polling
            }
        }
        return roundhouseThreads();
    }

    static boolean isLoopThread(Thread t, StackTraceElement[] stack) {
        if (t.getName().startsWith(THREAD_PREFIX)) {
            return true;
        }
        for (StackTraceElement frame : stack) {
            String c = frame.getClassName();
            if (c.startsWith("sun.nio.ch.") && c.endsWith("$EventHandlerTask")) {
                return true; // EPollPort, KQueuePort (Linux, macOS) or Iocp (Windows)
            }
        }
        return false;
    }

    /** The number of direct buffers the JVM holds ({@link BufferPoolMXBean} "direct"). */
    public static long directBufferCount() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getCount)
                .findFirst().orElse(0);
    }

    /**
     * Asks for garbage collection until the direct buffer count is at most {@code limit} (bounded
     * by {@link #SETTLE_MS}); returns the last count seen.
     */
    public static long awaitDirectBuffersAtMost(long limit) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MS);
        for (;;) {
            long count = directBufferCount();
            if (count <= limit || System.nanoTime() - deadline > 0) {
                return count;
            }
            System.gc(); // direct buffers are freed by their cleaner after collection
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /**
     * Opens and closes one of each JDK channel kind once, so that descriptors the JDK keeps for
     * its whole life (e.g. the pre-close marker socket) exist before any baseline is taken.
     */
    private static void warmUpJdk() {
        try (Selector selector = Selector.open();
             ServerSocketChannel server = ServerSocketChannel.open()) {
            Pipe pipe = Pipe.open();
            pipe.source().close();
            pipe.sink().close();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress());
                 SocketChannel accepted = server.accept();
                 Socket plain = new Socket()) {
                client.configureBlocking(false);
                client.register(selector, 0).cancel();
                selector.selectNow();
                accepted.shutdownOutput();
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot warm up the JDK's channels", e);
        }
    }
}
