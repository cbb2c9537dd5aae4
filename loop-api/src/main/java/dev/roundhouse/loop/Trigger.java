package dev.roundhouse.loop;

/**
 * How a readiness {@link Registration} reports a condition that persists.
 *
 * <p>See DESIGN.md, "Readiness contract"; the conformance suite checks each clause.
 */
public enum Trigger {
    /** While the condition holds, the handler is called again on every loop iteration. */
    LEVEL,
    /**
     * Portable edge contract: after a notification there is no further notification for that
     * interest until the condition has become false (the consumer read or wrote until it would
     * block) and true again. Backends declaring {@link Capability#NATIVE_EDGE} also notify on
     * every new arrival without a drain; on others (the Selector backend) edge is emulated and the
     * backend learns of the drain from {@link Registration#read}/{@link Registration#write}
     * returning would-block, or {@link Registration#rearm()}.
     */
    EDGE,
    /**
     * Exactly one notification, then the interest is disabled until {@link Registration#rearm()};
     * re-arming a handle that is still ready yields a notification promptly.
     */
    ONESHOT
}
