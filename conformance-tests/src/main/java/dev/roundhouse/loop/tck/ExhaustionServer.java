package dev.roundhouse.loop.tck;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.Loops;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.SocketOptions;
import dev.roundhouse.loop.Transport;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The child process of {@link AcceptExhaustionTck}: an echo server on one backend, run under a low
 * descriptor limit. Prints {@code PORT <n>} once listening; on stdin, {@code count} prints
 * {@code COUNT <connections>} and {@code exit} closes the loop and exits.
 *
 * <p>Usage: {@code ExhaustionServer <backend> <acceptBackoffMs>}.
 */
public final class ExhaustionServer {
    private ExhaustionServer() {
    }

    /** Runs the server until {@code exit} or end of stdin. */
    public static void main(String[] args) throws Exception {
        preloadRoundhouseClasses(); // once descriptors run out, no class file can be opened
        SocketOptions options = SocketOptions.builder().backlog(4096)
                .acceptBackoff(Long.parseLong(args[1]), TimeUnit.MILLISECONDS).build();
        try (EventLoop loop = Loops.open(LoopOptions.builder().backend(args[0]).build())) {
            InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            Server server = loop.listen(local, Echo::new, options).get(10, TimeUnit.SECONDS);
            new Echo().connectionLost(null); // loads the protocol class before exhaustion
            System.out.println("PORT " + ((InetSocketAddress) server.localAddress()).getPort());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            for (String line = in.readLine(); line != null && !line.equals("exit"); line = in.readLine()) {
                if (line.equals("count")) {
                    System.out.println("COUNT " + loop.submit(server::connectionCount).get(10, TimeUnit.SECONDS));
                    System.out.flush();
                }
            }
        }
    }

    /** Echoes what it receives; closes on EOF. */
    private static final class Echo implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }

        @Override
        public void connectionLost(Throwable cause) {
            transport = null;
        }
    }

    private static void preloadRoundhouseClasses() throws IOException {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (Files.isDirectory(path)) {
                try (Stream<Path> files = Files.walk(path)) {
                    files.map(f -> path.relativize(f).toString().replace(File.separatorChar, '/'))
                            .forEach(ExhaustionServer::load);
                }
            } else if (entry.endsWith(".jar") && Files.isRegularFile(path)) {
                try (JarFile jar = new JarFile(path.toFile())) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                        load(e.nextElement().getName());
                    }
                }
            }
        }
    }

    private static void load(String resource) {
        if (resource.startsWith("dev/roundhouse/loop/") && resource.endsWith(".class")
                && !resource.startsWith("dev/roundhouse/loop/tck/")) {
            try {
                Class.forName(resource.substring(0, resource.length() - 6).replace('/', '.'), false,
                        ExhaustionServer.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError ignored) {
                // optional classes of backends whose native parts are absent
            }
        }
    }
}
