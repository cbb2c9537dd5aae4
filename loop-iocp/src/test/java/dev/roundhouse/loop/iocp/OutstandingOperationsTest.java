package dev.roundhouse.loop.iocp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.Transport;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The count of operations waiting in the port ({@link CompletionQueue#outstanding}), by which a
 * {@link DirectPort} knows that nothing can come out of it (no look, a park instead of a wait in
 * the port): every kind of operation is counted while it waits and no longer once it has ended.
 */
@Timeout(60)
class OutstandingOperationsTest {
    @BeforeEach
    void linuxOnly() {
        Peers.assumeDirectPort();
    }

    /**
     * The count of operations waiting in the port follows every kind: a server's accept, a
     * connection's read, a write the peer holds back, a connect, and drops back to 0 as they end;
     * the accepts among them are counted apart ({@link CompletionQueue#outstandingBesidesAccepts}).
     */
    @Test
    void shouldCountTheOperationsWaitingInThePort() throws Exception {
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            Callable<Integer> outstanding = () -> loop.submit(() -> o.poller().completions().outstanding())
                    .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Callable<Integer> besidesAccepts = () -> loop.submit(() -> o.poller().completions().outstandingBesidesAccepts())
                    .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertEquals(0, outstanding.call(), "a new loop");
            CountDownLatch made = new CountDownLatch(1);
            CountDownLatch lost = new CountDownLatch(1);
            byte[] big = Peers.payload(32 << 20); // far more than loopback's socket buffers hold
            Server server = Peers.listen(loop, () -> new Protocol() {
                @Override
                public void connectionMade(Transport t) {
                    t.write(ByteBuffer.wrap(big)); // its last writes wait until the peer reads
                    made.countDown();
                }

                @Override
                public void dataReceived(ByteBuffer data) {
                }

                @Override
                public void connectionLost(Throwable cause) {
                    lost.countDown();
                }
            });
            assertEquals(1, outstanding.call(), "the server's accept");
            assertEquals(0, besidesAccepts.call(), "only the server's accept");
            try (Socket peer = Peers.peer(server)) {
                assertTrue(made.await(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
                awaitOutstanding(outstanding, 3, "the next accept, the connection's read and its write");
                assertEquals(2, besidesAccepts.call(), "the connection's read and its write");
                byte[] got = peer.getInputStream().readNBytes(big.length);
                assertArrayEquals(big, got, "the bytes the held-back write sent");
                awaitOutstanding(outstanding, 2, "the write delivered once the peer read it all");
                try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    Transport client = loop.connect(plain.getLocalSocketAddress(), Peers.echo())
                            .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    assertEquals(3, outstanding.call(), "the connected client's read too");
                    assertEquals(2, besidesAccepts.call(), "the two connections' reads");
                    loop.submit(() -> {
                        client.abort();
                        return null;
                    }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    assertEquals(2, outstanding.call(), "the aborted client's read ended");
                }
            }
            assertTrue(lost.await(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS));
            assertEquals(1, outstanding.call(), "the peer closed: the connection's read ended");
            assertEquals(0, besidesAccepts.call(), "only the server's accept again");
            server.close().get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertEquals(0, outstanding.call(), "the server closed: its accept ended");
        }
    }

    /**
     * A connect that gets no answer (a full loopback backlog drops the SYN) waits in the port and
     * is counted until it ends (refused once the listener closes).
     */
    @Test
    void shouldCountAConnectWaitingInThePort() throws Exception {
        Peers.Opened o = Peers.openIocpWithPoller();
        List<Socket> fillers = new ArrayList<>();
        try (EventLoop loop = o.loop(); ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Callable<Integer> outstanding = () -> loop.submit(() -> o.poller().completions().outstanding())
                    .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            boolean backlogFull = false;
            for (int i = 0; i < 16 && !backlogFull; i++) { // as the TCK's connect timeout test does
                Socket filler = new Socket();
                fillers.add(filler);
                try {
                    filler.connect(full.getLocalSocketAddress(), 200);
                } catch (SocketTimeoutException noAnswer) {
                    backlogFull = true;
                }
            }
            Assumptions.assumeTrue(backlogFull, "a connect to a full loopback backlog still completes here");
            CompletableFuture<Transport> connect = loop.connect(full.getLocalSocketAddress(), Peers.echo());
            awaitOutstanding(outstanding, 1, "the connect waiting for an answer");
            full.close(); // the SYN's next retry is refused
            Throwable failure = assertThrows(ExecutionException.class,
                    () -> connect.get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS)).getCause();
            assertTrue(failure instanceof ConnectException, "refused: " + failure);
            assertEquals(0, outstanding.call(), "the refused connect ended");
        } finally {
            Peers.closeAll(fillers);
        }
    }

    /**
     * An outcome delivered on another thread (not expected with the direct port) still ends its
     * operation: when the loop dispatches it.
     */
    @Test
    void shouldEndAnOperationDeliveredOnAnotherThreadWhenItIsDispatched() throws Exception {
        Peers.Opened o = Peers.openIocpWithPoller();
        try (EventLoop loop = o.loop()) {
            CountDownLatch dispatched = new CountDownLatch(1);
            Completion<Integer> c = loop.submit(() -> {
                Completion<Integer> started = new Completion<>(o.poller().completions(), "foreign",
                        (v, e) -> dispatched.countDown());
                started.starting();
                return started;
            }).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Callable<Integer> outstanding = () -> loop.submit(() -> o.poller().completions().outstanding())
                    .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertEquals(1, outstanding.call(), "the started operation");
            c.completed(7, null); // this test's thread: a post that wakes the port
            assertTrue(dispatched.await(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS), "dispatched");
            assertEquals(0, outstanding.call(), "ended once dispatched");
        }
    }

    /** Waits (bounded) until the loop counts {@code expected} operations waiting in the port. */
    private static void awaitOutstanding(Callable<Integer> outstanding, int expected, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Peers.TIMEOUT_MS);
        int n;
        while ((n = outstanding.call()) != expected) {
            assertTrue(System.nanoTime() - deadline < 0, what + ": expected " + expected + ", counted " + n);
        }
    }
}
