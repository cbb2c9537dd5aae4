package dev.roundhouse.bench.portable;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * An echo load generator in Java, for the machines where the C one ({@code loadgen.c}, over
 * {@code epoll} or {@code io_uring}) cannot run: Windows, where the iocp backend runs over a real
 * I/O completion port, and macOS. {@link PortableMatrix} drives the echo servers with it.
 *
 * <pre>
 *   JavaLoadGen pingpong|stream|connect|connect-reset PORT CONNS BYTES WARMUP_S DURATION_S [THREADS [HOST]]
 *   JavaLoadGen rate PORT CONNS BYTES WARMUP_S DURATION_S RATE [THREADS [HOST]]
 * </pre>
 *
 * <ul>
 *   <li>{@code pingpong}: each of {@code CONNS} connections sends a message of {@code BYTES} bytes,
 *       waits until all of it has come back, and sends the next: round trips per second, and each
 *       round trip's latency from the send to the last byte back (p50/p99/p999/max over the
 *       measured window).</li>
 *   <li>{@code stream}: each connection keeps up to {@value #WINDOW_MESSAGES} × {@code BYTES} in
 *       flight, written {@code BYTES} at a time (the C load generator's default window): MiB/s of
 *       echoed bytes; no latencies.</li>
 *   <li>{@code connect}: {@code CONNS} connections at a time, each: connect, send {@code BYTES},
 *       read them back, close; completed connections per second and the latency of the whole
 *       cycle. As the C load generator, each connection's source address is one of 127.0.0.2 to
 *       127.0.0.201 in turn, so that the closed connections' {@code TIME_WAIT} does not use up
 *       one address's ephemeral ports; where those addresses cannot be bound (macOS has only
 *       127.0.0.1 on its loopback unless aliases are added) the run fails, saying so.</li>
 *   <li>{@code connect-reset}: as {@code connect}, but each connection is closed with a reset
 *       ({@code SO_LINGER} 0) instead of a FIN, so that it leaves no {@code TIME_WAIT} behind.
 *       For Windows, whose ephemeral ports (16,384 by default) are one pool for every source
 *       address and stay in {@code TIME_WAIT} for minutes: at thousands of connections a second a
 *       graceful close uses them all up within seconds. The server sees its read end in a reset
 *       where {@code connect} gives it an end of stream.</li>
 *   <li>{@code rate}: open loop. {@code RATE} messages of {@code BYTES} per second in all (1 to
 *       10,000,000), round robin over the connections: message {@code k} of connection {@code i}
 *       falls due {@code (k × CONNS + i) / RATE} seconds after the start and is sent then, whether
 *       or not the ones before it have come back (a connection may have several in flight; a send
 *       the socket's buffer holds back goes on at the next spin). Each message's latency runs from
 *       when it fell due, not from when it went out, so a server that falls behind shows its whole
 *       backlog in the percentiles (no coordinated omission); {@code ops_per_s} is the rate
 *       achieved. As the C load generator's {@code rate}: the same load is offered to every server,
 *       where ping-pong's feeds back.</li>
 * </ul>
 *
 * Like the C load generator it spins: non-blocking channels polled with {@link Selector#selectNow()}
 * in a loop, never blocking, so its own wake-ups add nothing to a round trip; its {@code client_cpu}
 * is the share of the measured window spent in polls that found work (1.00: it never waited for the
 * server, and may have limited it). Every echoed byte is checked against what was sent (each
 * connection walks its own offset through a pseudo-random pattern); a difference, a connection
 * the server closes, a failed connect, 5 s without an echoed byte, or a measured window without an
 * echo ends the run with exit status 1 and the reason on stderr. Prints one line,
 * {@code RESULT key=value ...}, with the C load generator's keys.
 *
 * <p>{@code THREADS} (default 1) spreads the connections over that many threads, each spinning
 * over a selector of its own, for machines with cores to spare: one thread saturates its core
 * before the servers do on 64-connection ping-pong. {@code client_cpu} is then the threads' mean.
 *
 * <p><b>Thread:</b> the caller's, which runs the first thread's connections and waits for the
 * others; not for concurrent use.
 */
public final class JavaLoadGen {
    /** The pattern's period; twice as long in memory, so that any window of up to this many bytes is contiguous. */
    static final int PATTERN_BYTES = 1 << 16;
    /** The latency samples kept at most (a run that makes more keeps the first ones). */
    private static final int MAX_SAMPLES = 1 << 26;
    /** How long the run goes on without an echoed byte before it fails (as the C load generator's). */
    static final long STALL_NANOS = 5_000_000_000L;
    /** {@code stream}: the messages each connection keeps in flight at most. */
    static final int WINDOW_MESSAGES = 4;
    /** How long one call of the spin loop lasts (see {@code Worker.spinUntil}). */
    private static final long SLICE_NANOS = 10_000_000;

    private static final byte[] PATTERN = pattern();

    /** What to do with the connections. */
    enum Mode {
        PINGPONG, STREAM, CONNECT, CONNECT_RESET, RATE;

        /** Its name on the command line and in the RESULT line. */
        String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** Whether it connects, echoes and closes over and over ({@code connect}, {@code connect-reset}). */
        boolean cycles() {
            return this == CONNECT || this == CONNECT_RESET;
        }
    }

    /**
     * What one run measured: {@code ops} round trips ({@code stream}: messages echoed whole;
     * {@code rate}: messages that came back whole within the window), {@code echoedBytes} over the
     * window; latencies NaN for {@code stream}. {@code rate}: the messages per second offered (0 but
     * in {@code rate} mode). {@code busy}: the share of the window spent in polls that found work
     * ({@code rate}: or sent a message that fell due).
     */
    record Result(Mode mode, int conns, int bytes, double rate, double secs, long ops, long echoedBytes,
                  double p50Us, double p99Us, double p999Us, double maxUs, double busy) {
        /** The {@code RESULT} line, with the C load generator's keys. */
        String line() {
            int window = mode == Mode.STREAM ? WINDOW_MESSAGES * bytes : bytes;
            return String.format(Locale.ROOT, "RESULT mode=%s conns=%d bytes=%d window=%d rate=%.0f secs=%.2f "
                    + "ops=%d ops_per_s=%.0f mib_per_s=%.1f p50_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f "
                    + "client_cpu=%.2f poll=spin io=java-nio", mode.word(), conns, bytes, window, rate, secs, ops,
                    ops / secs, echoedBytes / secs / (1 << 20), p50Us, p99Us, p999Us, maxUs, busy);
        }
    }

    /** The offered rate's bounds, messages per second in all (the C load generator's). */
    static final double MIN_RATE = 1;
    static final double MAX_RATE = 10e6;

    private JavaLoadGen() {
    }

    /** Runs once and prints the {@code RESULT} line; exit status 1 on a failure, 2 on bad arguments. */
    public static void main(String[] args) {
        Mode mode = null;
        for (Mode m : Mode.values()) {
            if (args.length > 0 && args[0].equals(m.word())) {
                mode = m;
            }
        }
        int at = mode == Mode.RATE ? 7 : 6; // where THREADS is
        if (mode == null || args.length < at || args.length > at + 2) {
            System.err.println("usage: JavaLoadGen pingpong|stream|connect|connect-reset PORT CONNS BYTES WARMUP_S "
                    + "DURATION_S [THREADS [HOST]]\n       JavaLoadGen rate PORT CONNS BYTES WARMUP_S DURATION_S RATE "
                    + "[THREADS [HOST]]");
            System.exit(2);
        }
        try {
            InetSocketAddress server = new InetSocketAddress(args.length == at + 2 ? args[at + 1] : "127.0.0.1",
                    Integer.parseInt(args[1]));
            Result r = run(mode, server, Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Double.parseDouble(args[4]), Double.parseDouble(args[5]),
                    mode == Mode.RATE ? Double.parseDouble(args[6]) : 0,
                    args.length > at ? Integer.parseInt(args[at]) : 1, STALL_NANOS);
            System.out.println(r.line());
        } catch (IllegalArgumentException e) {
            System.err.println("JavaLoadGen: " + e.getMessage());
            System.exit(2);
        } catch (IOException e) {
            System.err.println("JavaLoadGen: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Runs {@code conns} ping-pong connections against {@code server} for {@code warmupS} seconds
     * (not measured) and then {@code durationS} seconds, on the calling thread, and closes them.
     * As {@link #run} with {@link Mode#PINGPONG}, 1 thread and {@link #STALL_NANOS}.
     */
    static Result pingPong(InetSocketAddress server, int conns, int bytes, double warmupS, double durationS)
            throws IOException {
        return run(Mode.PINGPONG, server, conns, bytes, warmupS, durationS, 1, STALL_NANOS);
    }

    /** As {@link #run(Mode, InetSocketAddress, int, int, double, double, double, int, long)} for the closed-loop modes (no rate). */
    static Result run(Mode mode, InetSocketAddress server, int conns, int bytes, double warmupS, double durationS,
                      int threads, long stallNanos) throws IOException {
        return run(mode, server, conns, bytes, warmupS, durationS, 0, threads, stallNanos);
    }

    /**
     * Runs {@code conns} connections in {@code mode} against {@code server} for {@code warmupS}
     * seconds (not measured) and then {@code durationS} seconds, and closes them; {@link Mode#RATE}
     * offers {@code rate} messages per second in all from the start (ignored by the other modes).
     * The connections are spread over {@code threads} threads, each spinning over a selector of its own (the first
     * on the calling thread); a thread fails after {@code stallNanos} without an echoed byte. The
     * result's {@code busy} is the threads' mean.
     *
     * @throws IllegalArgumentException if {@code conns} or {@code bytes} is not positive,
     *         {@code bytes} exceeds {@link #PATTERN_BYTES} ({@code stream}: a quarter of it),
     *         {@code threads} is not 1 to {@code conns}, a time is negative or not finite, or
     *         {@code rate} mode's rate is not {@link #MIN_RATE} to {@link #MAX_RATE}
     * @throws IOException if a connect fails, the server closes a connection, an echoed byte
     *         differs from the one sent (the message names the connection and the offset), no
     *         byte comes back for {@code stallNanos}, or nothing is echoed whole in the measured window
     */
    static Result run(Mode mode, InetSocketAddress server, int conns, int bytes, double warmupS, double durationS,
                      double rate, int threads, long stallNanos) throws IOException {
        int maxBytes = mode == Mode.STREAM ? PATTERN_BYTES / WINDOW_MESSAGES : PATTERN_BYTES;
        if (conns < 1 || bytes < 1 || bytes > maxBytes) {
            throw new IllegalArgumentException("CONNS must be at least 1 and BYTES 1 to " + maxBytes + " in "
                    + mode.word() + ", not " + conns + " and " + bytes);
        }
        int window = mode == Mode.STREAM ? WINDOW_MESSAGES * bytes : bytes;
        if (threads < 1 || threads > conns) {
            throw new IllegalArgumentException("THREADS must be 1 to CONNS (" + conns + "), not " + threads);
        }
        if (!(warmupS >= 0 && durationS > 0 && Double.isFinite(warmupS + durationS))) {
            throw new IllegalArgumentException("WARMUP_S must be 0 or more and DURATION_S more than 0, not "
                    + warmupS + " and " + durationS);
        }
        if (mode == Mode.RATE && !(rate >= MIN_RATE && rate <= MAX_RATE)) {
            throw new IllegalArgumentException("RATE must be " + (long) MIN_RATE + " to " + (long) MAX_RATE
                    + " messages per second in all, not " + rate);
        }
        double offered = mode == Mode.RATE ? rate : 0;
        Worker[] workers = new Worker[threads];
        try {
            for (int t = 0; t < threads; t++) {
                workers[t] = new Worker(mode, Selector.open(), offered, conns);
            }
            for (int i = 0; i < conns; i++) {
                if (mode.cycles()) {
                    workers[i % threads].slots.add(new Slot(i, server, bytes, mode == Mode.CONNECT_RESET)); // connects when the run starts
                } else {
                    workers[i % threads].add(new Conn(i, server, bytes, window));
                }
            }
            long start = System.nanoTime();
            long measureFrom = start + (long) (warmupS * 1e9);
            long end = measureFrom + (long) (durationS * 1e9);
            Thread[] others = new Thread[threads - 1];
            for (int t = 1; t < threads; t++) {
                Worker w = workers[t];
                others[t - 1] = new Thread(() -> w.runCatching(start, measureFrom, end, stallNanos), "javaloadgen-" + t);
                others[t - 1].start();
            }
            workers[0].runCatching(start, measureFrom, end, stallNanos);
            for (Thread t : others) {
                joinUninterruptibly(t);
            }
            return merge(mode, workers, conns, bytes, offered, durationS);
        } finally {
            for (Worker w : workers) {
                if (w != null) {
                    w.close();
                }
            }
        }
    }

    private static Result merge(Mode mode, Worker[] workers, int conns, int bytes, double rate, double durationS)
            throws IOException {
        long ops = 0;
        long echoed = 0;
        int n = 0;
        double busy = 0;
        for (Worker w : workers) {
            if (w.failure != null) {
                throw w.failure;
            }
            ops += w.ops;
            echoed += w.echoedBytes;
            n += w.n;
            busy += w.busyNanos / (durationS * 1e9) / workers.length;
        }
        if (mode == Mode.STREAM) {
            ops = echoed / bytes; // messages echoed whole
        }
        if (ops == 0) {
            throw new IOException("nothing was echoed whole within the measured " + durationS + " s");
        }
        long[] sorted = new long[n];
        int at = 0;
        for (Worker w : workers) {
            System.arraycopy(w.samples, 0, sorted, at, w.n);
            at += w.n;
        }
        Arrays.sort(sorted);
        return new Result(mode, conns, bytes, rate, durationS, ops, echoed, percentileUs(sorted, 0.50),
                percentileUs(sorted, 0.99), percentileUs(sorted, 0.999), n == 0 ? Double.NaN : sorted[n - 1] / 1e3,
                Math.min(1.0, busy));
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The {@code q} quantile of sorted nanosecond samples, in microseconds (nearest rank); NaN for none. */
    static double percentileUs(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e3;
    }

    private static byte[] pattern() {
        byte[] p = new byte[2 * PATTERN_BYTES];
        int x = 0x2545F491;
        for (int i = 0; i < PATTERN_BYTES; i++) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            p[i] = p[i + PATTERN_BYTES] = (byte) (x >>> 24);
        }
        return p;
    }

    /** Where connection {@code id}'s byte {@code streamOffset} sits in the pattern (each connection starts elsewhere). */
    private static int patternAt(int id, long streamOffset) {
        return (int) ((id * 7_919L + streamOffset) % PATTERN_BYTES);
    }

    /**
     * Reads what has come of connection {@code id}'s echo into {@code in} (at most the
     * {@code sent - received} bytes still due) and checks it against the pattern; returns the
     * count.
     *
     * @throws EOFException if the server closed the connection
     * @throws IOException if a byte differs from the one sent (the message names it)
     */
    private static int readEcho(SocketChannel ch, int id, byte[] in, ByteBuffer inBuffer, long received, long sent)
            throws IOException {
        inBuffer.clear().limit((int) Math.min(in.length, sent - received));
        int r = ch.read(inBuffer);
        if (r < 0) {
            throw new EOFException("connection " + id + ": the server closed it after echoing " + received
                    + " of " + sent + " bytes");
        }
        int at = patternAt(id, received);
        int differs = Arrays.mismatch(in, 0, r, PATTERN, at, at + r);
        if (differs >= 0) {
            throw new IOException("connection " + id + ": echoed byte " + (received + differs)
                    + " differs from the one sent");
        }
        return r;
    }

    /** One thread's connections, spun over with a selector of its own, and what it measured. */
    private static final class Worker {
        final Mode mode;
        final Selector selector;
        final List<Conn> conns = new ArrayList<>();
        final List<Slot> slots = new ArrayList<>();
        long[] samples = new long[1 << 16];
        int n;
        long ops;
        long echoedBytes;
        long busyNanos;
        IOException failure;
        /** When an echoed byte last came (connect: a connection made progress). */
        long lastProgress;
        /** {@code rate}: when the schedule began, the messages per second offered in all, and the connections in all. */
        long scheduleStart;
        final double rate;
        final int allConns;
        /** {@code rate}: the next message to fall due, counted over this thread's connections round robin. */
        long next;
        /** {@code rate}: a send that the socket's buffer held back waits for the next spin. */
        boolean heldBack;

        Worker(Mode mode, Selector selector, double rate, int allConns) {
            this.mode = mode;
            this.selector = selector;
            this.rate = rate;
            this.allConns = allConns;
        }

        void add(Conn c) throws IOException {
            conns.add(c); // added first: close() closes it even if registering fails
            c.ch.register(selector, SelectionKey.OP_READ, c);
        }

        void close() throws IOException {
            try {
                for (Conn c : conns) {
                    c.ch.close();
                }
                for (Slot s : slots) {
                    s.close();
                }
            } finally {
                selector.close();
            }
        }

        void runCatching(long start, long measureFrom, long end, long stallNanos) {
            try {
                run(start, measureFrom, end, stallNanos);
            } catch (IOException e) {
                failure = e;
            } catch (RuntimeException e) {
                failure = new IOException("load generator thread failed: " + e, e);
            }
        }

        /**
         * The warm-up, then the measured window: two calls of {@link #spinUntil}, whose loop
         * records in both, its counts reset in between. The compiled loop the window runs is the one the
         * warm-up ran, profile included: a branch first taken at the window's start (as "record
         * now" was) would send the JIT back to the interpreter and then recompile, on the load
         * generator's own core, in the window (which read as a p99 of milliseconds in rate mode).
         * A message, round trip or cycle counts in the window it completes in, as in the C load
         * generator.
         */
        private void run(long start, long from, long until, long stallNanos) throws IOException {
            byte[] in = new byte[PATTERN_BYTES];
            ByteBuffer inBuffer = ByteBuffer.wrap(in);
            scheduleStart = start;
            if (mode != Mode.RATE) {
                for (Conn c : conns) {
                    c.send(start, mode);
                }
            }
            long now = System.nanoTime();
            for (Slot s : slots) {
                s.begin(selector, now);
            }
            lastProgress = now;
            long warmupFrom = now;
            spinUntil(from, stallNanos, in, inBuffer);
            // room for the window's samples at the warm-up's pace and half as much again, so that
            // no copy of the array stalls the window
            long expected = (long) (n * 1.5 * (until - from) / Math.max(1, from - warmupFrom)) + 1024;
            if (expected > samples.length) {
                samples = new long[(int) Math.min(MAX_SAMPLES, expected)];
            }
            n = 0; // the warm-up's counts dropped
            ops = 0;
            echoedBytes = 0;
            busyNanos = 0;
            spinUntil(until, stallNanos, in, inBuffer);
        }

        /**
         * {@link #spin}s until {@code until}, in slices of {@link #SLICE_NANOS}: each slice's end
         * is a return the warm-up takes hundreds of times, so that the compiled loop has it in its
         * profile and the warm-up's end does not send the JIT back to the interpreter.
         */
        private void spinUntil(long until, long stallNanos, byte[] in, ByteBuffer inBuffer) throws IOException {
            for (long now = System.nanoTime(); now < until; ) {
                now = spin(now, Math.min(until, now + SLICE_NANOS), stallNanos, in, inBuffer);
            }
        }

        /** Spins over the selector from {@code now} until {@code until}, counting what completes; returns the time. */
        private long spin(long now, long until, long stallNanos, byte[] in, ByteBuffer inBuffer) throws IOException {
            String stalled = mode.cycles() ? "no connection made progress" : "no byte echoed";
            while (now < until) {
                long pollStart = now;
                boolean sentDue = mode == Mode.RATE && sendDue(now);
                if (selector.selectNow() == 0) {
                    sendWhereRoom(now); // streaming and rate: a send the socket's buffer held back
                    now = idleSpin(lastProgress, stallNanos, stalled);
                    if (sentDue) {
                        busyNanos += now - pollStart;
                    }
                    continue;
                }
                lastProgress = pollStart;
                for (SelectionKey k : selector.selectedKeys()) {
                    now = k.attachment() instanceof Slot s ? onSlot(s, k, in, inBuffer, now)
                            : onConn((Conn) k.attachment(), in, inBuffer, now);
                }
                selector.selectedKeys().clear();
                now = System.nanoTime();
                sendWhereRoom(now);
                busyNanos += now - pollStart;
            }
            return now;
        }

        /**
         * A connection's echo came in: streaming counts its bytes; ping-pong, once the message is
         * back whole, records the round trip and sends the next. Returns the time, read anew only
         * when a round trip ended.
         */
        private long onConn(Conn c, byte[] in, ByteBuffer inBuffer, long now) throws IOException {
            int r = c.receive(in, inBuffer);
            if (mode == Mode.STREAM) {
                echoedBytes += r;
                return now;
            }
            if (mode == Mode.RATE) {
                long whole = c.received / c.bytes;
                if (whole == c.done) {
                    return now;
                }
                now = System.nanoTime();
                for (; c.done < whole; c.done++) { // each timed from when it fell due
                    record(now - dueAt(c.id, c.done), c.bytes);
                }
                return now;
            }
            if (c.received != c.sent) {
                return now; // part of the message is still on its way
            }
            now = System.nanoTime();
            record(now - c.sentAt, c.bytes);
            c.send(now, mode);
            return now;
        }

        /** {@code connect}: a slot's connect or echo is ready; a cycle that ended is recorded and the next begun. */
        private long onSlot(Slot s, SelectionKey k, byte[] in, ByteBuffer inBuffer, long now) throws IOException {
            if (!s.step(k, in, inBuffer)) {
                return now;
            }
            now = System.nanoTime();
            record(now - s.startedAt, s.bytes);
            s.begin(selector, now);
            return now;
        }

        /** A poll that found nothing: a spin-wait hint, then the time; fails once nothing moved for {@code stallNanos}. */
        private static long idleSpin(long lastProgress, long stallNanos, String what) throws IOException {
            Thread.onSpinWait();
            long now = System.nanoTime();
            if (now - lastProgress > stallNanos) {
                throw new IOException(what + " for " + stallNanos / 1_000_000 + " ms");
            }
            return now;
        }

        private void sendWhereRoom(long now) throws IOException {
            if (mode == Mode.RATE && heldBack) {
                heldBack = false;
                for (Conn c : conns) {
                    heldBack |= c.send(now, Mode.RATE);
                }
            } else if (mode == Mode.STREAM) {
                for (Conn c : conns) {
                    c.send(now, Mode.STREAM);
                }
            }
        }

        /**
         * {@code rate}: when message {@code k} of connection {@code id} falls due: the schedule
         * interleaves every thread's connections, {@code (k × allConns + id)} messages after its start.
         */
        private long dueAt(int id, long k) {
            return scheduleStart + (long) ((k * allConns + id) * 1e9 / rate);
        }

        /** {@code rate}: sends every message of this thread's connections due by {@code now}; whether any fell due. */
        private boolean sendDue(long now) throws IOException {
            int count = conns.size();
            boolean any = false;
            while (true) {
                Conn c = conns.get((int) (next % count));
                if (dueAt(c.id, next / count) > now) {
                    return any;
                }
                c.due++;
                next++;
                any = true;
                heldBack |= c.send(now, Mode.RATE);
            }
        }

        private void record(long nanos, int bytes) {
            ops++;
            echoedBytes += bytes;
            if (n == samples.length && n < MAX_SAMPLES) {
                samples = Arrays.copyOf(samples, Math.min(MAX_SAMPLES, n * 2));
            }
            if (n < samples.length) {
                samples[n++] = nanos;
            }
        }
    }

    /**
     * {@code connect}: one of the connections kept going at a time. Each cycle opens a connection
     * from the next source address (127.0.0.2 to 127.0.0.201), sends one message once connected,
     * checks it back, and closes.
     */
    private static final class Slot {
        /** The source addresses the cycles take in turn: 127.0.0.2 to 127.0.0.201. */
        private static final int SOURCES = 200;

        final int id;
        final InetSocketAddress server;
        final int bytes;
        /** {@code connect-reset}: each connection ends in a reset. */
        final boolean reset;
        final ByteBuffer out;
        SocketChannel ch;
        long cycles;
        long startedAt;
        long received;

        Slot(int id, InetSocketAddress server, int bytes, boolean reset) {
            this.id = id;
            this.server = server;
            this.bytes = bytes;
            this.reset = reset;
            this.out = ByteBuffer.allocateDirect(bytes);
        }

        /** Ends the last cycle's connection, opens the next one's and registers it for its connect. */
        void begin(Selector selector, long now) throws IOException {
            close();
            long cycle = cycles++;
            startedAt = now;
            received = 0;
            ch = SocketChannel.open();
            byte[] source = {127, 0, 0, (byte) (2 + (id + cycle * 16) % SOURCES)};
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.bind(new InetSocketAddress(InetAddress.getByAddress(source), 0));
            } catch (IOException e) {
                throw new IOException("connection " + id + ": cannot bind the source address "
                        + InetAddress.getByAddress(source).getHostAddress() + " (" + e.getMessage()
                        + "; the connect workload needs 127.0.0.2-201 on the loopback)", e);
            }
            try {
                if (ch.connect(server)) {
                    ch.register(selector, SelectionKey.OP_READ, this);
                    send();
                } else {
                    ch.register(selector, SelectionKey.OP_CONNECT, this);
                }
            } catch (IOException e) {
                throw new IOException("connection " + id + " to " + server + " failed: " + e.getMessage(), e);
            }
        }

        /** Goes on with what {@code key} says is ready; returns whether the cycle is over (echo checked). */
        boolean step(SelectionKey key, byte[] in, ByteBuffer inBuffer) throws IOException {
            if (key.isConnectable()) {
                try {
                    ch.finishConnect();
                } catch (IOException e) {
                    throw new IOException("connection " + id + " to " + server + " failed: " + e.getMessage(), e);
                }
                key.interestOps(SelectionKey.OP_READ);
                send();
                return false;
            }
            received += readEcho(ch, id, in, inBuffer, received, bytes);
            return received == bytes;
        }

        private void send() throws IOException {
            out.clear();
            out.put(PATTERN, patternAt(id, 0), bytes).flip();
            while (out.hasRemaining()) {
                ch.write(out); // one message into an empty send buffer: never held back
            }
        }

        /** Ends the connection: with a FIN, or with a reset if {@link #reset}. */
        void close() throws IOException {
            if (ch != null) {
                if (reset) { // connected or not yet: the kernel may have finished the handshake
                    ch.setOption(StandardSocketOptions.SO_LINGER, 0); // the close sends a reset: no TIME_WAIT
                }
                ch.close();
                ch = null;
            }
        }
    }

    /** One connection ({@code pingpong}, {@code stream}): what it has sent and had back. */
    private static final class Conn {
        final int id;
        final SocketChannel ch;
        final int bytes;
        final int window;
        final ByteBuffer out;
        long sent;
        long received;
        long sentAt;
        /** {@code rate}: the messages that have fallen due, and those that came back whole. */
        long due;
        long done;

        Conn(int id, InetSocketAddress server, int bytes, int window) throws IOException {
            this.id = id;
            this.bytes = bytes;
            this.window = window;
            SocketChannel c = SocketChannel.open();
            try {
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                c.connect(server);
                c.configureBlocking(false);
            } catch (IOException e) {
                c.close();
                throw new IOException("connection " + id + " to " + server + " failed: " + e.getMessage(), e);
            }
            this.ch = c;
            this.out = ByteBuffer.allocateDirect(bytes).limit(0);
        }

        /**
         * {@code pingpong}: sends the next message whole (spinning while the send buffer is full,
         * which one message never fills). {@code stream}: sends what the window has room for, a
         * message at a time, until the socket's buffer is full. {@code rate}: sends the messages
         * that have fallen due, until the socket's buffer is full. Returns whether the socket's
         * buffer held part of it back.
         */
        boolean send(long now, Mode mode) throws IOException {
            long limit = mode == Mode.RATE ? due * bytes : received + window;
            while (true) {
                if (!out.hasRemaining()) {
                    if (sent + bytes > limit) {
                        return false; // the window is full, or nothing more is due
                    }
                    out.clear();
                    out.put(PATTERN, patternAt(id, sent), bytes).flip();
                    sentAt = now;
                }
                sent += ch.write(out);
                if (out.hasRemaining() && mode != Mode.PINGPONG) {
                    return true; // the socket's buffer is full: the next spin goes on
                }
            }
        }

        /** Reads what has come and checks it; returns the bytes read. */
        int receive(byte[] in, ByteBuffer inBuffer) throws IOException {
            int r = readEcho(ch, id, in, inBuffer, received, sent);
            received += r;
            return r;
        }
    }
}
