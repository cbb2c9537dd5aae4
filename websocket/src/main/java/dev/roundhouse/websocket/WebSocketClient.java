package dev.roundhouse.websocket;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.SocketOptions;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Opens client WebSockets: {@code WebSocketClient.builder(loop).build().connect(uri, handler)}.
 *
 * <p><b>{@code wss:} is refused</b>: the loop layer has no TLS yet, and a client that quietly
 * connected without certificate and hostname verification is exactly the bug of Java-WebSocket
 * CVE-2020-11050. Only {@code ws:} URIs are accepted.
 *
 * <p><b>Thread:</b> immutable once built; {@link #connect} from any thread (it resolves the host
 * name on the calling thread); the handler runs on the loop.
 */
public final class WebSocketClient {
    private final EventLoop loop;
    private final WebSocketOptions options;
    private final SocketOptions socketOptions;
    private final List<String> subprotocols;
    private final Map<String, String> headers;

    private WebSocketClient(Builder b) {
        loop = b.loop;
        options = b.options;
        socketOptions = b.socketOptions;
        subprotocols = List.copyOf(b.subprotocols);
        headers = Map.copyOf(b.headers);
    }

    /** A builder for clients on {@code loop}. */
    public static Builder builder(EventLoop loop) {
        return new Builder(loop);
    }

    /**
     * Connects and performs the opening handshake. Any thread.
     *
     * @return completes on the loop thread, after {@link WebSocketHandler#onOpen}, with the open
     *     socket; or exceptionally with a {@link HandshakeException} (refused, invalid answer,
     *     timeout) or the connect error; the handler then receives no callback
     * @throws IllegalArgumentException if the URI is not {@code ws://host[:port]/...}
     */
    public CompletableFuture<WebSocket> connect(URI uri, WebSocketHandler handler) {
        Objects.requireNonNull(handler, "handler");
        String scheme = uri.getScheme();
        if ("wss".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("wss: is not supported (no TLS in the loop layer); refusing rather than"
                    + " connecting without certificate and hostname verification");
        }
        if (!"ws".equalsIgnoreCase(scheme) || uri.getHost() == null) {
            throw new IllegalArgumentException("expected ws://host[:port]/path, got " + uri);
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("WebSocket URIs must not have a fragment (RFC 6455 §3): " + uri);
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        ClientHandshake hs = new ClientHandshake(uri, subprotocols, headers, options);
        CompletableFuture<WebSocket> opened = new CompletableFuture<>();
        WebSocketConnection conn = WebSocketConnection.forClient(hs, options, handler, opened);
        loop.connect(new InetSocketAddress(uri.getHost(), port), conn, socketOptions)
                .whenComplete((t, e) -> {
                    if (e != null) {
                        opened.completeExceptionally(e);
                    }
                });
        return opened;
    }

    /** Builds a {@link WebSocketClient}. Not thread-safe. */
    public static final class Builder {
        private final EventLoop loop;
        private WebSocketOptions options = WebSocketOptions.DEFAULTS;
        private SocketOptions socketOptions = SocketOptions.DEFAULTS;
        private final List<String> subprotocols = new ArrayList<>();
        private final Map<String, String> headers = new LinkedHashMap<>();

        private Builder(EventLoop loop) {
            this.loop = Objects.requireNonNull(loop, "loop");
        }

        /** Limits and behaviour (including whether to offer permessage-deflate). */
        public Builder options(WebSocketOptions o) { options = Objects.requireNonNull(o); return this; }

        /** TCP options for the connection. */
        public Builder socketOptions(SocketOptions o) { socketOptions = Objects.requireNonNull(o); return this; }

        /** Subprotocols to offer, in order of preference. */
        public Builder subprotocols(String... names) {
            for (String n : names) {
                if (n.isEmpty() || !n.chars().allMatch(Tokens::isTchar)) {
                    throw new IllegalArgumentException("subprotocol must be a token: " + n);
                }
                subprotocols.add(n);
            }
            return this;
        }

        /** An extra request header, e.g. {@code Origin}. Name and value are checked for CR/LF. */
        public Builder header(String name, String value) {
            if (name.isEmpty() || !name.chars().allMatch(Tokens::isTchar) || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("invalid header " + name);
            }
            headers.put(name, value);
            return this;
        }

        /** Returns the immutable client. */
        public WebSocketClient build() {
            return new WebSocketClient(this);
        }
    }
}
