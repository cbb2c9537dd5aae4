package dev.roundhouse.websocket;

import java.util.ArrayList;
import java.util.List;

/**
 * Hand-written, linear parsers for HTTP list headers: {@code #token} lists (Connection, Upgrade,
 * Sec-WebSocket-Protocol) and the extension grammar of RFC 6455 §9.1. No regular expressions: a
 * crafted header cannot make these backtrack (ws CVE-2021-32640). Each returns {@code null} for
 * malformed input.
 */
final class Tokens {
    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private Tokens() {
    }

    static boolean isTchar(int c) {
        return c >= 0 && c < 128 && TCHAR[c];
    }

    /** One extension of an extension list: its name and parameters in order (value {@code null} when absent). */
    record Extension(String name, List<String[]> params) {
        String param(String key) {
            for (String[] p : params) {
                if (p[0].equalsIgnoreCase(key)) {
                    return p[1] == null ? "" : p[1];
                }
            }
            return null;
        }
    }

    /** Parses {@code 1#token} with optional whitespace; empty elements are skipped (RFC 9110 §5.6.1). */
    static List<String> tokenList(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            i = skipOws(s, i);
            int start = i;
            while (i < n && isTchar(s.charAt(i))) {
                i++;
            }
            String tok = s.substring(start, i);
            i = skipOws(s, i);
            if (i < n && s.charAt(i) != ',') {
                return null;
            }
            if (!tok.isEmpty()) {
                out.add(tok);
            }
            i++;
        }
        return out;
    }

    /** Whether the token list {@code s} contains {@code token}, case-insensitively. */
    static boolean containsToken(String s, String token) {
        if (s == null) {
            return false;
        }
        List<String> list = tokenList(s);
        if (list == null) {
            return false;
        }
        for (String t : list) {
            if (t.equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    /** Parses {@code extension *( "," extension )}, {@code extension = token *( ";" param )}. */
    static List<Extension> extensions(String s) {
        List<Extension> out = new ArrayList<>();
        int[] pos = {0};
        int n = s.length();
        while (pos[0] < n) {
            pos[0] = skipOws(s, pos[0]);
            if (pos[0] < n && s.charAt(pos[0]) == ',') {
                pos[0]++;
                continue;
            }
            if (pos[0] >= n) {
                break;
            }
            String name = token(s, pos);
            if (name == null) {
                return null;
            }
            List<String[]> params = new ArrayList<>();
            pos[0] = skipOws(s, pos[0]);
            while (pos[0] < n && s.charAt(pos[0]) == ';') {
                pos[0] = skipOws(s, pos[0] + 1);
                String key = token(s, pos);
                if (key == null) {
                    return null;
                }
                String value = null;
                pos[0] = skipOws(s, pos[0]);
                if (pos[0] < n && s.charAt(pos[0]) == '=') {
                    pos[0] = skipOws(s, pos[0] + 1);
                    value = pos[0] < n && s.charAt(pos[0]) == '"' ? quoted(s, pos) : token(s, pos);
                    if (value == null) {
                        return null;
                    }
                    pos[0] = skipOws(s, pos[0]);
                }
                params.add(new String[] {key, value});
            }
            if (pos[0] < n && s.charAt(pos[0]) != ',') {
                return null;
            }
            out.add(new Extension(name, params));
        }
        return out;
    }

    private static String token(String s, int[] pos) {
        int start = pos[0];
        int i = start;
        while (i < s.length() && isTchar(s.charAt(i))) {
            i++;
        }
        pos[0] = i;
        return i == start ? null : s.substring(start, i);
    }

    /** A quoted-string whose content must itself be a token (RFC 6455 §9.1). */
    private static String quoted(String s, int[] pos) {
        int i = pos[0] + 1;
        StringBuilder sb = new StringBuilder();
        while (i < s.length() && s.charAt(i) != '"') {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                c = s.charAt(++i);
            }
            if (!isTchar(c)) {
                return null;
            }
            sb.append(c);
            i++;
        }
        if (i >= s.length() || sb.length() == 0) {
            return null;
        }
        pos[0] = i + 1;
        return sb.toString();
    }

    private static int skipOws(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }
}
