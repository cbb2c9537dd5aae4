package dev.roundhouse.bench.server;

import java.io.File;
import java.util.concurrent.TimeUnit;

/**
 * A C baseline behind the same interface: runs a compiled C echo server ({@code echo_server} for
 * {@code c}, {@code uring_echo_server} for {@code c-io_uring}) as a child process (it inherits
 * this process's CPU affinity) and stops it with the JVM. The matrix script runs the binaries
 * directly; this is for callers that want one entry point.
 */
final class CEchoServer implements EchoServer {
    private final String impl;
    private final String program;
    private final String binary;
    private Process process;

    /**
     * @param impl    the implementation's name ({@code c}, {@code c-io_uring}), for messages
     * @param program the C program's name ({@code echo_server}, {@code uring_echo_server})
     * @param binary  the path of the compiled program, or {@code null} if none was given
     */
    CEchoServer(String impl, String program, String binary) {
        this.impl = impl;
        this.program = program;
        this.binary = binary;
    }

    @Override
    public String start(int port) throws Exception {
        if (binary == null || !new File(binary).canExecute()) {
            throw new IllegalArgumentException("--impl " + impl + " needs --c-binary PATH to a compiled "
                    + program + ", got " + binary);
        }
        process = new ProcessBuilder(binary, Integer.toString(port)).inheritIO().start();
        return impl + " " + program + " (pid " + process.pid() + ") on 127.0.0.1:" + port;
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
