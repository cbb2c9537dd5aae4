package dev.roundhouse.loop.internal;

import dev.roundhouse.loop.Interest;

/** Receives level-triggered readiness of a socket the engine drives. Loop thread only. */
@FunctionalInterface
public interface IoReadyListener {
    /** {@code ready} is never {@link Interest#NONE}. */
    void onReady(Interest ready);
}
