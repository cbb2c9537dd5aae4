package dev.roundhouse.loop.internal;

/** Readable names for callbacks in stall reports and exception contexts. */
public final class Names {
    private Names() {
    }

    /** An engine wrapper around a user's callback: reports name the callback it wraps. */
    interface Wrapper {
        Object wrapped();
    }

    /**
     * The simple class name of {@code callback} (of the callback it wraps, for an engine wrapper),
     * with a lambda's synthetic suffix cut off.
     */
    public static String of(Object callback) {
        while (callback instanceof Wrapper) {
            callback = ((Wrapper) callback).wrapped();
        }
        if (callback == null) {
            return "null";
        }
        if (callback instanceof CharSequence) {
            return callback.toString();
        }
        String n = callback.getClass().getName();
        int lambda = n.indexOf("$$Lambda");
        if (lambda >= 0) {
            n = n.substring(0, lambda) + " (lambda)";
        }
        int dot = n.lastIndexOf('.');
        return dot >= 0 ? n.substring(dot + 1) : n;
    }
}
