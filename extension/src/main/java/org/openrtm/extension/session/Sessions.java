package org.openrtm.extension.session;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.util.TokenBucket;
import org.openrtm.protocol.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The registry of connections: which connection is each user's current one, and who is told when users come and go.
 *
 * <p>A connection is <em>prepared</em> by the authenticator, <em>established</em> when the broker sends its CONNACK
 * (then it becomes the user's current connection), and <em>closed</em> when the broker reports its end. Listeners are
 * called synchronously on the thread that reports the change and must hand real work to their own executors.
 * Thread-safe.
 */
public final class Sessions {

    private static final Logger log = LoggerFactory.getLogger(Sessions.class);

    /** How a connection ended. */
    public enum CloseKind {
        /** The client sent DISCONNECT (normal). */
        CLIENT,
        /** The connection was lost without DISCONNECT (keep-alive timeout, socket error). */
        LOST,
        /** A newer connection with the same uid took the session over. */
        TAKEN_OVER,
        /** The server closed it (kick, protocol error, shutdown). */
        SERVER
    }

    /** Told about connections; called on the reporting thread, must not block. */
    public interface Listener {
        /** A connection became the user's current one. */
        default void connected(final @NotNull Connection connection) {
        }

        /**
         * A connection closed.
         *
         * @param wasCurrent whether it was the user's current connection (false after a takeover)
         */
        default void disconnected(final @NotNull Connection connection, final @NotNull CloseKind kind,
                                  final boolean wasCurrent) {
        }
    }

    private final AtomicLong numbers = new AtomicLong();
    private final Map<Long, Connection> byNumber = new ConcurrentHashMap<>();
    private final Map<String, Connection> current = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final int ratePerSecond;
    private final int rateBurst;

    public Sessions(final int ratePerSecond, final int rateBurst) {
        this.ratePerSecond = ratePerSecond;
        this.rateBurst = rateBurst;
    }

    /** The publishes per second each connection may send (its token bucket's refill rate). */
    public int ratePerSecond() {
        return ratePerSecond;
    }

    /** The burst of each connection's token bucket. */
    public int rateBurst() {
        return rateBurst;
    }

    public void addListener(final @NotNull Listener listener) {
        listeners.add(listener);
    }

    /** Registers an authenticated connection that has not been acknowledged yet. */
    public @NotNull Connection prepare(
            final @NotNull String uid,
            final @NotNull Role role,
            final @NotNull Connection.Via via,
            final boolean mqtt5,
            final long sessionExpirySeconds) {
        final Connection c = new Connection(uid, numbers.incrementAndGet(), role, via, mqtt5, sessionExpirySeconds,
                new TokenBucket(ratePerSecond, rateBurst, System::nanoTime));
        byNumber.put(c.number(), c);
        return c;
    }

    /**
     * A caller that is not an MQTT connection (the REST API): it has an identity, a role and its own rate bucket, but
     * it is never registered, has no presence and receives nothing.
     */
    public @NotNull Connection apiCaller(final @NotNull String uid, final @NotNull Role role, final int ratePerSecond,
                                         final int burst) {
        return new Connection(uid, 0, role, Connection.Via.API, true, 0,
                new TokenBucket(ratePerSecond, burst, System::nanoTime));
    }

    /** The connection with this number, if it is prepared or established and not closed. */
    public @Nullable Connection byNumber(final long number) {
        return byNumber.get(number);
    }

    /** The user's current connection, or {@code null} if the user is not connected. */
    public @Nullable Connection current(final @NotNull String uid) {
        return current.get(uid);
    }

    /** Whether the user has a current connection. */
    public boolean isConnected(final @NotNull String uid) {
        return current.containsKey(uid);
    }

    /** Number of users connected now. */
    public int connectedCount() {
        return current.size();
    }

    /** Marks a prepared connection as acknowledged: it becomes the user's current connection. */
    public void established(final long number, final boolean sessionPresent) {
        final Connection c = byNumber.get(number);
        if (c == null || c.isClosed()) {
            return;
        }
        c.sessionPresent(sessionPresent);
        current.put(c.uid(), c);
        log.debug("{} established (session present: {})", c, sessionPresent);
        for (final Listener l : listeners) {
            try {
                l.connected(c);
            } catch (final RuntimeException e) {
                log.error("Session listener failed on connect of {}: {}", c.uid(), e.toString());
                log.debug("Listener failure", e);
            }
        }
    }

    /** Reports that the connection with this number ended. Idempotent. */
    public void closed(final long number, final @NotNull CloseKind kind) {
        final Connection c = byNumber.remove(number);
        if (c == null) {
            return;
        }
        c.markClosed();
        final boolean wasCurrent = current.remove(c.uid(), c);
        log.debug("{} closed ({}, was current: {})", c, kind, wasCurrent);
        for (final Listener l : listeners) {
            try {
                l.disconnected(c, kind, wasCurrent);
            } catch (final RuntimeException e) {
                log.error("Session listener failed on disconnect of {}: {}", c.uid(), e.toString());
                log.debug("Listener failure", e);
            }
        }
    }
}
