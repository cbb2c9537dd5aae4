package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.BackendInfo;
import dev.roundhouse.loop.Capability;
import dev.roundhouse.loop.LoopOptions;
import dev.roundhouse.loop.spi.Availability;
import dev.roundhouse.loop.spi.BackendProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Finds backends with {@link ServiceLoader} and chooses one. Internal: use
 * {@link dev.roundhouse.loop.Loops}.
 */
public final class Backends {
    private static volatile List<BackendProvider> cached;

    private Backends() {
    }

    /** Every provider on the class path, highest priority first (names break ties). */
    public static List<BackendProvider> providers() {
        List<BackendProvider> list = cached;
        if (list == null) {
            List<BackendProvider> found = new ArrayList<>();
            ServiceLoader<BackendProvider> loader =
                    ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader());
            for (var it = loader.iterator(); ; ) {
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    found.add(it.next());
                } catch (ServiceConfigurationError e) {
                    System.getLogger("dev.roundhouse.loop").log(System.Logger.Level.WARNING,
                            "a backend provider could not be loaded and is ignored", e);
                }
            }
            found.sort(Comparator.comparingInt(BackendProvider::priority).reversed()
                    .thenComparing(BackendProvider::name));
            list = List.copyOf(found);
            cached = list;
        }
        return list;
    }

    /**
     * Chooses the backend: {@code forced}, else the system property, else the best available.
     *
     * @throws IllegalArgumentException if a forced name is unknown
     * @throws IllegalStateException if the forced backend is unavailable, or no backend is
     */
    public static BackendProvider select(String forced) {
        return select(providers(), forced, Set.of());
    }

    /**
     * Chooses among {@code providers} (highest priority first): {@code forced}, else the system
     * property, else the best available one with every {@code required} capability.
     *
     * @throws IllegalArgumentException if a forced name is unknown
     * @throws IllegalStateException if the forced backend is unavailable or lacks a required
     *     capability, or no backend qualifies (the message says why each does not)
     */
    public static BackendProvider select(List<BackendProvider> providers, String forced, Set<Capability> required) {
        String name = forced != null ? forced : System.getProperty(LoopOptions.BACKEND_PROPERTY);
        if (name != null && !name.isBlank()) {
            BackendProvider p = providers.stream().filter(b -> b.name().equals(name.trim())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no backend named '" + name
                            + "'; known: " + providers.stream().map(BackendProvider::name)
                            .collect(Collectors.joining(", "))));
            Availability a = p.availability();
            if (!a.available()) {
                throw new IllegalStateException("backend '" + name + "' is not available: " + a.reason());
            }
            Set<Capability> missing = missing(p, required);
            if (!missing.isEmpty()) {
                throw new IllegalStateException("backend '" + name + "' does not provide " + missing
                        + ", which the loop's options require");
            }
            return p;
        }
        for (BackendProvider p : providers) {
            if (p.availability().available() && missing(p, required).isEmpty()) {
                return p;
            }
        }
        if (required.isEmpty()) {
            throw new IllegalStateException("no Roundhouse backend is available: " + describe(providers));
        }
        throw new IllegalStateException("no available Roundhouse backend provides " + new TreeSet<>(required) + ": "
                + providers.stream().map(p -> p.name() + ": " + (p.availability().available()
                        ? "lacks " + missing(p, required) : p.availability().reason()))
                .collect(Collectors.joining("; ")));
    }

    private static Set<Capability> missing(BackendProvider p, Set<Capability> required) {
        if (required.isEmpty()) {
            return Set.of();
        }
        Set<Capability> m = new TreeSet<>(required);
        m.removeAll(p.capabilities());
        return m;
    }

    /** The listing behind {@link dev.roundhouse.loop.Loops#backends()}. */
    public static List<BackendInfo> list() {
        String chosen;
        try {
            chosen = select(null).name();
        } catch (RuntimeException e) {
            chosen = null;
        }
        List<BackendInfo> out = new ArrayList<>();
        for (BackendProvider p : providers()) {
            Availability a = p.availability();
            out.add(new BackendInfo(p.name(), p.priority(), a.available(), a.reason(), p.capabilities(),
                    p.name().equals(chosen)));
        }
        return List.copyOf(out);
    }

    private static String describe(List<BackendProvider> providers) {
        if (providers.isEmpty()) {
            return "none on the class path (add loop-nio, the portable fallback)";
        }
        return providers.stream().map(p -> p.name() + ": " + p.availability().reason())
                .collect(Collectors.joining("; "));
    }
}
