package org.openrtm.extension.delivery;

import org.jetbrains.annotations.NotNull;
import org.openrtm.extension.access.SubscriptionListener;
import org.openrtm.extension.session.Connection;
import org.openrtm.extension.session.Sessions;
import org.openrtm.protocol.FilterMatch;
import org.openrtm.protocol.RtmTopics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Services and admins may subscribe to other users' private topics (inbox, events). The mailboxes hand private
 * messages straight to the recipient's session, past the broker's routing, so this class remembers such privileged
 * subscriptions and sends each private message a copy. Copies are at-most-once (they do not wait for the monitor's
 * acknowledgement) and do not count as delivery to the recipient. Thread-safe.
 */
public final class Monitors implements SubscriptionListener, Sessions.Listener {

    private static final Logger log = LoggerFactory.getLogger(Monitors.class);

    private final Outbound outbound;
    private final Function<String, CompletableFuture<Map<String, Integer>>> subscriptionLookup;
    /** uid of a privileged client → its filters that read other users' private topics. */
    private final Map<String, Set<String>> filters = new ConcurrentHashMap<>();

    public Monitors(final @NotNull Outbound outbound,
                    final @NotNull Function<String, CompletableFuture<Map<String, Integer>>> subscriptionLookup) {
        this.outbound = outbound;
        this.subscriptionLookup = subscriptionLookup;
    }

    /** Sends a copy of a private message to every monitor whose filter matches, except the recipient itself. */
    public void copy(final @NotNull String recipient, final @NotNull RtmMessage message) {
        if (filters.isEmpty()) {
            return;
        }
        for (final Map.Entry<String, Set<String>> e : filters.entrySet()) {
            if (e.getKey().equals(recipient)) {
                continue;
            }
            for (final String f : e.getValue()) {
                if (RtmTopics.matches(f, message.topic())) {
                    outbound.toClient(e.getKey(), message).exceptionally(t -> {
                        log.debug("Copy for monitor {} failed: {}", e.getKey(), t.toString());
                        return false;
                    });
                    break;
                }
            }
        }
    }

    /** Number of monitoring clients (for metrics and tests). */
    public int size() {
        return filters.size();
    }

    @Override
    public void granted(final @NotNull Connection connection, final @NotNull String filter, final int qos) {
        if (connection.role().isPrivileged() && readsOthersPrivate(filter, connection.uid())) {
            filters.computeIfAbsent(connection.uid(), k -> ConcurrentHashMap.newKeySet()).add(filter);
        }
    }

    @Override
    public void removed(final @NotNull Connection connection, final @NotNull String filter) {
        filters.computeIfPresent(connection.uid(), (k, set) -> {
            set.remove(filter);
            return set.isEmpty() ? null : set;
        });
    }

    @Override
    public void connected(final @NotNull Connection connection) {
        filters.remove(connection.uid());
        if (!connection.role().isPrivileged() || !connection.sessionPresent()) {
            return;
        }
        subscriptionLookup.apply(connection.uid()).thenAccept(subs -> subs.forEach((f, q) -> granted(connection, f, q)));
    }

    @Override
    public void disconnected(final @NotNull Connection connection, final @NotNull Sessions.CloseKind kind,
                             final boolean wasCurrent) {
        if (wasCurrent) {
            filters.remove(connection.uid());
        }
    }

    private static boolean readsOthersPrivate(final String filter, final String uid) {
        if (filter.startsWith("$share/")) {
            return false;
        }
        for (final FilterMatch m : RtmTopics.analyzeFilter(filter).matches()) {
            if (m.family().isPrivate() && (m.id() == null || !m.id().equals(uid))) {
                return true;
            }
        }
        return false;
    }
}
