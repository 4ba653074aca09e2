package org.openrtm.extension.flood;

/**
 * Counts one connection's rate_limited refusals and says when they reach the policy's count within its window. A
 * window opens with the first refusal after the previous one has run out. Trips at most once: a tripped connection
 * is on its way out. Thread-safe (the lock is uncontended: HiveMQ judges one publish of a client at a time).
 */
public final class RefusalWindow {

    private final int limit;
    private final long windowNanos;
    private long start;
    private int count;
    private boolean tripped;

    RefusalWindow(final FloodPolicy policy) {
        this.limit = policy.refusals();
        this.windowNanos = policy.window().toNanos();
    }

    /**
     * Counts a refusal.
     *
     * @param nowNanos the time of the refusal ({@link System#nanoTime()} scale)
     * @return true exactly once: when this refusal is the policy's count within one window
     */
    public synchronized boolean refused(final long nowNanos) {
        if (limit == 0 || tripped) {
            return false;
        }
        if (count == 0 || nowNanos - start > windowNanos) {
            start = nowNanos;
            count = 0;
        }
        count++;
        if (count >= limit) {
            tripped = true;
            return true;
        }
        return false;
    }

    /** Whether this connection was found flooding. */
    public synchronized boolean tripped() {
        return tripped;
    }
}
