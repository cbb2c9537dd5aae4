package dev.roundhouse.loop.epoll;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Loops;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Helpers for the epoll tests: loops, waiting, and what the kernel says (/proc/self/fd, fdinfo). */
final class EpollTesting {
    static final long TIMEOUT_MS = 10_000;

    static {
        warmUpJdk();
    }

    private EpollTesting() {
    }

    /**
     * Opens and closes one pipe and one TCP pair, so that descriptors the JDK keeps for its whole
     * life once a channel has been closed (JDK 25 opens its pre-close marker socket lazily) exist
     * before any test takes a descriptor baseline.
     */
    private static void warmUpJdk() {
        try (java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open()) {
            Pipe p = Pipe.open();
            p.source().close();
            p.sink().close();
            server.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            try (java.nio.channels.SocketChannel client = java.nio.channels.SocketChannel.open(server.getLocalAddress());
                 java.nio.channels.SocketChannel accepted = server.accept()) {
                client.configureBlocking(false);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot warm up the JDK's channels", e);
        }
    }

    static EventLoop openLoop() {
        return Loops.open(LoopOptions.builder().backend("epoll").build());
    }

    static <T> T call(EventLoop loop, Callable<T> task) throws Exception {
        return loop.submit(task).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    static void run(EventLoop loop, ThrowingRunnable task) throws Exception {
        call(loop, () -> {
            task.run();
            return null;
        });
    }

    /** Lets the loop run a few iterations and then wait {@code windowMs} on a timer. */
    static void quiet(EventLoop loop, long windowMs) throws Exception {
        for (int i = 0; i < 3; i++) {
            run(loop, () -> { });
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> loop.callLater(() -> done.complete(null), windowMs, TimeUnit.MILLISECONDS));
        done.get(TIMEOUT_MS + windowMs, TimeUnit.MILLISECONDS);
    }

    /** Polls {@code condition} (bounded) until it holds. */
    static void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!condition.call()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(2);
        }
    }

    static Pipe pipe() throws IOException {
        Pipe p = Pipe.open();
        p.source().configureBlocking(false);
        return p;
    }

    static void write(Pipe p, int bytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(bytes);
        while (b.hasRemaining()) {
            p.sink().write(b);
        }
    }

    /**
     * The event mask the kernel holds for {@code fd} in this process's epoll instances (from
     * {@code /proc/self/fdinfo}), or empty if no epoll set holds it.
     */
    static OptionalLong kernelMask(int fd) throws IOException {
        for (Path link : list(Path.of("/proc/self/fd"))) {
            String target;
            try {
                target = Files.readSymbolicLink(link).toString();
            } catch (IOException gone) {
                continue;
            }
            if (!target.equals("anon_inode:[eventpoll]")) {
                continue;
            }
            List<String> info;
            try {
                info = Files.readAllLines(Path.of("/proc/self/fdinfo").resolve(link.getFileName()));
            } catch (IOException gone) {
                continue;
            }
            for (String line : info) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[0].equals("tfd:") && f[1].equals(Integer.toString(fd)) && f[2].equals("events:")) {
                    return OptionalLong.of(Long.parseLong(f[3], 16));
                }
            }
        }
        return OptionalLong.empty();
    }

    /** Open sockets, pipes and anonymous inodes (epoll, eventfd, timerfd) of this process. */
    static List<String> ioDescriptors() throws IOException {
        List<String> out = new ArrayList<>();
        for (Path link : list(Path.of("/proc/self/fd"))) {
            try {
                String t = Files.readSymbolicLink(link).toString();
                if (t.startsWith("socket:") || t.startsWith("pipe:") || t.startsWith("anon_inode:")) {
                    out.add(link.getFileName() + "->" + t);
                }
            } catch (IOException gone) {
                // the directory stream's own descriptor, or closed meanwhile
            }
        }
        return out;
    }

    /** Waits (bounded) until at most {@code baseline} I/O descriptors are open; returns what is left. */
    static List<String> awaitDescriptorsAtMost(int baseline) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        for (;;) {
            List<String> now = ioDescriptors();
            if (now.size() <= baseline || System.nanoTime() > deadline) {
                return now.size() <= baseline ? List.of() : now;
            }
            Thread.sleep(10);
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
