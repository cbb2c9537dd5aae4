package dev.roundhouse.websocket;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A parsed HTTP/1.1 request or response head: the start line split into its three parts and the
 * header fields in order. Names compare case-insensitively (RFC 9110 §5.1).
 */
final class HttpHead {
    /** Request: method; response: version. */
    final String part1;
    /** Request: target; response: status code. */
    final String part2;
    /** Request: version; response: reason phrase (possibly empty). */
    final String part3;
    private final List<String> names = new ArrayList<>();
    private final List<String> values = new ArrayList<>();

    HttpHead(String part1, String part2, String part3) {
        this.part1 = part1;
        this.part2 = part2;
        this.part3 = part3;
    }

    void add(String name, String value) {
        names.add(name.toLowerCase(Locale.ROOT));
        values.add(value);
    }

    int size() {
        return names.size();
    }

    /** How many fields are called {@code name}. */
    int count(String name) {
        int n = 0;
        for (String s : names) {
            if (s.equalsIgnoreCase(name)) {
                n++;
            }
        }
        return n;
    }

    /** The first field called {@code name}, or {@code null}. */
    String first(String name) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                return values.get(i);
            }
        }
        return null;
    }

    /** All fields called {@code name} joined with {@code ", "} (RFC 9110 §5.3), or {@code null}. */
    String joined(String name) {
        StringBuilder sb = null;
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                if (sb == null) {
                    sb = new StringBuilder(values.get(i));
                } else {
                    sb.append(", ").append(values.get(i));
                }
            }
        }
        return sb == null ? null : sb.toString();
    }
}
