package org.openrtm.extension.flood;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Logs refused logins and publishes at INFO, at most {@code log.refusals-per-second} lines a second; the rest go to
 * DEBUG, and an INFO line says how many were left out: with the next refusal after the second, or at the next
 * {@link #flush()} (the runtime's upkeep, every 30 s), so the tail of a flood is counted too. A line names the uid, the topic
 * (publishes), the code and the reason the client got; never a token, a password or a payload.
 *
 * <p>Called on HiveMQ's extension task threads; the one-second window is guarded by this object's monitor, and
 * logging happens outside it. Thread-safe.
 */
public final class RefusalLog {

    private static final Logger log = LoggerFactory.getLogger(RefusalLog.class);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final int perSecond;
    private final LongSupplier nanoClock;
    /** Start of the current window; guarded by this. */
    private long windowStart;
    /** INFO lines in the current window; guarded by this. */
    private int lines;
    /** Refusals left out of INFO since the last report; guarded by this. */
    private long suppressed;

    /**
     * @param perSecond most INFO lines a second; 0 logs every refusal at DEBUG only
     * @param nanoClock the clock ({@link System#nanoTime()} in production)
     */
    public RefusalLog(final int perSecond, final @NotNull LongSupplier nanoClock) {
        if (perSecond < 0) {
            throw new IllegalArgumentException("perSecond must be 0 or more, but was " + perSecond);
        }
        this.perSecond = perSecond;
        this.nanoClock = nanoClock;
        this.windowStart = nanoClock.getAsLong();
    }

    /** A refused login: the CONNACK's reason code and reason string. */
    public void login(final @Nullable String uid, final @NotNull Object code, final @NotNull String reason) {
        if (allow()) {
            log.info("Login of {} refused ({}): {}", Ids.show(uid), code, reason);
        } else {
            log.debug("Login of {} refused ({}): {}", Ids.show(uid), code, reason);
        }
    }

    /** A refused publish: the protocol's code and the reason string of the PUBACK. */
    public void publish(final @NotNull String uid, final @NotNull String topic, final @NotNull String code,
                        final @Nullable String reason) {
        if (allow()) {
            log.info("Publish from {} to {} refused ({}): {}", Ids.show(uid), Ids.show(topic), code, reason);
        } else {
            log.debug("Publish from {} to {} refused ({}): {}", Ids.show(uid), Ids.show(topic), code, reason);
        }
    }

    /**
     * Reports the refusals left out of INFO once their second is over.
     *
     * @return how many were reported
     */
    public long flush() {
        final long dropped;
        synchronized (this) {
            dropped = roll(nanoClock.getAsLong());
        }
        report(dropped);
        return dropped;
    }

    /** Whether this refusal may go to INFO; reports the ones left out of the last window first. */
    private boolean allow() {
        if (perSecond == 0 || !log.isInfoEnabled()) {
            return false;
        }
        final long dropped;
        final boolean allowed;
        synchronized (this) {
            dropped = roll(nanoClock.getAsLong());
            allowed = lines < perSecond;
            if (allowed) {
                lines++;
            } else {
                suppressed++;
            }
        }
        report(dropped);
        return allowed;
    }

    /** Starts a new window if the current one is over; returns the refusals it left out. Caller holds the monitor. */
    private long roll(final long now) {
        if (now - windowStart < SECOND) {
            return 0;
        }
        windowStart = now;
        lines = 0;
        final long dropped = suppressed;
        suppressed = 0;
        return dropped;
    }

    private void report(final long dropped) {
        if (dropped > 0) {
            log.info("{} more refusals were not logged at INFO (log.refusals-per-second is {}; DEBUG shows each)",
                    dropped, perSecond);
        }
    }
}
