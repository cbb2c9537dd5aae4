package dev.roundhouse.websocket;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.LoopAffinityException;
import dev.roundhouse.loop.Protocol;
import dev.roundhouse.loop.TimerHandle;
import dev.roundhouse.loop.Transport;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One WebSocket connection, either role: the {@link Protocol} the loop drives and the
 * {@link WebSocket} the application holds. Phases: handshake → open → closing → closed.
 * Incoming messages are assembled by {@link MessageReader}; this class owns the handshake, the
 * close handshake, timers, sending and backpressure.
 *
 * <p><b>Thread:</b> the loop thread only; public methods check it.
 */
final class WebSocketConnection implements Protocol, WebSocket {
    private static final System.Logger LOG = System.getLogger(WebSocket.class.getName());
    private static final byte[] EMPTY = new byte[0];

    enum Phase { HANDSHAKE, OPEN, CLOSED }

    private final boolean server;
    private final WebSocketOptions options;
    private final ServerHandshake serverHandshake;
    private final ClientHandshake clientHandshake;
    private final CompletableFuture<WebSocket> connectFuture;
    private final MessageWriter writer;
    private final CompletableFuture<CloseStatus> closeFuture = new CompletableFuture<>();
    private final byte[] closePayload = new byte[125];

    private WebSocketHandler handler;
    private Transport transport;
    private EventLoop loop;
    private String loopThread;
    private HttpHeadParser headParser;
    private MessageReader reader;
    private PerMessageDeflate deflate;
    private String subprotocol = "";
    private String path = "";
    private Phase phase = Phase.HANDSHAKE;

    private boolean closeSent;
    private boolean closeReceived;
    private CloseStatus remoteStatus;
    private CloseStatus localStatus;
    private Throwable failure;
    private boolean writable = true;
    private boolean reportedWritable = true;
    private boolean writabilityReportQueued;
    private final Runnable reportWritability = this::reportWritability;
    private long lastReadNanos;
    private boolean pingOutstanding;
    private TimerHandle handshakeTimer;
    private TimerHandle closeTimer;
    private TimerHandle heartbeatTimer;

    private WebSocketConnection(boolean server, WebSocketOptions options, ServerHandshake sh, ClientHandshake ch,
                                WebSocketHandler handler, CompletableFuture<WebSocket> connectFuture) {
        this.server = server;
        this.options = options;
        this.serverHandshake = sh;
        this.clientHandshake = ch;
        this.handler = handler;
        this.connectFuture = connectFuture;
        this.writer = new MessageWriter(!server, options);
        this.headParser = new HttpHeadParser(server, options.maxHandshakeBytes(), options.maxHeaderCount());
    }

    static WebSocketConnection forServer(ServerHandshake handshake) {
        return new WebSocketConnection(true, handshake.options, handshake, null, null, null);
    }

    static WebSocketConnection forClient(ClientHandshake handshake, WebSocketOptions options, WebSocketHandler handler,
                                         CompletableFuture<WebSocket> connected) {
        return new WebSocketConnection(false, options, null, handshake, handler, connected);
    }

    // ---------------------------------------------------------------- Protocol

    @Override
    public void connectionMade(Transport t) {
        transport = t;
        writer.attach(t);
        loop = t.loop();
        loopThread = Thread.currentThread().getName();
        t.setWriteBufferLimits(options.writeHighWaterBytes(), options.writeLowWaterBytes());
        lastReadNanos = loop.time();
        handshakeTimer = loop.callLater(this::onHandshakeTimeout, options.handshakeTimeoutNanos(), TimeUnit.NANOSECONDS);
        if (!server) {
            path = clientHandshake.path;
            t.write(clientHandshake.request());
        }
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        lastReadNanos = loop.time();
        pingOutstanding = false;
        if (phase == Phase.HANDSHAKE && headParser != null) {
            HttpHeadParser.Result r = headParser.feed(data);
            if (r == HttpHeadParser.Result.NEED_MORE) {
                return;
            }
            HttpHeadParser parser = headParser;
            headParser = null;
            if (r == HttpHeadParser.Result.ERROR) {
                handshakeFailed(parser.errorStatus(), parser.errorReason());
                return;
            }
            if (server ? !serverUpgrade(parser.head()) : !clientUpgrade(parser.head())) {
                return;
            }
        }
        if (reader != null && data.hasRemaining()) {
            reader.feed(data);
        }
    }

    @Override
    public boolean eofReceived() {
        return false;
    }

    @Override
    public void connectionLost(Throwable cause) {
        Phase was = phase;
        phase = Phase.CLOSED;
        cancelTimers();
        if (deflate != null) {
            deflate.close();
        }
        if (failure == null && cause != null) {
            failure = cause;
        }
        writer.onLost();
        CloseStatus status = closeReceived ? remoteStatus
                : localStatus != null && failure != null ? localStatus
                : new CloseStatus(CloseCodes.ABNORMAL, "", false);
        if (was == Phase.HANDSHAKE) {
            if (connectFuture != null && !connectFuture.isDone()) {
                connectFuture.completeExceptionally(failure != null ? failure
                        : new HandshakeException(0, "connection closed during the handshake"));
            }
        } else {
            try {
                handler.onClosed(this, status, failure);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "onClosed threw", e);
            }
        }
        closeFuture.complete(status);
    }

    @Override
    public void pauseWriting() {
        writable = false;
        queueWritabilityReport();
    }

    @Override
    public void resumeWriting() {
        writable = true;
        writer.onDrained();
        queueWritabilityReport();
    }

    /**
     * The transport calls pause/resume from inside {@code write}, possibly between the header and
     * the payload of one of our frames; a handler that sent from {@code onWritabilityChanged} right
     * there would interleave two frames. So the handler hears of it from a task queued on the loop,
     * with the state as it is then, and only if it changed since the last report.
     */
    private void queueWritabilityReport() {
        if (!writabilityReportQueued && phase == Phase.OPEN) {
            writabilityReportQueued = true;
            try {
                loop.execute(reportWritability);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                writabilityReportQueued = false; // the loop is closing: nobody is left to tell
            }
        }
    }

    private void reportWritability() {
        writabilityReportQueued = false;
        if (phase == Phase.OPEN && writable != reportedWritable) {
            reportedWritable = writable;
            try {
                handler.onWritabilityChanged(this, writable);
            } catch (RuntimeException e) {
                handlerFailed("onWritabilityChanged", e);
            }
        }
    }

    // ---------------------------------------------------------------- handshake

    private boolean serverUpgrade(HttpHead head) {
        ServerHandshake.Outcome out = serverHandshake.process(head);
        transport.write(out.response());
        if (out.handler() == null) {
            if (out.status() != 200) {
                LOG.log(System.Logger.Level.DEBUG, "refused WebSocket upgrade from " + transport.remoteAddress()
                        + ": " + out.status() + " " + out.reason());
            }
            transport.close();
            return false;
        }
        handler = out.handler();
        path = out.path();
        subprotocol = out.subprotocol();
        open(out.deflate());
        return true;
    }

    private boolean clientUpgrade(HttpHead head) {
        ClientHandshake.Accepted accepted;
        try {
            accepted = clientHandshake.validate(head);
        } catch (HandshakeException e) {
            failure = e;
            transport.close();
            return false;
        }
        subprotocol = accepted.subprotocol();
        open(accepted.deflate());
        return phase == Phase.OPEN;
    }

    private void handshakeFailed(int status, String reason) {
        if (server) {
            LOG.log(System.Logger.Level.DEBUG, "bad handshake from " + transport.remoteAddress() + ": " + status + " " + reason);
            transport.write(Handshakes.httpError(status, reason, ""));
        } else {
            failure = new HandshakeException(status, "malformed response from server: " + reason);
        }
        transport.close();
    }

    private void onHandshakeTimeout() {
        if (phase == Phase.HANDSHAKE) {
            failure = new HandshakeException(0, "opening handshake not complete after handshakeTimeout="
                    + TimeUnit.NANOSECONDS.toMillis(options.handshakeTimeoutNanos()) + " ms");
            transport.abort();
        }
    }

    private void open(PerMessageDeflate negotiated) {
        deflate = negotiated;
        phase = Phase.OPEN;
        writer.open(negotiated);
        handshakeTimer.cancel();
        reader = new MessageReader(this, server, options, negotiated);
        scheduleHeartbeat();
        try {
            handler.onOpen(this);
        } catch (RuntimeException e) {
            handlerFailed("onOpen", e);
        }
        if (connectFuture != null) {
            connectFuture.complete(this);
        }
    }

    // ---------------------------------------------------------------- from MessageReader

    EventLoop eventLoop() {
        return loop;
    }

    WebSocketHandler handler() {
        return handler;
    }

    boolean isClosed() {
        return phase == Phase.CLOSED;
    }

    /** A ping arrived: answer it unless we are closing. */
    void onPingFrame(byte[] payload, int len) {
        if (!closeSent) {
            writer.writeControl(Opcodes.PONG, payload, len);
        }
    }

    void onPongFrame() {
        pingOutstanding = false;
    }

    /** The peer's close frame arrived, already validated. */
    void onCloseFrame(int code, String reason) {
        closeReceived = true;
        remoteStatus = new CloseStatus(code, reason, true);
        reader.stop();
        try {
            handler.onClosing(this, code, reason);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "onClosing threw", e);
        }
        if (!closeSent) {
            sendCloseFrame(code == CloseCodes.NO_STATUS ? -1 : code, "");
            localStatus = new CloseStatus(code, reason, false);
        }
        endAfterClose();
    }

    /** Fails the connection (§7.1.7): close frame with {@code code}, then the TCP close. */
    void fail(int code, String reason, Throwable cause) {
        if (phase == Phase.CLOSED) {
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, "failing WebSocket " + transport.remoteAddress() + ": " + code + " " + reason);
        if (failure == null) {
            failure = cause != null ? cause : new WebSocketException(code, reason);
        }
        if (reader != null) {
            reader.stop();
        }
        if (!closeSent) {
            sendCloseFrame(code, reason);
            localStatus = new CloseStatus(code, reason, false);
        }
        transport.close();
        startCloseTimer();
    }

    void handlerFailed(String callback, RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "WebSocket handler " + callback + " threw; closing with 1011", e);
        fail(CloseCodes.INTERNAL_ERROR, "internal error", e);
    }

    private void endAfterClose() {
        // §7.1.1: the server closes TCP first; the client waits for it, but not forever.
        if (server) {
            transport.close();
        }
        startCloseTimer();
    }

    private void startCloseTimer() {
        if (closeTimer == null && phase != Phase.CLOSED) {
            closeTimer = loop.callLater(() -> {
                if (phase != Phase.CLOSED) {
                    if (failure == null && !closeReceived) {
                        failure = new WebSocketException(CloseCodes.ABNORMAL, "no close from the peer within closeTimeout="
                                + TimeUnit.NANOSECONDS.toMillis(options.closeTimeoutNanos()) + " ms");
                    }
                    transport.abort();
                }
            }, options.closeTimeoutNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void sendCloseFrame(int code, String reason) {
        closeSent = true;
        writer.refuse("closing");
        int len = 0;
        if (code >= 0) {
            closePayload[0] = (byte) (code >>> 8);
            closePayload[1] = (byte) code;
            byte[] r = truncateUtf8(reason, 123);
            System.arraycopy(r, 0, closePayload, 2, r.length);
            len = 2 + r.length;
        }
        writer.writeControl(Opcodes.CLOSE, closePayload, len);
    }

    private static byte[] truncateUtf8(String s, int maxBytes) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= maxBytes) {
            return b;
        }
        int n = maxBytes;
        while (n > 0 && (b[n] & 0xC0) == 0x80) {
            n--; // do not cut a character in two
        }
        return java.util.Arrays.copyOf(b, n);
    }

    // ---------------------------------------------------------------- timers

    private void scheduleHeartbeat() {
        long ping = options.autoPingIntervalNanos();
        long idle = options.idleTimeoutNanos();
        long period = ping == 0 ? idle : idle == 0 ? ping : Math.min(ping, idle);
        if (period > 0) {
            heartbeatTimer = loop.callLater(this::onHeartbeat, Math.max(1, period / 2), TimeUnit.NANOSECONDS);
        }
    }

    private void onHeartbeat() {
        if (phase != Phase.OPEN || closeSent) {
            return;
        }
        long silentNanos = loop.time() - lastReadNanos;
        if (options.idleTimeoutNanos() > 0 && silentNanos >= options.idleTimeoutNanos()) {
            failure = new WebSocketException(CloseCodes.GOING_AWAY, "nothing received for idleTimeout="
                    + TimeUnit.NANOSECONDS.toMillis(options.idleTimeoutNanos()) + " ms");
            sendCloseFrame(CloseCodes.GOING_AWAY, "idle timeout");
            localStatus = new CloseStatus(CloseCodes.GOING_AWAY, "idle timeout", false);
            startCloseTimer();
            return;
        }
        if (options.autoPingIntervalNanos() > 0 && silentNanos >= options.autoPingIntervalNanos() && !pingOutstanding) {
            pingOutstanding = true;
            writer.writeControl(Opcodes.PING, EMPTY, 0);
        }
        scheduleHeartbeat();
    }

    private void cancelTimers() {
        for (TimerHandle t : new TimerHandle[] {handshakeTimer, closeTimer, heartbeatTimer}) {
            if (t != null) {
                t.cancel();
            }
        }
    }

    // ---------------------------------------------------------------- WebSocket

    private void checkLoop(String method) {
        if (!loop.inLoop()) {
            throw new LoopAffinityException(method, loopThread, Thread.currentThread().getName());
        }
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public CompletableFuture<Void> sendText(CharSequence text) {
        checkLoop("WebSocket.sendText");
        return writer.text(text);
    }

    @Override
    public CompletableFuture<Void> sendBinary(ByteBuffer data) {
        checkLoop("WebSocket.sendBinary");
        return writer.binary(data);
    }

    @Override
    public CompletableFuture<Void> sendFragment(boolean text, ByteBuffer data, boolean last) {
        checkLoop("WebSocket.sendFragment");
        return writer.fragment(text, data, last);
    }

    @Override
    public CompletableFuture<Void> ping(ByteBuffer payload) {
        checkLoop("WebSocket.ping");
        return writer.control(Opcodes.PING, payload);
    }

    @Override
    public CompletableFuture<Void> pong(ByteBuffer payload) {
        checkLoop("WebSocket.pong");
        return writer.control(Opcodes.PONG, payload);
    }

    @Override
    public CompletableFuture<CloseStatus> close(int code, String reason) {
        checkLoop("WebSocket.close");
        if (!CloseCodes.isValidOnWire(code)) {
            throw new IllegalArgumentException("close code " + code + " may not be sent");
        }
        if (reason.getBytes(StandardCharsets.UTF_8).length > 123) {
            throw new IllegalArgumentException("close reason longer than 123 UTF-8 bytes");
        }
        if (!closeSent && phase == Phase.OPEN) {
            sendCloseFrame(code, reason);
            localStatus = new CloseStatus(code, reason, false);
            startCloseTimer();
        }
        return closeFuture;
    }

    @Override
    public void abort() {
        checkLoop("WebSocket.abort");
        transport.abort();
    }

    @Override
    public void pauseReading() {
        checkLoop("WebSocket.pauseReading");
        if (phase != Phase.CLOSED) {
            transport.pauseReading();
        }
    }

    @Override
    public void resumeReading() {
        checkLoop("WebSocket.resumeReading");
        if (phase != Phase.CLOSED) {
            transport.resumeReading();
        }
    }

    @Override
    public CompletableFuture<CloseStatus> closeFuture() {
        return closeFuture;
    }

    @Override
    public boolean isOpen() {
        checkLoop("WebSocket.isOpen");
        return phase == Phase.OPEN && !closeSent;
    }

    @Override
    public boolean isWritable() {
        checkLoop("WebSocket.isWritable");
        return writable;
    }

    @Override
    public long bufferedBytes() {
        checkLoop("WebSocket.bufferedBytes");
        return transport.writeBufferSize();
    }

    @Override
    public String subprotocol() {
        return subprotocol;
    }

    @Override
    public String extensions() {
        return deflate == null ? "" : deflate.header();
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public SocketAddress remoteAddress() {
        checkLoop("WebSocket.remoteAddress");
        return transport.remoteAddress();
    }

    @Override
    public String toString() {
        return "WebSocket[" + (server ? "server " : "client ") + path + " " + phase + "]";
    }
}
