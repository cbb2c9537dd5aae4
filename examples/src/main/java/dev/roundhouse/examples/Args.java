package dev.roundhouse.examples;

import java.util.HashMap;
import java.util.Map;

/** Minimal {@code --name value} option parsing for the commands; bad input throws IllegalArgumentException. */
public final class Args {
    private final Map<String, String> values = new HashMap<>();

    /**
     * @param args options as {@code --name value} pairs
     * @param allowed the option names this command takes, without dashes
     * @throws IllegalArgumentException on an unknown option or a missing value
     */
    public Args(String[] args, String... allowed) {
        java.util.Set<String> ok = java.util.Set.of(allowed);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || !ok.contains(a.substring(2))) {
                throw new IllegalArgumentException("unknown option '" + a + "'; options: --" + String.join(", --", allowed));
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            values.put(a.substring(2), args[++i]);
        }
    }

    /** The option's value, or {@code fallback}. */
    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /**
     * The option as a TCP port.
     *
     * @throws IllegalArgumentException unless 0..65535
     */
    public int port(int fallback) {
        String v = values.get("port");
        if (v == null) {
            return fallback;
        }
        try {
            int p = Integer.parseInt(v);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port needs a number from 0 to 65535, got '" + v + "'");
        }
    }
}
