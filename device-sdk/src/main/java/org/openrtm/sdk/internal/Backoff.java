package org.openrtm.sdk.internal;

import java.time.Duration;

/**
 * Exponential backoff with jitter: attempt n (from 1) waits {@code min(max, initial * 2^(n-1))}, of which the share
 * {@code jitter} is random ("equal jitter" for 0.5, "full jitter" for 1). Immutable; pure.
 */
final class Backoff {

    private final long initialMillis;
    private final long maxMillis;
    private final double jitter;

    Backoff(final Duration initial, final Duration max, final double jitter) {
        this.initialMillis = Math.max(1, initial.toMillis());
        this.maxMillis = Math.max(initialMillis, max.toMillis());
        this.jitter = jitter;
    }

    /**
     * The delay before an attempt.
     *
     * @param attempt the attempt, 1 for the first retry
     * @param random  a random number in [0, 1)
     * @return milliseconds to wait
     */
    long delayMillis(final int attempt, final double random) {
        final int shift = Math.min(Math.max(attempt, 1) - 1, 40);
        final double base = Math.min((double) maxMillis, initialMillis * Math.pow(2, shift));
        return Math.round(base * (1 - jitter * random));
    }
}
