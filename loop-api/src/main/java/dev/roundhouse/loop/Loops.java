package dev.roundhouse.loop;

import dev.roundhouse.loop.internal.Backends;
import dev.roundhouse.loop.internal.LoopEngine;
import dev.roundhouse.loop.spi.BackendProvider;
import java.util.List;

/**
 * Opens loops and lists backends. Backends are found with {@link java.util.ServiceLoader}; the
 * best available one wins by priority unless one is forced, by
 * {@link LoopOptions.Builder#backend(String)} or else by the system property
 * {@code -Droundhouse.backend=NAME}.
 *
 * <p><b>Thread:</b> any thread.
 */
public final class Loops {
    private Loops() {
    }

    /**
     * Opens a loop on the default backend with default options; its thread is started and ready
     * when this returns.
     *
     * @throws IllegalStateException if no backend is available (the message lists why each is not)
     */
    public static EventLoop open() {
        return open(LoopOptions.DEFAULTS);
    }

    /**
     * Opens a loop with {@code options}.
     *
     * @throws IllegalArgumentException if the forced backend does not exist
     * @throws IllegalStateException if the forced backend is unavailable (with its reason) or lacks a
     *     {@linkplain LoopOptions#requiredCapabilities() required capability}, or no backend qualifies
     */
    public static EventLoop open(LoopOptions options) {
        BackendProvider provider = Backends.select(Backends.providers(), options.backend(),
                options.requiredCapabilities());
        return LoopEngine.start(provider, options);
    }

    /**
     * Opens a group of {@code size} loops on the same backend.
     *
     * @throws IllegalArgumentException if {@code size < 1}
     */
    public static LoopGroup group(int size, LoopOptions options) {
        return new LoopGroup(size, options);
    }

    /**
     * Every backend on the class path, highest priority first: available or why not, its
     * capabilities, and which one automatic selection picks here.
     */
    public static List<BackendInfo> backends() {
        return Backends.list();
    }

    /** The name of the backend that {@link #open()} would use now (property included). */
    public static String defaultBackend() {
        return Backends.select(null).name();
    }
}
