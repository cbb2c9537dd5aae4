package dev.roundhouse.bench.server;

import java.io.File;
import java.util.concurrent.TimeUnit;

/**
 * The C baseline behind the same interface: runs the compiled {@code echo_server} as a child
 * process (it inherits this process's CPU affinity) and stops it with the JVM. The matrix script
 * runs the binary directly; this is for callers that want one entry point.
 */
final class CEchoServer implements EchoServer {
    private final String binary;
    private Process process;

    CEchoServer(String binary) {
        this.binary = binary;
    }

    @Override
    public String start(int port) throws Exception {
        if (binary == null || !new File(binary).canExecute()) {
            throw new IllegalArgumentException("--impl c needs --c-binary PATH to a compiled echo_server, got " + binary);
        }
        process = new ProcessBuilder(binary, Integer.toString(port)).inheritIO().start();
        return "c echo_server (pid " + process.pid() + ") on 127.0.0.1:" + port;
    }

    @Override
    public void stop() throws Exception {
        if (process != null) {
            process.destroy(); // SIGTERM
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
