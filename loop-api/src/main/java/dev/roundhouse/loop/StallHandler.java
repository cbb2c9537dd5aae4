package dev.roundhouse.loop;

/**
 * Told when one callback keeps the loop thread busy longer than
 * {@link LoopOptions#stallThresholdNanos()} (asyncio's debug-mode "slow callback" report).
 *
 * <p><b>Thread:</b> called on the shared watchdog thread ({@code roundhouse-watchdog}), not the
 * loop thread, while the callback is still running: a callback that never returns is reported
 * too. Reported once per stalled callback. Must not block.
 */
@FunctionalInterface
public interface StallHandler {

    /**
     * @param loop the stalled loop
     * @param callback a description of the running callback (its class or given name)
     * @param blockedNanos how long it had been running when detected (at least the threshold)
     */
    void onStall(EventLoop loop, String callback, long blockedNanos);
}
