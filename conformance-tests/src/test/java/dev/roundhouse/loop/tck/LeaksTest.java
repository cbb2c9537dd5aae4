package dev.roundhouse.loop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The leak probe itself: it must see loop threads that Roundhouse did not name. */
@Timeout(30)
class LeaksTest {

    /**
     * A JDK asynchronous channel group's thread counts as a loop thread whatever its name, and
     * stops counting once the group has terminated. The probe is taken inside a completion
     * handler, i.e. on the group's thread while it runs the JDK's event handler.
     */
    @Test
    void shouldSeeAnOpenAsynchronousChannelGroupThread() throws Exception {
        assertEquals(List.of(), Leaks.awaitNoRoundhouseThreads(), "threads left over before the test");
        AsynchronousChannelGroup group = AsynchronousChannelGroup.withFixedThreadPool(1,
                r -> new Thread(r, "not-named-by-roundhouse"));
        try (AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open(group)) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            CompletableFuture<List<String>> seen = new CompletableFuture<>();
            server.accept(null, new CompletionHandler<AsynchronousSocketChannel, Void>() {
                @Override
                public void completed(AsynchronousSocketChannel ch, Void a) {
                    seen.complete(Leaks.roundhouseThreads());
                    try {
                        ch.close();
                    } catch (java.io.IOException ignored) {
                        // the test only needed the accept
                    }
                }

                @Override
                public void failed(Throwable t, Void a) {
                    seen.completeExceptionally(t);
                }
            });
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(),
                    ((InetSocketAddress) server.getLocalAddress()).getPort())) {
                assertTrue(client.isConnected());
                List<String> threads = seen.get(10, TimeUnit.SECONDS);
                assertTrue(threads.contains("not-named-by-roundhouse (JDK async I/O)"), () -> "probe saw: " + threads);
            }
        } finally {
            group.shutdownNow();
            assertTrue(group.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertEquals(List.of(), Leaks.awaitNoRoundhouseThreads(), "the group's thread after termination");
    }
}
