package dev.roundhouse.websocket;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The client side of the opening handshake (RFC 6455 §4.1): the request, and the checks on the
 * server's answer (§4.1 items 1–6 of the client's validation): status 101, {@code Upgrade},
 * {@code Connection}, the exact {@code Sec-WebSocket-Accept}, a subprotocol we offered, and only
 * extension parameters our offer allows.
 *
 * <p><b>Thread:</b> one per connection attempt; the loop thread.
 */
final class ClientHandshake {
    private final String key = Handshakes.newKey();
    private final byte[] request;
    private final List<String> subprotocols;
    private final WebSocketOptions options;
    final String path;

    ClientHandshake(URI uri, List<String> subprotocols, Map<String, String> headers, WebSocketOptions options) {
        this.subprotocols = List.copyOf(subprotocols);
        this.options = options;
        String rawPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        this.path = rawPath;
        String target = uri.getRawQuery() == null ? rawPath : rawPath + "?" + uri.getRawQuery();
        int port = uri.getPort();
        String host = uri.getHost().indexOf(':') >= 0 && !uri.getHost().startsWith("[")
                ? "[" + uri.getHost() + "]" : uri.getHost();
        StringBuilder r = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(port < 0 || port == 80 ? "" : ":" + port).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        if (!subprotocols.isEmpty()) {
            r.append("Sec-WebSocket-Protocol: ").append(String.join(", ", subprotocols)).append("\r\n");
        }
        if (options.perMessageDeflate()) {
            r.append("Sec-WebSocket-Extensions: ").append(PerMessageDeflate.clientOffer(options)).append("\r\n");
        }
        for (Map.Entry<String, String> e : headers.entrySet()) {
            r.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
        }
        r.append("\r\n");
        this.request = r.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    byte[] request() {
        return request;
    }

    /** The negotiated outcome of a valid answer. */
    record Accepted(String subprotocol, PerMessageDeflate deflate) {
    }

    /**
     * @throws HandshakeException naming the first thing wrong with the answer
     */
    Accepted validate(HttpHead resp) {
        int status = Integer.parseInt(resp.part2);
        if (!resp.part1.equals("HTTP/1.1")) {
            throw new HandshakeException(status, "server answered with " + resp.part1 + ", not HTTP/1.1");
        }
        if (status != 101) {
            throw new HandshakeException(status, "server refused the upgrade: " + status + " " + resp.part3);
        }
        if (!Tokens.containsToken(resp.joined("Upgrade"), "websocket")) {
            throw new HandshakeException(status, "response lacks Upgrade: websocket");
        }
        if (!Tokens.containsToken(resp.joined("Connection"), "upgrade")) {
            throw new HandshakeException(status, "response lacks Connection: upgrade");
        }
        if (resp.count("Sec-WebSocket-Accept") != 1 || !Handshakes.accept(key).equals(resp.first("Sec-WebSocket-Accept"))) {
            throw new HandshakeException(status, "wrong Sec-WebSocket-Accept");
        }
        String proto = resp.joined("Sec-WebSocket-Protocol");
        if (proto != null && (resp.count("Sec-WebSocket-Protocol") != 1 || !subprotocols.contains(proto))) {
            throw new HandshakeException(status, "server chose a subprotocol we did not offer: " + proto);
        }
        String exts = resp.joined("Sec-WebSocket-Extensions");
        PerMessageDeflate deflate = exts == null ? null : PerMessageDeflate.clientAccept(exts, options);
        return new Accepted(proto == null ? "" : proto, deflate);
    }
}
