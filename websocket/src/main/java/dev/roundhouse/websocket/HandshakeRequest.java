package dev.roundhouse.websocket;

/**
 * What a server route sees of an accepted upgrade request, to choose or configure its handler.
 *
 * <p><b>Thread:</b> immutable; made on the loop thread.
 */
public final class HandshakeRequest {
    private final HttpHead head;
    private final String path;
    private final String query;
    private final String subprotocol;

    HandshakeRequest(HttpHead head, String path, String query, String subprotocol) {
        this.head = head;
        this.path = path;
        this.query = query;
        this.subprotocol = subprotocol;
    }

    /** The path of the request target, without the query. */
    public String path() { return path; }

    /** The query (after {@code ?}), or {@code ""}. */
    public String query() { return query; }

    /** The subprotocol the server chose, or {@code ""}. */
    public String subprotocol() { return subprotocol; }

    /** The first header called {@code name} (case-insensitive), or {@code null}. */
    public String header(String name) { return head.first(name); }

    /** The {@code Origin} header, or {@code null}. */
    public String origin() { return head.first("Origin"); }
}
