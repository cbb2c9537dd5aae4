package dev.roundhouse.loop.iocp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.Transport;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Operations that can finish at once finish on the loop thread, inside the call that starts them,
 * with no hop through another thread (Linux and macOS; on Windows the port completes everything),
 * and reads are re-posted at the end of the pass, when an answer may have arrived.
 */
class InlineCompletionTest {
    private static final int WRITES = 50;
    private static final int MESSAGE_BYTES = 64;

    /**
     * Each write to a socket that can take it completes on the loop thread: its completion is posted
     * by the loop thread itself, not by the JDK's I/O thread after a readiness event.
     */
    @Test
    @Timeout(30)
    void shouldCompleteWritesToAWritableSocketOnTheLoopThread() throws Exception {
        Assumptions.assumeFalse(IocpProvider.isWindows(), "Windows completes every operation through the port");
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            Recorder server = new Recorder();
            Server listener = Peers.listen(loop, () -> server);
            try (Socket peer = Peers.peer(listener)) {
                Transport t = server.made.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                long before = loop.submit(() -> o.poller().loopThreadPosts()).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                byte[] msg = Peers.payload(MESSAGE_BYTES);
                for (int i = 0; i < WRITES; i++) {
                    // one task per write: the previous write's completion is dispatched in between,
                    // so each write is its own channel write (the peer never sends: no read completes)
                    loop.submit(() -> {
                        t.write(ByteBuffer.wrap(msg));
                        return null;
                    }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                }
                byte[] got = peer.getInputStream().readNBytes(WRITES * MESSAGE_BYTES);
                for (int i = 0; i < WRITES; i++) {
                    assertArrayEquals(msg, Arrays.copyOfRange(got, i * MESSAGE_BYTES, (i + 1) * MESSAGE_BYTES));
                }
                long posted = loop.submit(() -> o.poller().loopThreadPosts()).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS)
                        - before;
                assertTrue(posted >= WRITES, "completions posted by the loop thread itself during " + WRITES
                        + " writes to a writable socket: " + posted + " (0 when a group thread performs each write)");
                assertEquals(0L, loop.submit(t::writeBufferSize).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
            }
        }
    }

    /**
     * The reads a pass defers run after every completion of that pass: a completion taken after a
     * read's in the same pass is dispatched before the read's deferred re-post.
     */
    @Test
    @Timeout(30)
    void shouldRunWhatAPassDefersAfterEveryCompletionOfThatPass() throws Exception {
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            List<String> log = new ArrayList<>(); // loop thread only
            loop.submit(() -> {
                CompletionQueue q = o.poller().completions();
                Completion<Integer> first = new Completion<>(q, "first", (v, e) -> {
                    log.add("first");
                    q.afterPass(() -> log.add("deferred by first"));
                });
                Completion<Integer> second = new Completion<>(q, "second", (v, e) -> log.add("second"));
                first.completed(1, null);
                second.completed(2, null); // both taken in the loop's next pass
                return null;
            }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            // submitted after the task above returned: runs after the pass that took both
            List<String> seen = loop.submit(() -> List.copyOf(log)).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertEquals(List.of("first", "second", "deferred by first"), seen);
        }
    }

    /**
     * After delivering data the transport posts its next read only when the pass is over, so an
     * answer that arrives while the rest of the pass is dispatched is read inside the read call, on
     * the loop thread (one completion posted by the loop thread), not by the JDK's I/O thread after
     * a re-arm (none). Each round: the peer's question is read inline when reading resumes, a
     * completion of the test's is queued behind it, and its handler sends the answer; the connection
     * then pauses until the next round. A round counts only if the question was read inline (the
     * loop thread sent it just before, so it is normally there); a loopback send is normally in the
     * receiver's queue when it returns, but the kernel may defer that, so a majority of the counted
     * rounds must read the answer on the loop thread (every one does here; none when the read is
     * posted at once).
     */
    @Test
    @Timeout(30)
    void shouldReadAnAnswerArrivingLaterInThePassOnTheLoopThread() throws Exception {
        Assumptions.assumeFalse(IocpProvider.isWindows(), "Windows completes every operation through the port");
        int rounds = 8;
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            long[] answerPosts = new long[1]; // loop thread only: loop-thread posts since the answer was sent
            long[] sentAt = new long[1];
            Recorder server = new Recorder() {
                @Override
                public synchronized void connectionMade(Transport t) {
                    super.connectionMade(t);
                    t.pauseReading(); // no read in flight until a round resumes
                }

                @Override
                public synchronized void dataReceived(ByteBuffer data) {
                    boolean answer = data.get(data.limit() - 1) == 'A';
                    super.dataReceived(data);
                    if (answer) {
                        answerPosts[0] = o.poller().loopThreadPosts() - sentAt[0];
                        transport().pauseReading();
                    }
                }
            };
            Server listener = Peers.listen(loop, () -> server);
            try (Socket peer = Peers.peer(listener)) {
                Transport t = server.made.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                OutputStream out = peer.getOutputStream();
                int counted = 0;
                int onLoopThread = 0;
                for (int i = 0; i < rounds; i++) {
                    boolean questionInline = loop.submit(() -> {
                        CompletionQueue q = o.poller().completions();
                        out.write('Q');
                        long before = o.poller().loopThreadPosts();
                        t.resumeReading();
                        boolean inline = o.poller().loopThreadPosts() > before;
                        new Completion<Integer>(q, "answerer", (v, e) -> {
                            sentAt[0] = o.poller().loopThreadPosts();
                            try {
                                out.write('A');
                            } catch (IOException x) {
                                throw new UncheckedIOException(x);
                            }
                        }).completed(0, null); // queued behind the question's read completion
                        return inline;
                    }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    server.awaitReceived(2 * (i + 1));
                    long posts = loop.submit(() -> answerPosts[0]).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    if (questionInline) {
                        counted++;
                        onLoopThread += posts == 1 ? 1 : 0;
                    }
                }
                assertEquals("QA".repeat(rounds), new String(server.received(), StandardCharsets.US_ASCII));
                assertTrue(counted >= rounds / 2, "rounds whose question was read inline: " + counted + " of " + rounds);
                assertTrue(2 * onLoopThread > counted, "answers read on the loop thread, inside the deferred read: "
                        + onLoopThread + " of " + counted + " counted rounds (0 when the next read is posted at once)");
            }
        }
    }
}
