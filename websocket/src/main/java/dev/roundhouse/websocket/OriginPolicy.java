package dev.roundhouse.websocket;

import java.util.Locale;
import java.util.Set;

/**
 * Decides whether a server accepts an upgrade carrying a given {@code Origin}: the defence
 * against cross-site WebSocket hijacking, where a page on another site opens a socket to us with
 * the user's cookies. Browsers always send {@code Origin}; other clients usually do not.
 *
 * <p><b>The default</b> ({@link #sameOriginOrAbsent()}) accepts a request without {@code Origin}
 * (command-line and server-to-server clients, which no browser attacker can impersonate) and one
 * whose origin's host and port equal the request's {@code Host} (a page we served ourselves); it
 * refuses every other origin, including {@code null}, with 403.
 *
 * <p><b>Thread:</b> called on the loop thread during the handshake; implementations must be
 * thread-safe if shared between loops.
 */
@FunctionalInterface
public interface OriginPolicy {

    /**
     * @param origin the {@code Origin} header, or {@code null} when absent
     * @param host the {@code Host} header (always present: requests without one get 400)
     * @return whether to accept the upgrade
     */
    boolean allows(String origin, String host);

    /** The default; see the class comment. */
    static OriginPolicy sameOriginOrAbsent() {
        return (origin, host) -> origin == null || sameHostPort(origin, host);
    }

    /** Accepts every origin: only for servers that use no ambient credentials (cookies). */
    static OriginPolicy any() {
        return (origin, host) -> true;
    }

    /** Accepts requests without {@code Origin} and exactly the listed origins (e.g. {@code "https://example.com"}). */
    static OriginPolicy allowList(String... origins) {
        Set<String> allowed = new java.util.HashSet<>();
        for (String o : origins) {
            allowed.add(o.toLowerCase(Locale.ROOT));
        }
        return (origin, host) -> origin == null || allowed.contains(origin.toLowerCase(Locale.ROOT));
    }

    /** Whether {@code origin}'s host and port (default port by scheme) equal {@code host}'s (default 80). */
    static boolean sameHostPort(String origin, String host) {
        String o = origin.toLowerCase(Locale.ROOT);
        int sep = o.indexOf("://");
        if (sep <= 0 || host == null) {
            return false;
        }
        String scheme = o.substring(0, sep);
        String hostPort = o.substring(sep + 3);
        if (hostPort.isEmpty() || hostPort.indexOf('/') >= 0) {
            return false;
        }
        String defaultPort = scheme.equals("https") ? "443" : scheme.equals("http") ? "80" : null;
        if (defaultPort == null) {
            return false;
        }
        return withPort(hostPort, defaultPort).equals(withPort(host.toLowerCase(Locale.ROOT), "80"));
    }

    private static String withPort(String hostPort, String defaultPort) {
        int close = hostPort.lastIndexOf(']');
        int colon = hostPort.lastIndexOf(':');
        return colon > close ? hostPort : hostPort + ":" + defaultPort;
    }
}
