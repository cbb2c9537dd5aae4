package dev.roundhouse.examples.ws;

import dev.roundhouse.websocket.CloseStatus;
import dev.roundhouse.websocket.HandshakeRequest;
import dev.roundhouse.websocket.WebSocket;
import dev.roundhouse.websocket.WebSocketHandler;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One chat room on one loop: every member's text goes to every member as a small JSON object
 * ({@code {"from":..., "text":...}}), with join and leave notices. A member whose socket is not
 * keeping up (not writable) misses messages instead of pinning memory.
 *
 * <p><b>Thread:</b> the loop thread only (all members share the server's loop).
 */
public final class ChatRoom {
    /** Longest chat line accepted, in characters. */
    static final int MAX_TEXT_CHARS = 2000;
    private final Set<WebSocket> members = new LinkedHashSet<>();

    /** A handler for one member; the nickname comes from the {@code name} query parameter. */
    public WebSocketHandler join(HandshakeRequest request) {
        String name = nickname(request.query());
        return new WebSocketHandler() {
            @Override
            public void onOpen(WebSocket ws) {
                members.add(ws);
                broadcast("*", name + " joined (" + members.size() + " here)");
            }

            @Override
            public void onText(WebSocket ws, String text) {
                String t = text.strip();
                if (!t.isEmpty()) {
                    broadcast(name, t.length() > MAX_TEXT_CHARS ? t.substring(0, MAX_TEXT_CHARS) : t);
                }
            }

            @Override
            public void onClosed(WebSocket ws, CloseStatus status, Throwable cause) {
                if (members.remove(ws)) {
                    broadcast("*", name + " left");
                }
            }
        };
    }

    /** How many members are connected. */
    public int size() {
        return members.size();
    }

    private void broadcast(String from, String text) {
        String json = "{\"from\":" + quote(from) + ",\"text\":" + quote(text) + "}";
        for (WebSocket m : members) {
            if (m.isOpen() && m.isWritable()) {
                m.sendText(json);
            }
        }
    }

    static String nickname(String query) {
        for (String kv : query.split("&")) {
            if (kv.startsWith("name=")) {
                String n = URLDecoder.decode(kv.substring(5), StandardCharsets.UTF_8).strip();
                if (!n.isEmpty()) {
                    return n.length() > 32 ? n.substring(0, 32) : n;
                }
            }
        }
        return "guest";
    }

    /** A JSON string literal. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
