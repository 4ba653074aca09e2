package org.openrtm.extension.flood;

import org.jetbrains.annotations.NotNull;

import java.time.Duration;

/**
 * When a connection that keeps sending over its rate limit is disconnected, and how long its user is then refused.
 *
 * @param refusals rate_limited refusals within {@code window} that make a connection a flooder; 0 turns flood
 *                 disconnects off
 * @param window   the time within which the refusals are counted; positive
 * @param ban      how long a user disconnected for flooding is refused at CONNECT; zero for not at all
 */
public record FloodPolicy(int refusals, @NotNull Duration window, @NotNull Duration ban) {

    /**
     * @throws IllegalArgumentException if {@code refusals} is negative, {@code window} not positive or {@code ban}
     *                                  negative
     */
    public FloodPolicy {
        if (refusals < 0) {
            throw new IllegalArgumentException("refusals must be 0 or more, but was " + refusals);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive, but was " + window);
        }
        if (ban.isNegative()) {
            throw new IllegalArgumentException("ban must be zero or positive, but was " + ban);
        }
    }

    /** Flood disconnects turned off. */
    public static @NotNull FloodPolicy off() {
        return new FloodPolicy(0, Duration.ofSeconds(10), Duration.ZERO);
    }

    /** Whether connections are ever disconnected for flooding. */
    public boolean enabled() {
        return refusals > 0;
    }
}
