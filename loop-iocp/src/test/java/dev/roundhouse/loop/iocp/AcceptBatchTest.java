package dev.roundhouse.loop.iocp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.Transport;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Connections already waiting in the listener's queue are accepted in the same pass, up to
 * {@link IocpServer#MAX_ACCEPTS_PER_PASS} (Linux and macOS, where the JDK finishes an accept inside the
 * call that starts it; on Windows every accept completes through the port). With the direct port,
 * the accepts finished inside that call are not counted as waiting in the port.
 */
class AcceptBatchTest {

    /**
     * While the loop is held in a task, more connections arrive than one pass may take. When it is
     * released, the first connection's {@code connectionMade} queues a marker task, which runs at the
     * end of the pass: the connections made before it were accepted in that pass. Taking one per pass
     * puts the marker second; taking all without a limit puts it last. In both designs: the first
     * accept completes in the port on the loop thread (direct) or on the JDK's I/O thread (hand-off).
     */
    @ParameterizedTest
    @ValueSource(strings = {"direct", "handoff"})
    @Timeout(60)
    void shouldAcceptTheWaitingConnectionsInOnePassUpToTheLimit(String design) throws Exception {
        Assumptions.assumeFalse(IocpProvider.isWindows(), "Windows completes every accept through the port");
        int connections = IocpServer.MAX_ACCEPTS_PER_PASS + 6;
        Peers.Opened o;
        System.setProperty(DirectPort.COMPLETIONS_PROPERTY, design);
        try {
            o = Peers.openIocpWithPoller();
        } finally {
            System.clearProperty(DirectPort.COMPLETIONS_PROPERTY);
        }
        try (EventLoop loop = o.loop()) {
            assertEquals(design.equals("direct"), o.poller().direct(), "the design under test");
            List<String> log = new ArrayList<>(); // loop thread only
            CountDownLatch made = new CountDownLatch(connections);
            Server listener = Peers.listen(loop, () -> new Protocol() {
                @Override
                public void connectionMade(Transport transport) {
                    if (log.isEmpty()) {
                        loop.execute(() -> log.add("end of pass"));
                    }
                    log.add("made");
                    made.countDown();
                }

                @Override
                public void dataReceived(ByteBuffer data) {
                }

                @Override
                public void connectionLost(Throwable cause) {
                }
            });
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            loop.execute(() -> {
                held.countDown();
                try {
                    release.await(); // the test's own hold; the connections queue up meanwhile
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            List<Socket> peers = new ArrayList<>();
            try {
                assertTrue(held.await(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS), "the loop never ran the holding task");
                for (int i = 0; i < connections; i++) {
                    peers.add(Peers.peer(listener)); // the kernel completes the handshake: queued, not accepted
                }
                release.countDown();
                assertTrue(made.await(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS),
                        "connections made: " + (connections - made.getCount()) + " of " + connections);
                List<String> seen = loop.submit(() -> List.copyOf(log)).get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                int inFirstPass = seen.indexOf("end of pass");
                assertEquals(connections + 1, seen.size(), seen.toString());
                assertTrue(inFirstPass >= 2, "connections accepted in the pass that took the first: " + inFirstPass
                        + " (1 when each accept waits for the next pass)");
                assertTrue(inFirstPass <= IocpServer.MAX_ACCEPTS_PER_PASS, "connections accepted in one pass: "
                        + inFirstPass + ", more than the limit of " + IocpServer.MAX_ACCEPTS_PER_PASS);
                if (o.poller().direct()) { // the direct port counts what waits in it: the next accept, each read
                    int outstanding = loop.submit(() -> o.poller().completions().outstanding())
                            .get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    assertEquals(1 + connections, outstanding, "operations waiting in the port (accepts finished "
                            + "inside the call that started them are not)");
                }
            } finally {
                release.countDown();
                for (Socket s : peers) {
                    s.close();
                }
            }
        }
    }
}
