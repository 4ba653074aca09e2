package org.openrtm.gateway.internal.session;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets for logins: one per source IP address (the port is not part of the key: a guesser picks ports
 * freely) and one for the whole gateway. A login spends a token of its address's bucket, then one of the global
 * bucket; without one it is refused with the time until the next token. Thread-safe: each bucket is its own monitor,
 * the map is concurrent; {@link #sweep} drops full buckets so that the map holds only recently active addresses.
 */
public final class LoginThrottle {

    /** At most this many addresses are tracked; beyond it (a flood from spoofed sources) only the global bucket counts. */
    static final int MAX_TRACKED = 100_000;

    /** Why a login was refused. */
    public record Refusal(@NotNull String setting, int perSecond, int burst, long retrySeconds) {
        /** The sentence for the device. */
        public @NotNull String reason(final @NotNull String scope) {
            return "too many logins " + scope + ": at most " + burst + " at once and " + perSecond + " per second ("
                    + setting + "); try again in " + retrySeconds + " s";
        }
    }

    private final boolean loopbackToo;
    private final int perAddressRate;
    private final int perAddressBurst;
    private final int globalRate;
    private final int globalBurst;
    private final Bucket global;
    private final Map<InetAddress, Bucket> byAddress = new ConcurrentHashMap<>();

    /**
     * @param perAddressRate  tokens per second of each address's bucket
     * @param perAddressBurst capacity of each address's bucket
     * @param loopbackToo     whether loopback addresses have buckets of their own (else only the global one)
     * @param globalRate      tokens per second of the gateway's bucket
     * @param globalBurst     capacity of the gateway's bucket
     */
    public LoginThrottle(final int perAddressRate, final int perAddressBurst, final boolean loopbackToo,
                         final int globalRate, final int globalBurst) {
        this.loopbackToo = loopbackToo;
        this.perAddressRate = perAddressRate;
        this.perAddressBurst = perAddressBurst;
        this.globalRate = globalRate;
        this.globalBurst = globalBurst;
        this.global = new Bucket(globalRate, globalBurst, System.nanoTime());
    }

    /**
     * A login from {@code from}: takes a token or says why not.
     *
     * @return null when the login may go on, otherwise the refusal and which limit it hit
     */
    public @Nullable Refused acquire(final @NotNull InetAddress from, final long nowNanos) {
        Bucket b = loopbackToo || !from.isLoopbackAddress() ? byAddress.get(from) : null;
        if (b == null && (loopbackToo || !from.isLoopbackAddress()) && byAddress.size() < MAX_TRACKED) {
            b = byAddress.computeIfAbsent(from, a -> new Bucket(perAddressRate, perAddressBurst, nowNanos));
        }
        if (b != null) {
            final long wait = b.take(nowNanos);
            if (wait > 0) {
                return new Refused(new Refusal("session.login-rate-per-address, session.login-burst-per-address",
                        perAddressRate, perAddressBurst, wait), true);
            }
        }
        final long wait = global.take(nowNanos);
        if (wait > 0) {
            return new Refused(new Refusal("session.login-rate, session.login-burst", globalRate, globalBurst, wait),
                    false);
        }
        return null;
    }

    /** A refusal, and whether it was the address's own limit (else the gateway's). */
    public record Refused(@NotNull Refusal refusal, boolean perAddress) {
        /** The sentence for the device. */
        public @NotNull String reason() {
            return refusal.reason(perAddress ? "from this address" : "at this gateway");
        }
    }

    /** Drops the buckets that are full again (their addresses have been quiet). */
    public void sweep(final long nowNanos) {
        byAddress.values().removeIf(b -> b.isFull(nowNanos));
    }

    /** Addresses tracked now. */
    int tracked() {
        return byAddress.size();
    }

    /** A token bucket; its monitor guards its state. */
    private static final class Bucket {
        private final double rate;
        private final double capacity;
        private double tokens;
        private long last;

        Bucket(final int perSecond, final int burst, final long nowNanos) {
            this.rate = perSecond;
            this.capacity = burst;
            this.tokens = burst;
            this.last = nowNanos;
        }

        private void refill(final long nowNanos) {
            final long elapsed = Math.max(0, nowNanos - last);
            tokens = Math.min(capacity, tokens + elapsed * rate / 1e9);
            last = nowNanos;
        }

        /** Takes a token: 0 when there was one, otherwise the whole seconds (at least 1) until there is. */
        synchronized long take(final long nowNanos) {
            refill(nowNanos);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / rate));
        }

        synchronized boolean isFull(final long nowNanos) {
            refill(nowNanos);
            return tokens >= capacity;
        }
    }
}
