package dev.roundhouse.websocket;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The server side of the opening handshake (RFC 6455 §4.2): validates a parsed request and answers
 * with a 101 and the negotiated subprotocol and extension, a page, or an error with a reason.
 * Each check names what was wrong: 400 malformed, 403 origin or application refusal, 404 no route,
 * 405 not GET, 426 not a WebSocket request or wrong version (with {@code Sec-WebSocket-Version: 13}),
 * 505 not HTTP/1.1.
 *
 * <p><b>Thread:</b> immutable and shared by every connection of a server.
 */
final class ServerHandshake {
    record Page(String contentType, byte[] body) {
    }

    /** The outcome: {@code response} to write; {@code handler} non-null when upgraded. */
    record Outcome(byte[] response, int status, String reason, WebSocketHandler handler, String path,
                   String subprotocol, PerMessageDeflate deflate) {
        static Outcome refuse(int status, String reason) {
            return new Outcome(Handshakes.httpError(status, reason, ""), status, reason, null, null, "", null);
        }

        static Outcome refuse(int status, String reason, String headers) {
            return new Outcome(Handshakes.httpError(status, reason, headers), status, reason, null, null, "", null);
        }
    }

    private final Map<String, Function<HandshakeRequest, WebSocketHandler>> routes;
    private final Map<String, Page> pages;
    private final List<String> subprotocols;
    private final OriginPolicy originPolicy;
    final WebSocketOptions options;

    ServerHandshake(Map<String, Function<HandshakeRequest, WebSocketHandler>> routes, Map<String, Page> pages,
                    List<String> subprotocols, OriginPolicy originPolicy, WebSocketOptions options) {
        this.routes = Map.copyOf(routes);
        this.pages = Map.copyOf(pages);
        this.subprotocols = List.copyOf(subprotocols);
        this.originPolicy = originPolicy;
        this.options = options;
    }

    Outcome process(HttpHead req) {
        if (!req.part3.equals("HTTP/1.1")) {
            return Outcome.refuse(505, "HTTP/1.1 required, got " + req.part3);
        }
        if (!req.part1.equals("GET")) {
            return Outcome.refuse(405, "method must be GET, got " + req.part1, "Allow: GET\r\n");
        }
        String target = req.part2;
        if (!target.startsWith("/")) {
            return Outcome.refuse(400, "request target must be a path");
        }
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? "" : target.substring(q + 1);
        if (req.count("Host") != 1) {
            return Outcome.refuse(400, "exactly one Host header is required");
        }
        String upgrade = req.joined("Upgrade");
        if (upgrade == null) {
            Page page = pages.get(path);
            if (page != null) {
                return new Outcome(Handshakes.httpResponse(200, "OK", page.contentType(), page.body(), ""),
                        200, "page", null, path, "", null);
            }
            return routes.containsKey(path)
                    ? Outcome.refuse(426, "this is a WebSocket endpoint; send Upgrade: websocket",
                            "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n")
                    : Outcome.refuse(404, "no page or WebSocket route at " + path);
        }
        if (!Tokens.containsToken(upgrade, "websocket")) {
            return Outcome.refuse(400, "Upgrade must name websocket");
        }
        if (!Tokens.containsToken(req.joined("Connection"), "upgrade")) {
            return Outcome.refuse(400, "Connection must contain the upgrade token");
        }
        if (req.count("Sec-WebSocket-Version") != 1 || !"13".equals(req.first("Sec-WebSocket-Version"))) {
            return Outcome.refuse(426, "unsupported Sec-WebSocket-Version; only 13 is supported",
                    "Sec-WebSocket-Version: 13\r\n");
        }
        if (req.count("Sec-WebSocket-Key") != 1 || !Handshakes.isValidKey(req.first("Sec-WebSocket-Key"))) {
            return Outcome.refuse(400, "Sec-WebSocket-Key must be one base64-encoded 16-byte value");
        }
        Function<HandshakeRequest, WebSocketHandler> route = routes.get(path);
        if (route == null) {
            return Outcome.refuse(404, "no WebSocket route at " + path);
        }
        if (req.count("Origin") > 1) {
            return Outcome.refuse(400, "more than one Origin header");
        }
        if (!originPolicy.allows(req.first("Origin"), req.first("Host"))) {
            return Outcome.refuse(403, "origin not allowed: " + req.first("Origin"));
        }
        return negotiate(req, path, query, route);
    }

    private Outcome negotiate(HttpHead req, String path, String query, Function<HandshakeRequest, WebSocketHandler> route) {
        String chosen = "";
        String offered = req.joined("Sec-WebSocket-Protocol");
        if (offered != null) {
            List<String> list = Tokens.tokenList(offered);
            if (list == null) {
                return Outcome.refuse(400, "malformed Sec-WebSocket-Protocol");
            }
            chosen = choose(list);
        }
        PerMessageDeflate deflate = null;
        String exts = req.joined("Sec-WebSocket-Extensions");
        if (exts != null) {
            List<Tokens.Extension> parsed = Tokens.extensions(exts);
            if (parsed == null) {
                return Outcome.refuse(400, "malformed Sec-WebSocket-Extensions");
            }
            if (options.perMessageDeflate()) {
                List<String> declined = PerMessageDeflate.newDeclineList();
                deflate = PerMessageDeflate.serverAccept(parsed, options, declined);
                PerMessageDeflate.logDeclined(declined);
            }
        }
        WebSocketHandler handler;
        try {
            handler = route.apply(new HandshakeRequest(req, path, query, chosen));
        } catch (RuntimeException e) {
            System.getLogger(ServerHandshake.class.getName()).log(System.Logger.Level.WARNING,
                    "route for " + path + " threw", e);
            handler = null;
            if (deflate != null) {
                deflate.close();
            }
            return Outcome.refuse(500, "the application failed to accept the connection");
        }
        if (handler == null) {
            if (deflate != null) {
                deflate.close();
            }
            return Outcome.refuse(403, "refused by the application");
        }
        StringBuilder h = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Accept: ")
                .append(Handshakes.accept(req.first("Sec-WebSocket-Key"))).append("\r\n");
        if (!chosen.isEmpty()) {
            h.append("Sec-WebSocket-Protocol: ").append(chosen).append("\r\n");
        }
        if (deflate != null) {
            h.append("Sec-WebSocket-Extensions: ").append(deflate.header()).append("\r\n");
        }
        h.append("\r\n");
        return new Outcome(h.toString().getBytes(StandardCharsets.ISO_8859_1), 101, "upgraded", handler, path,
                chosen, deflate);
    }

    /** The first of our subprotocols, in our order of preference, that the client offered. */
    private String choose(List<String> offered) {
        for (String ours : subprotocols) {
            for (String theirs : offered) {
                if (ours.equals(theirs)) {
                    return ours;
                }
            }
        }
        return "";
    }
}
