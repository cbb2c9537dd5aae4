package dev.roundhouse.loop;

import java.util.Objects;
import java.util.Set;

/**
 * What {@link Loops#backends()} says of one backend.
 *
 * @param name the backend's name, as {@link LoopOptions.Builder#backend(String)} takes it
 * @param priority higher wins when choosing automatically
 * @param available whether it can run here
 * @param unavailableReason why not (e.g. the native library's load error), or {@code null}
 * @param capabilities what it provides
 * @param isDefault whether automatic selection picks it here
 */
public record BackendInfo(String name, int priority, boolean available, String unavailableReason,
                          Set<Capability> capabilities, boolean isDefault) {
    /** Validates and copies. */
    public BackendInfo {
        Objects.requireNonNull(name, "name");
        capabilities = Set.copyOf(capabilities);
        if (!available && unavailableReason == null) {
            throw new IllegalArgumentException("an unavailable backend needs a reason: " + name);
        }
    }
}
