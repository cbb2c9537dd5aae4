package dev.roundhouse.loop.tck;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Accept under descriptor exhaustion (DESIGN.md, "Failure and bad input"): a server that runs out
 * of file descriptors must not spin the CPU, and must accept again once descriptors are free.
 * The server runs in a child JVM ({@link ExhaustionServer}) under a low descriptor limit set with
 * {@code prlimit} or {@code ulimit}; its CPU time is read from {@code /proc/<pid>/stat}. Needs TCP,
 * Linux-style {@code /proc} and one of those tools; skipped with the reason elsewhere.
 */
public abstract class AcceptExhaustionTck extends TcpTck {
    private static final int DESCRIPTOR_LIMIT = 256;
    private static final int CLIENTS = DESCRIPTOR_LIMIT + 64;
    private static final long ACCEPT_BACKOFF_MS = 200;
    private static final long CPU_WINDOW_MS = 1_000;
    /** Clock ticks per second of /proc/<pid>/stat (USER_HZ); 100 on every Linux architecture in use. */
    private static final long TICKS_PER_SECOND = 100;
    private Path childErr;

    /** EMFILE on accept: the exhausted server stays off the CPU and accepts again once clients close. */
    @Test
    @Timeout(120)
    void shouldNotSpinWhenAcceptRunsOutOfDescriptorsAndResumeAfterwards() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "no /proc/<pid>/stat here");
        List<String> limitCommand = limitCommand();
        Process child = startChild(limitCommand);
        try (Selector selector = Selector.open()) {
            LinkedBlockingQueue<String> lines = readLines(child);
            String port = expectLine(lines, "PORT ", child);
            InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(port));
            List<SocketChannel> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                SocketChannel c = closeLater(SocketChannel.open(server));
                c.configureBlocking(false);
                c.write(ByteBuffer.wrap(new byte[] {1}));
                c.register(selector, SelectionKey.OP_READ, c);
                clients.add(c);
            }
            Set<SocketChannel> echoed = new HashSet<>();
            collectEchoes(selector, echoed, 500, Await.TIMEOUT_MS);
            assertTrue(echoed.size() < CLIENTS, "all " + CLIENTS + " clients were served under a limit of "
                    + DESCRIPTOR_LIMIT + " descriptors: the child never ran out");
            assertTrue(echoed.size() > 0, "the child served no client at all");
            long ticksBefore = cpuTicks(child.pid());
            long wallBefore = System.nanoTime();
            collectEchoes(selector, echoed, CPU_WINDOW_MS, CPU_WINDOW_MS); // exhausted: nothing to accept
            long ticks = cpuTicks(child.pid()) - ticksBefore;
            long wallMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - wallBefore);
            long allowed = wallMs * TICKS_PER_SECOND / 1000 / 4;
            assertTrue(ticks <= allowed, "the exhausted server used " + ticks * 10 + " ms CPU in " + wallMs
                    + " ms: accept spins on EMFILE");
            int servedBefore = echoed.size();
            List<SocketChannel> toClose = new ArrayList<>(echoed).subList(0, Math.min(32, echoed.size()));
            for (SocketChannel c : toClose) {
                c.close();
            }
            collectEchoes(selector, echoed, 3 * ACCEPT_BACKOFF_MS + 2_000, Await.TIMEOUT_MS, servedBefore + 1);
            assertTrue(echoed.size() > servedBefore, "no pending client was accepted after " + toClose.size()
                    + " clients closed: accepting did not resume");
            assertTrue(child.isAlive(), () -> "the child died: " + stderr(child));
        } finally {
            stop(child);
        }
    }

    /** Reads echoes until none arrives for {@code quietMs} or {@code maxMs} passed (or {@code enough} echoed). */
    private static void collectEchoes(Selector selector, Set<SocketChannel> echoed, long quietMs, long maxMs,
                                      int... enough) throws IOException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMs);
        long quietEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(quietMs);
        ByteBuffer b = ByteBuffer.allocate(16);
        while (System.nanoTime() - end < 0 && System.nanoTime() - quietEnd < 0) {
            long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(end, quietEnd) - System.nanoTime()));
            if (selector.select(waitMs) == 0) {
                continue;
            }
            for (SelectionKey k : selector.selectedKeys()) {
                SocketChannel c = (SocketChannel) k.attachment();
                b.clear();
                if (c.read(b) != 0) {
                    echoed.add(c);
                    k.cancel();
                }
            }
            selector.selectedKeys().clear();
            quietEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(quietMs);
            if (enough.length > 0 && echoed.size() >= enough[0]) {
                return;
            }
        }
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15)
    }

    private static List<String> limitCommand() {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            Path prlimit = Path.of(dir, "prlimit");
            if (Files.isExecutable(prlimit)) {
                return List.of(prlimit.toString(), "--nofile=" + DESCRIPTOR_LIMIT + ":" + DESCRIPTOR_LIMIT, "--");
            }
        }
        for (String dir : List.of("/bin", "/usr/bin")) {
            Path bash = Path.of(dir, "bash");
            if (Files.isExecutable(bash)) {
                return List.of(bash.toString(), "-c", "ulimit -n " + DESCRIPTOR_LIMIT + " && exec \"$@\"", "bash");
            }
        }
        Assumptions.abort("neither prlimit nor bash (ulimit) is available to limit the child's descriptors");
        return List.of();
    }

    private Process startChild(List<String> limitCommand) throws IOException {
        List<String> cmd = new ArrayList<>(limitCommand);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xint", "-XX:+UseSerialGC", "-Xmx64m", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), ExhaustionServer.class.getName(), backend(),
                Long.toString(ACCEPT_BACKOFF_MS)));
        childErr = Files.createTempFile("roundhouse-tck-child", ".err");
        childErr.toFile().deleteOnExit();
        return new ProcessBuilder(cmd).redirectError(childErr.toFile()).start();
    }

    private static LinkedBlockingQueue<String> readLines(Process child) {
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child exited
            }
        }, "tck-child-stdout");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private String expectLine(LinkedBlockingQueue<String> lines, String prefix, Process child)
            throws InterruptedException {
        String line = lines.poll(Await.TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (line == null || !line.startsWith(prefix)) {
            throw new AssertionError("the child did not print '" + prefix + "...' (got " + line + "): " + stderr(child));
        }
        return line.substring(prefix.length()).trim();
    }

    private String stderr(Process child) {
        String text;
        try {
            text = Files.readString(childErr);
        } catch (IOException e) {
            text = "(unreadable: " + e + ")";
        }
        return "child " + (child.isAlive() ? "running" : "exited with " + child.exitValue()) + ", stderr: " + text;
    }

    private static void stop(Process child) throws InterruptedException {
        try (PrintStream in = new PrintStream(child.getOutputStream(), true, StandardCharsets.US_ASCII)) {
            in.println("exit");
        }
        if (!child.waitFor(Await.TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            child.destroyForcibly().waitFor(Await.TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        try {
            child.getInputStream().close();
        } catch (IOException ignored) {
            // already closed by the reader thread
        }
    }
}
