package dev.roundhouse.loop.unix;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The running kernel's release ({@code os.version}, e.g. {@code 6.18.44-fc-v1272}), for features
 * the kernel has no cheaper way to ask about. Any thread; no state.
 */
public final class KernelRelease {
    private static final Pattern MAJOR_MINOR = Pattern.compile("^(\\d+)\\.(\\d+)");

    private KernelRelease() {
    }

    /** Whether this JVM's kernel ({@code os.version}) is at least {@code major.minor}. */
    public static boolean atLeast(int major, int minor) {
        return atLeast(System.getProperty("os.version", ""), major, minor);
    }

    /**
     * Whether {@code release} is at least {@code major.minor}; false for a null or unparsable
     * release (a feature is not assumed where the version cannot be told).
     */
    public static boolean atLeast(String release, int major, int minor) {
        if (release == null) {
            return false;
        }
        Matcher m = MAJOR_MINOR.matcher(release);
        if (!m.find()) {
            return false;
        }
        int ma;
        int mi;
        try {
            ma = Integer.parseInt(m.group(1));
            mi = Integer.parseInt(m.group(2));
        } catch (NumberFormatException e) {
            return false; // digits beyond int range
        }
        return ma > major || (ma == major && mi >= minor);
    }
}
