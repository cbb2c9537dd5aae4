package dev.roundhouse.loop.iocp;

/**
 * When a {@link DirectPort} looks at its port while the loop does not wait in it: while tasks or
 * completions keep the loop busy, and while the engine spins toward a near timer. A look wakes the
 * port first so that the wait in it returns at once, which makes it a wake byte's round trip
 * (12&ndash;40 &micro;s on the VM of 2026-12-06), so looks are rationed here: only while an
 * operation waits in the port, at most once per {@link #CHECK_INTERVAL_NANOS}, never past a near
 * timer ({@link #putOff}), and a stretch that tasks keep busy hands the wait to the JDK's thread
 * after {@link #LOOKS_BEFORE_RELEASE} looks instead ({@link #releaseInstead}).
 *
 * <p>Bookkeeping only: the port passes the clock and how many operations wait in it, and does the
 * looking. <b>Thread:</b> the loop thread only.
 */
final class LookSchedule {
    /** How often a busy loop looks at the port at most; a look costs a wake byte's round trip. */
    static final long CHECK_INTERVAL_NANOS = 50_000;
    /**
     * The longest a spinning loop puts its looks off because its timer is near ({@link #putOff}): a
     * loop whose timers come back to back closer than a look takes still looks this often, one
     * timer then that much late, rather than leaving its I/O unseen until the timers stop.
     */
    static final long MAX_DEFERRAL_NANOS = 4 * CHECK_INTERVAL_NANOS;
    /**
     * Looks at the port in one stretch of polls with tasks waiting (the engine's timeout 0, no poll
     * without a task between them) after which the loop hands the wait to the JDK's I/O thread
     * instead ({@link HandOver#release}); negative: never. Completions alone never release it: a
     * loop kept busy by its own I/O waits in the port itself.
     * {@code -Droundhouse.iocp.looksBeforeRelease=N} sets it (for comparisons).
     */
    static final int LOOKS_BEFORE_RELEASE = Integer.getInteger("roundhouse.iocp.looksBeforeRelease", 2);

    /** When the port last returned (a look, a wait, the port taken back); 0: never. */
    private long lastReturnNanos;
    /** What a look has taken lately: a moving average, each look at most {@link #CHECK_INTERVAL_NANOS}. */
    private long lookNanos;
    /** Looks in the current stretch of polls with tasks waiting. */
    private int busyLooks;
    private int looksBeforeRelease = LOOKS_BEFORE_RELEASE;
    private long maxDeferralNanos = MAX_DEFERRAL_NANOS;
    private long looks;
    private long skipped;
    private long deferred;

    /**
     * Whether a look could find anything ({@code outstanding} operations wait in the port; with
     * none nothing can come out, and the look is counted as skipped) and the port last returned
     * {@link #CHECK_INTERVAL_NANOS} or more before {@code now}.
     */
    boolean due(long now, int outstanding) {
        if (outstanding == 0) {
            skipped++;
            return false;
        }
        return now - lastReturnNanos >= CHECK_INTERVAL_NANOS;
    }

    /**
     * A busy poll found a look due: whether to hand the port's wait to the JDK's thread instead of
     * looking. With {@code tasksWaiting} the look counts toward {@link #LOOKS_BEFORE_RELEASE} in
     * the current stretch, and the one past it releases (and starts a new stretch); without (only
     * completions keep the loop busy) the stretch has ended and it never releases.
     */
    boolean releaseInstead(boolean tasksWaiting) {
        if (!tasksWaiting) {
            busyLooks = 0;
            return false;
        }
        if (looksBeforeRelease >= 0 && busyLooks >= looksBeforeRelease) {
            busyLooks = 0;
            return true;
        }
        busyLooks++;
        return false;
    }

    /**
     * A loop spinning toward a timer due in {@code dueInNanos} found a look due: whether to put it
     * off. It is put off (and counted) when the timer is due within twice what a look has taken
     * lately, a timer due now (0) included, unless looks have been put off for
     * {@link #MAX_DEFERRAL_NANOS} already: a look straddling the deadline makes the timer that
     * late, while what it would find waits only until the timer has run. Measured (a loop with a
     * listener firing 100 &micro;s timers back to back, 20,000 per round, both JDKs, 2026-12-06):
     * lateness mean 1.6&ndash;3.7 &micro;s and p99 17&ndash;31 &micro;s with every due look made,
     * 0.22&ndash;0.67 and 0.2&ndash;2.9 with twice the average look as the bound (as without a
     * listener); once the average, p99 still 14&ndash;38 (looks vary). A look not put off ends a
     * stretch that tasks kept busy: no task waits while the loop spins, so it never counts toward
     * a release.
     */
    boolean putOff(long now, long dueInNanos) {
        if (dueInNanos <= 2 * lookNanos && now - lastReturnNanos < maxDeferralNanos) {
            deferred++;
            return true;
        }
        busyLooks = 0;
        return false;
    }

    /** The loop waits in the port with no task waiting: the stretch that tasks kept busy has ended. */
    void stretchEnded() {
        busyLooks = 0;
    }

    /** A look took {@code nanos}: counts it and moves the average a quarter of the way. */
    void lookTook(long nanos) {
        looks++;
        long took = Math.min(nanos, CHECK_INTERVAL_NANOS);
        lookNanos += (took - lookNanos) / 4; // a preempted look moves it by a quarter, at most 12.5 us
    }

    /** The port returned at {@code now} (after a look, a wait, or taken back from the JDK's thread). */
    void portReturned(long now) {
        lastReturnNanos = now;
    }

    /** Looks made (each at the price of a wake byte). */
    long looks() {
        return looks;
    }

    /** Looks left out because no operation waited in the port. */
    long skipped() {
        return skipped;
    }

    /** Looks a spinning loop put off because its timer was near ({@link #putOff}). */
    long deferred() {
        return deferred;
    }

    /** What a look has taken lately, in ns (0 before the first). */
    long lookNanos() {
        return lookNanos;
    }

    /** For tests: looks in one stretch with tasks waiting before a release; negative: never. */
    void looksBeforeRelease(int n) {
        looksBeforeRelease = n;
    }

    /**
     * For tests: how long looks may be put off ({@link #MAX_DEFERRAL_NANOS} by default); a test that
     * checks the put-off rule on a real port, whose thread may be held off past the bound, lifts it.
     */
    void maxDeferralNanos(long nanos) {
        maxDeferralNanos = nanos;
    }
}
