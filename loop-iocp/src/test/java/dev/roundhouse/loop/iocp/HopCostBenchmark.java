package dev.roundhouse.loop.iocp;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Loops;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.internal.LoopEngine;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Measures what the completion design costs against a readiness loop: echo round-trip latency and
 * streaming echo throughput through an echo server on the nio backend and on iocp, in the same JVM
 * run, rounds interleaved so drift hits both alike. The peer is a plain blocking socket on the test
 * thread.
 *
 * <p>Off by default (it takes about half a minute of both cores); run with
 * {@code ./mvnw -B -o -pl loop-iocp test -Dtest=HopCostBenchmark -Droundhouse.bench=true}.
 */
class HopCostBenchmark {
    private static final int MESSAGE_BYTES = 64;
    private static final int WARMUP_ROUND_TRIPS = 20_000;
    private static final int MEASURED_ROUND_TRIPS = 50_000;
    private static final int STREAM_BYTES = 64 << 20;
    private static final int ROUNDS = 3;

    /** Prints p50/p99/mean round-trip and MB/s per backend; asserts nothing (a measurement). */
    @Test
    @Timeout(600)
    void measureHopCost() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("roundhouse.bench"), "set -Droundhouse.bench=true to measure");
        Map<String, Supplier<EventLoop>> backends = new LinkedHashMap<>();
        backends.put("nio", () -> Loops.open(LoopOptions.builder().backend("nio").build()));
        backends.put("iocp", () -> LoopEngine.start(new IocpProvider(), LoopOptions.DEFAULTS));
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (Map.Entry<String, Supplier<EventLoop>> b : backends.entrySet()) {
                try (EventLoop loop = b.getValue().get()) {
                    results.computeIfAbsent(b.getKey(), k -> new ArrayList<>()).add(measure(loop));
                }
            }
        }
        System.out.printf("%nhop cost: %d B echo round trips (%d measured after %d warm-up), %d MiB streamed; "
                        + "median of %d rounds; java %s, %s %s, %d cpus%n", MESSAGE_BYTES, MEASURED_ROUND_TRIPS,
                WARMUP_ROUND_TRIPS, STREAM_BYTES >> 20, ROUNDS, System.getProperty("java.version"),
                System.getProperty("os.name"), System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors());
        System.out.printf("%-8s %10s %10s %10s %10s%n", "backend", "p50 us", "p99 us", "mean us", "MB/s");
        for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
            System.out.printf("%-8s %10.1f %10.1f %10.1f %10.0f%n", e.getKey(), median(e.getValue(), 0),
                    median(e.getValue(), 1), median(e.getValue(), 2), median(e.getValue(), 3));
        }
    }

    /**
     * The hop alone: two threads ping-pong one completion each through two {@link CompletionQueue}s,
     * each parking when idle as the loop does. Half a round trip is one I/O-thread-to-loop hand-off.
     */
    @Test
    @Timeout(120)
    void measureQueueHop() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("roundhouse.bench"), "set -Droundhouse.bench=true to measure");
        int trips = 100_000;
        CompletionQueue mine = new CompletionQueue(Thread.currentThread());
        Completion<Integer> back = new Completion<>(mine, "back", (v, e) -> { });
        CompletableFuture<Completion<Integer>> ping = new CompletableFuture<>();
        Thread echo = new Thread(() -> {
            CompletionQueue q = new CompletionQueue(Thread.currentThread()); // the consumer makes its queue
            int[] seen = {0};
            ping.complete(new Completion<>(q, "ping", (v, e) -> {
                seen[0]++;
                back.completed(v, null);
            }));
            while (seen[0] < trips) {
                q.await(-1);
                for (Completion<?> c = q.takeAll(); c != null; ) {
                    Completion<?> n = c.next;
                    c.next = null;
                    c.dispatch();
                    c = n;
                }
            }
        }, "hop-echo");
        echo.setDaemon(true);
        echo.start();
        Completion<Integer> out = ping.get(5, TimeUnit.SECONDS);
        long[] rtt = new long[trips];
        for (int i = 0; i < trips; i++) {
            long t0 = System.nanoTime();
            out.completed(i, null);
            Completion<?> got;
            while ((got = mine.takeAll()) == null) {
                mine.await(-1);
            }
            got.next = null;
            rtt[i] = System.nanoTime() - t0;
        }
        echo.join(5_000);
        Arrays.sort(rtt);
        System.out.printf("%nqueue hop (post on one thread, dispatch on a parked one), %d round trips, java %s: "
                        + "p50 %.1f us, p99 %.1f us per hop (half a round trip)%n", trips,
                System.getProperty("java.version"), rtt[trips / 2] / 2e3, rtt[(int) (trips * 0.99)] / 2e3);
    }

    private static double[] measure(EventLoop loop) throws Exception {
        Server server = Peers.listen(loop, Peers::echo);
        double[] out = new double[4];
        try (Socket peer = Peers.peer(server)) {
            peer.setTcpNoDelay(true);
            OutputStream os = peer.getOutputStream();
            InputStream is = peer.getInputStream();
            byte[] msg = new byte[MESSAGE_BYTES];
            byte[] back = new byte[MESSAGE_BYTES];
            long[] rtt = new long[MEASURED_ROUND_TRIPS];
            for (int i = 0; i < WARMUP_ROUND_TRIPS + MEASURED_ROUND_TRIPS; i++) {
                long t0 = System.nanoTime();
                os.write(msg);
                int got = 0;
                while (got < MESSAGE_BYTES) {
                    got += is.read(back, got, MESSAGE_BYTES - got);
                }
                if (i >= WARMUP_ROUND_TRIPS) {
                    rtt[i - WARMUP_ROUND_TRIPS] = System.nanoTime() - t0;
                }
            }
            Arrays.sort(rtt);
            out[0] = rtt[rtt.length / 2] / 1e3;
            out[1] = rtt[(int) (rtt.length * 0.99)] / 1e3;
            out[2] = Arrays.stream(rtt).average().orElse(0) / 1e3;
        }
        try (Socket peer = Peers.peer(server)) {
            byte[] chunk = new byte[64 * 1024];
            long t0 = System.nanoTime();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream os = peer.getOutputStream();
                    for (int sent = 0; sent < STREAM_BYTES; sent += chunk.length) {
                        os.write(chunk);
                    }
                    peer.shutdownOutput();
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            long n = peer.getInputStream().transferTo(OutputStream.nullOutputStream());
            writer.get(60, TimeUnit.SECONDS);
            out[3] = n / 1e6 / ((System.nanoTime() - t0) / 1e9);
        }
        server.close().get(Peers.TIMEOUT_MS, TimeUnit.MILLISECONDS);
        return out;
    }

    private static double median(List<double[]> rounds, int column) {
        double[] v = rounds.stream().mapToDouble(r -> r[column]).sorted().toArray();
        return v[v.length / 2];
    }
}
