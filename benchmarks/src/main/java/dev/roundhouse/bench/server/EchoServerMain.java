package dev.roundhouse.bench.server;

import dev.roundhouse.loop.BackendInfo;
import dev.roundhouse.loop.Loops;
import dev.roundhouse.loop.unix.KernelRelease;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * Runs one echo server in this process until it is killed (SIGTERM stops it cleanly).
 *
 * <pre>
 *   EchoServerMain --list                      the implementations that can run here, one a line
 *                                              (unavailable ones on stderr, with the reason)
 *   EchoServerMain --impl NAME --port N        serve 127.0.0.1:N
 *       [--c-binary PATH]                      for --impl c or c-io_uring: the compiled echo_server or
 *                                              uring_echo_server to run
 * </pre>
 *
 * Names: {@code roundhouse-BACKEND} for every backend {@link Loops#backends()} lists as available,
 * {@code netty-nio}, {@code netty-epoll}, {@code netty-io_uring}, {@code c} (the C epoll baseline,
 * run as a child process) and {@code c-io_uring} (the C io_uring baseline, where Netty's io_uring
 * transport runs and the kernel is 6.0 or later). Readiness is for the caller to establish by
 * connecting; the line printed on start is informational.
 */
public final class EchoServerMain {
    private EchoServerMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        if (opts.containsKey("--list")) {
            list();
            return;
        }
        String impl = require(opts, "--impl");
        int port = Integer.parseInt(require(opts, "--port"));
        Supplier<EchoServer> factory = implementations(opts.get("--c-binary")).get(impl);
        if (factory == null) {
            System.err.println("unknown or unavailable --impl " + impl + "; available: " + available());
            System.exit(2);
        }
        EchoServer server = factory.get();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop();
            } catch (Exception e) {
                System.err.println("stop failed: " + e);
            } finally {
                stopped.countDown();
            }
        }, "echo-server-stop"));
        System.out.println("serving " + server.start(port) + " pid=" + ProcessHandle.current().pid());
        stopped.await();
    }

    private static void list() {
        for (BackendInfo b : Loops.backends()) {
            if (!b.available()) {
                System.err.println("roundhouse-" + b.name() + " unavailable: " + b.unavailableReason());
            }
        }
        for (NettyEchoServer.Kind k : NettyEchoServer.Kind.values()) {
            String why = k.unavailableReason();
            if (why != null) {
                System.err.println("netty-" + k.name + " unavailable: " + why);
            }
        }
        String why = cIoUringUnavailableReason();
        if (why != null) {
            System.err.println("c-io_uring unavailable: " + why);
        }
        available().forEach(System.out::println);
    }

    private static List<String> available() {
        return new ArrayList<>(implementations(null).keySet());
    }

    /** Every implementation that can run here, in matrix order: Roundhouse, Netty, C. */
    static Map<String, Supplier<EchoServer>> implementations(String cBinary) {
        Map<String, Supplier<EchoServer>> impls = new LinkedHashMap<>();
        for (BackendInfo b : Loops.backends()) {
            if (b.available()) {
                impls.put("roundhouse-" + b.name(), () -> new RoundhouseEchoServer(b.name()));
            }
        }
        for (NettyEchoServer.Kind k : NettyEchoServer.Kind.values()) {
            if (k.unavailableReason() == null) {
                impls.put("netty-" + k.name, () -> new NettyEchoServer(k));
            }
        }
        impls.put("c", () -> new CEchoServer("c", "echo_server", cBinary));
        if (cIoUringUnavailableReason() == null) {
            impls.put("c-io_uring", () -> new CEchoServer("c-io_uring", "uring_echo_server", cBinary));
        }
        return impls;
    }

    /**
     * Why the C io_uring baseline cannot run here ({@code uring_echo_server} uses a multishot
     * accept, send with MSG_WAITALL and CQE_SKIP_SUCCESS: Linux 6.0), or {@code null} if it can.
     */
    static String cIoUringUnavailableReason() {
        String netty = NettyEchoServer.Kind.IO_URING.unavailableReason();
        if (netty != null) {
            return "io_uring is not usable here: " + netty;
        }
        return KernelRelease.atLeast(6, 0) ? null
                : "needs Linux 6.0 or later, this is " + System.getProperty("os.version");
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--list")) {
                m.put("--list", "");
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                m.put(args[i], args[++i]);
            } else {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
        }
        return m;
    }

    private static String require(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing " + key);
        }
        return v;
    }
}
