package org.openrtm.extension.flood;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.config.Setting;
import org.openrtm.extension.config.Settings;
import org.openrtm.extension.session.Connection;
import org.openrtm.protocol.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Applies the {@link FloodPolicy}: disconnects a connection whose refusals tripped its {@link RefusalWindow}, and
 * refuses its user at CONNECT until the ban runs out. Bans live in memory (a restart lifts them) and are swept by
 * {@link #sweep()}. Thread-safe: called on HiveMQ's extension task threads.
 */
public final class FloodGuard {

    private static final Logger log = LoggerFactory.getLogger(FloodGuard.class);

    /** Ends a user's current connection; must not block. */
    @FunctionalInterface
    public interface Disconnector {
        /**
         * @param uid    the user whose connection to end
         * @param reason the reason string for the DISCONNECT
         */
        void disconnect(@NotNull String uid, @NotNull String reason);
    }

    private final FloodPolicy policy;
    private final LongSupplier nanoClock;
    private final Disconnector disconnector;
    private final Map<String, Long> bannedUntil = new ConcurrentHashMap<>();
    private final AtomicLong disconnects = new AtomicLong();
    private final RefusalLog refusals;

    /**
     * A guard whose refusal log writes at most {@code log.refusals-per-second}'s default lines a second.
     *
     * @param policy       the policy
     * @param nanoClock    the clock ({@link System#nanoTime()} in production)
     * @param disconnector ends a connection with DISCONNECT 0x96
     */
    public FloodGuard(final @NotNull FloodPolicy policy, final @NotNull LongSupplier nanoClock,
                      final @NotNull Disconnector disconnector) {
        this(policy, nanoClock, disconnector, new RefusalLog(Settings.LOG_REFUSALS_PER_SECOND.defaultValue(), nanoClock));
    }

    /**
     * @param policy       the policy
     * @param nanoClock    the clock ({@link System#nanoTime()} in production)
     * @param disconnector ends a connection with DISCONNECT 0x96
     * @param refusals     where refused logins and publishes are logged
     */
    public FloodGuard(final @NotNull FloodPolicy policy, final @NotNull LongSupplier nanoClock,
                      final @NotNull Disconnector disconnector, final @NotNull RefusalLog refusals) {
        this.policy = policy;
        this.nanoClock = nanoClock;
        this.disconnector = disconnector;
        this.refusals = refusals;
    }

    /** The rate-limited log of refused logins and publishes, shared by the authenticator and every connection. */
    public @NotNull RefusalLog refusals() {
        return refusals;
    }

    /** The policy in force. */
    public @NotNull FloodPolicy policy() {
        return policy;
    }

    /** A fresh refusal counter for a new connection. */
    public @NotNull RefusalWindow window() {
        return new RefusalWindow(policy);
    }

    /** The current time on the guard's clock, for {@link RefusalWindow#refused(long)}. */
    public long now() {
        return nanoClock.getAsLong();
    }

    /**
     * A connection was found flooding: its user is banned for the policy's ban and the connection is disconnected.
     *
     * @param connection the flooding connection
     */
    public void flooded(final @NotNull Connection connection) {
        final Duration ban = policy.ban();
        if (!ban.isZero()) {
            bannedUntil.put(connection.uid(), nanoClock.getAsLong() + ban.toNanos());
        }
        disconnects.incrementAndGet();
        final String reason = policy.refusals() + " publishes refused as rate_limited within "
                + Setting.formatDuration(policy.window()) + " (limits.flood-refusals, limits.flood-window)"
                + (ban.isZero() ? "" : "; connections refused for " + Setting.formatDuration(ban) + " (limits.flood-ban)");
        log.info("Disconnecting {} for flooding: {}", Ids.show(connection.uid()), reason);
        disconnector.disconnect(connection.uid(), reason);
    }

    /**
     * How long the user is still refused at CONNECT.
     *
     * @return the time left, or {@code null} if the user is not banned
     */
    public @Nullable Duration banRemaining(final @NotNull String uid) {
        if (bannedUntil.isEmpty()) {
            return null;
        }
        final Long until = bannedUntil.get(uid);
        if (until == null) {
            return null;
        }
        final long left = until - nanoClock.getAsLong();
        if (left <= 0) {
            bannedUntil.remove(uid, until);
            return null;
        }
        return Duration.ofNanos(left);
    }

    /** Forgets bans that ran out, and reports the refusals the refusal log left out. */
    public void sweep() {
        final long now = nanoClock.getAsLong();
        bannedUntil.values().removeIf(until -> until - now <= 0);
        refusals.flush();
    }

    /** Users banned now (some may have just run out until the next {@link #sweep()}). */
    public int bannedCount() {
        return bannedUntil.size();
    }

    /** Connections disconnected for flooding since start. */
    public long disconnects() {
        return disconnects.get();
    }
}
