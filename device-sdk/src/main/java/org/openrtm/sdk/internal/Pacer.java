package org.openrtm.sdk.internal;

/**
 * Keeps the client's publishes under the server's rate limit, so that the server never has to refuse one as
 * {@code rate_limited}. The server gives every connection a token bucket (the CONNACK tells its rate and burst:
 * {@code rtm-rate}, {@code rtm-rate-burst}); this is the same bucket on the sending side, with a smaller burst.
 *
 * <p>Why a smaller burst: the server counts publishes when they arrive, and a lossy link delivers them in clumps (TCP
 * holds back everything behind a lost segment, then hands it over at once). Publishes that were sent but have not
 * arrived are unacknowledged, so at most the Receive Maximum ({@code window}) of them can clump onto the ones sent
 * later. A sender that keeps to (rate, burst - window) therefore never exceeds (rate, burst) at the server, however
 * the link bunches its packets.
 *
 * <p>Before the first CONNACK with the properties (or with a server that does not send them) nothing is paced; a
 * {@code rate_limited} refusal then empties the bucket and holds every publish until the server's hint has passed
 * ({@link #refused}). Not thread-safe: engine thread only. Times are {@link System#nanoTime()} values.
 */
final class Pacer {

    private static final long SECOND = 1_000_000_000L;

    /** Tokens per nanosecond; 0 while the server's rate is unknown (no pacing). */
    private double ratePerNano;
    private double capacity;
    private double tokens;
    private long last;
    /** No publish before this time (after a refusal), or {@link Long#MIN_VALUE}. */
    private long holdUntil = Long.MIN_VALUE;
    private boolean holding;

    /**
     * Takes the server's limit from a CONNACK.
     *
     * @param ratePerSecond the server's rate, or 0 or less if the CONNACK did not say (pacing stays as it was)
     * @param burst         the server's burst
     * @param window        the server's Receive Maximum
     * @param now           the time
     */
    void limit(final long ratePerSecond, final long burst, final int window, final long now) {
        if (ratePerSecond <= 0 || burst <= 0) {
            return;
        }
        refill(now);
        final boolean first = ratePerNano == 0;
        ratePerNano = ratePerSecond / (double) SECOND;
        capacity = Math.max(1, burst - window);
        tokens = first ? capacity : Math.min(tokens, capacity);
        last = now;
    }

    /**
     * Takes a token for one publish.
     *
     * @return 0 if the publish may go now (a token was taken), else how many nanoseconds until it may
     */
    long take(final long now) {
        if (holding) {
            if (now - holdUntil < 0) {
                return holdUntil - now;
            }
            holding = false;
        }
        if (ratePerNano == 0) {
            return 0;
        }
        refill(now);
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) / ratePerNano));
    }

    /**
     * The server refused a publish as {@code rate_limited}: nothing more goes out until {@code retryAfterNanos} (the
     * server's hint, at least one token's time) has passed, and the bucket is emptied (it refills meanwhile).
     */
    void refused(final long retryAfterNanos, final long now) {
        refill(now);
        tokens = 0;
        final long oneToken = ratePerNano == 0 ? 0 : (long) Math.ceil(1 / ratePerNano);
        final long until = now + Math.max(retryAfterNanos, oneToken);
        if (!holding || until - holdUntil > 0) {
            holdUntil = until;
        }
        holding = true;
    }

    private void refill(final long now) {
        if (ratePerNano > 0) {
            tokens = Math.min(capacity, tokens + (now - last) * ratePerNano);
        }
        last = now;
    }
}
