package dev.roundhouse.websocket;

import dev.roundhouse.loop.EventLoop;
import dev.roundhouse.loop.ProtocolFactory;
import dev.roundhouse.loop.Server;
import dev.roundhouse.loop.SocketOptions;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A WebSocket server: routes by exact path, negotiates subprotocols and permessage-deflate, applies
 * an {@link OriginPolicy} (default {@link OriginPolicy#sameOriginOrAbsent()}), and can serve a few
 * static pages over plain HTTP GET (enough for a demo page that opens a socket back to us).
 *
 * <pre>{@code
 * WebSocketServer ws = WebSocketServer.builder()
 *         .route("/echo", () -> new WebSocketHandler() {
 *             public void onText(WebSocket s, String text) { s.sendText(text); }
 *         })
 *         .build();
 * Server server = ws.listen(loop, new InetSocketAddress("127.0.0.1", 8080)).join();
 * }</pre>
 *
 * <p><b>Thread:</b> immutable once built; {@link #listen} from any thread; handlers run on the
 * loop that accepted their connection.
 */
public final class WebSocketServer {
    private final ServerHandshake handshake;

    private WebSocketServer(ServerHandshake handshake) {
        this.handshake = handshake;
    }

    /** A builder with no routes, no subprotocols, the default origin policy and default options. */
    public static Builder builder() {
        return new Builder();
    }

    /** The factory to pass to {@link EventLoop#listen}: one WebSocket connection per TCP connection. */
    public ProtocolFactory protocolFactory() {
        return () -> WebSocketConnection.forServer(handshake);
    }

    /** Listens on {@code address} of {@code loop} with {@link SocketOptions#DEFAULTS}. Any thread. */
    public CompletableFuture<Server> listen(EventLoop loop, SocketAddress address) {
        return loop.listen(address, protocolFactory());
    }

    /** Listens on {@code address} of {@code loop}. Any thread. */
    public CompletableFuture<Server> listen(EventLoop loop, SocketAddress address, SocketOptions socketOptions) {
        return loop.listen(address, protocolFactory(), socketOptions);
    }

    /** The options every connection of this server uses. */
    public WebSocketOptions options() {
        return handshake.options;
    }

    /** Builds a {@link WebSocketServer}. Not thread-safe. */
    public static final class Builder {
        private final Map<String, Function<HandshakeRequest, WebSocketHandler>> routes = new LinkedHashMap<>();
        private final Map<String, ServerHandshake.Page> pages = new LinkedHashMap<>();
        private final List<String> subprotocols = new ArrayList<>();
        private OriginPolicy originPolicy = OriginPolicy.sameOriginOrAbsent();
        private WebSocketOptions options = WebSocketOptions.DEFAULTS;

        private Builder() {
        }

        /**
         * Serves WebSocket upgrades at exactly {@code path}; {@code factory} makes one handler per
         * connection (returning {@code null} refuses it with 403).
         */
        public Builder route(String path, Function<HandshakeRequest, WebSocketHandler> factory) {
            routes.put(checkPath(path), Objects.requireNonNull(factory, "factory"));
            return this;
        }

        /** {@link #route(String, Function)} for handlers that do not look at the request. */
        public Builder route(String path, Supplier<WebSocketHandler> factory) {
            Objects.requireNonNull(factory, "factory");
            return route(path, request -> factory.get());
        }

        /** Serves {@code body} to plain HTTP GETs of exactly {@code path}, then closes the connection. */
        public Builder page(String path, String contentType, byte[] body) {
            pages.put(checkPath(path), new ServerHandshake.Page(contentType, body.clone()));
            return this;
        }

        /** The subprotocols we speak, in order of preference: the first one the client also offers wins. */
        public Builder subprotocols(String... names) {
            for (String n : names) {
                if (n.isEmpty() || !n.chars().allMatch(Tokens::isTchar)) {
                    throw new IllegalArgumentException("subprotocol must be a token: " + n);
                }
                subprotocols.add(n);
            }
            return this;
        }

        /** The origin policy; default {@link OriginPolicy#sameOriginOrAbsent()}. */
        public Builder originPolicy(OriginPolicy policy) {
            originPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Limits and behaviour; default {@link WebSocketOptions#DEFAULTS}. */
        public Builder options(WebSocketOptions o) {
            options = Objects.requireNonNull(o, "options");
            return this;
        }

        /** Returns the immutable server. */
        public WebSocketServer build() {
            return new WebSocketServer(new ServerHandshake(routes, pages, subprotocols, originPolicy, options));
        }

        private static String checkPath(String path) {
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("path must start with '/': " + path);
            }
            return path;
        }
    }
}
