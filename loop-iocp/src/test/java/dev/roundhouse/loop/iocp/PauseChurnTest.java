package dev.roundhouse.loop.iocp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.Transport;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many connections echoing while reading is paused and resumed at random: every byte arrives, in order. */
class PauseChurnTest {

    /** An echo server that pauses reading at random after a chunk and resumes from a timer 0–2 ms later. */
    private static Protocol pausingEcho(long seed) {
        return new Protocol() {
            private final SplittableRandom random = new SplittableRandom(seed);
            private Transport t;

            @Override
            public void connectionMade(Transport transport) {
                t = transport;
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                t.write(data);
                if (random.nextInt(3) == 0) {
                    t.pauseReading();
                    long delayMicros = random.nextInt(2_000);
                    t.loop().callLater(() -> {
                        if (!t.isClosing()) {
                            t.resumeReading();
                        }
                    }, delayMicros, TimeUnit.MICROSECONDS);
                }
            }

            @Override
            public boolean eofReceived() {
                return false;
            }

            @Override
            public void connectionLost(Throwable cause) {
            }
        };
    }

    /** 32 connections, 512 KiB each, random pauses: all echoed byte for byte. */
    @Test
    @Timeout(120)
    void shouldEchoEveryByteWhileReadingIsPausedAndResumedAtRandom() throws Exception {
        int connections = 32;
        long[] seeds = {1};
        try (EventLoop loop = Peers.openIocp()) {
            Server server = Peers.listen(loop, () -> pausingEcho(seeds[0]++));
            List<Socket> peers = new ArrayList<>();
            List<byte[]> sent = new ArrayList<>();
            List<CompletableFuture<byte[]>> received = new ArrayList<>();
            java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newCachedThreadPool();
            try {
                for (int i = 0; i < connections; i++) {
                    Socket peer = Peers.peer(server);
                    peers.add(peer);
                    byte[] payload = Peers.payload(512 * 1024 + i);
                    sent.add(payload);
                    Peers.writeAndShutdown(peer, payload);
                    received.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return Peers.readToEnd(peer.getInputStream());
                        } catch (java.io.IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }, readers));
                }
                for (int i = 0; i < connections; i++) {
                    assertArrayEquals(sent.get(i), received.get(i).get(60, TimeUnit.SECONDS), "connection " + i);
                }
            } finally {
                for (Socket p : peers) {
                    p.close();
                }
                readers.shutdownNow();
            }
        }
    }
}
