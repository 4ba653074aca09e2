package org.openrtm.extension.util;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code ratePerSecond} tokens refill continuously up to {@code burst}; each publish takes one.
 * Thread-safe.
 */
public final class TokenBucket {

    private final double ratePerNano;
    private final double burst;
    private final LongSupplier nanoClock;
    private double tokens;
    private long last;

    public TokenBucket(final int ratePerSecond, final int burst, final LongSupplier nanoClock) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.nanoClock = nanoClock;
        this.tokens = burst;
        this.last = nanoClock.getAsLong();
    }

    /** Takes a token if there is one. */
    public synchronized boolean tryTake() {
        final long now = nanoClock.getAsLong();
        tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Seconds until the next token, rounded up (at least 1); for a retry hint. */
    public synchronized long secondsUntilNext() {
        final double missing = 1 - tokens;
        if (missing <= 0) {
            return 0;
        }
        return Math.max(1, (long) Math.ceil(missing / ratePerNano / 1e9));
    }
}
