package org.openrtm.extension.presence;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.access.AccessPolicy;
import org.openrtm.extension.access.SubscriptionGuard;
import org.openrtm.extension.access.SubscriptionListener;
import org.openrtm.extension.delivery.Outbound;
import org.openrtm.extension.delivery.RtmMessage;
import org.openrtm.extension.rpc.RpcException;
import org.openrtm.extension.rpc.RpcHandler;
import org.openrtm.extension.session.Connection;
import org.openrtm.extension.session.Sessions;
import org.openrtm.extension.store.Keyspace;
import org.openrtm.extension.store.Store;
import org.openrtm.extension.store.WriteBatch;
import org.openrtm.extension.util.Lanes;
import org.openrtm.protocol.FilterMatch;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Limits;
import org.openrtm.protocol.ParsedTopic;
import org.openrtm.protocol.PresenceState;
import org.openrtm.protocol.Rpc;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.protocol.TopicFamily;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Online presence: the retained {@code rtm/user/{uid}/presence} message of every user the server has seen, written
 * only here.
 *
 * <ul>
 *   <li>{@code online} when a connection of the user is established;</li>
 *   <li>{@code unreachable} when it is lost without DISCONNECT (or closed by the server); after the grace period the
 *       user goes {@code offline} — a reconnect within it goes straight back to {@code online};</li>
 *   <li>{@code offline} at once on a clean DISCONNECT;</li>
 *   <li>a session takeover keeps the user {@code online} (the grace period is per user, not per connection).</li>
 * </ul>
 * The last state of every user is in the store; on start every user that was not offline is set offline (the
 * broker restarted, so nobody is connected), so no ghost {@code online} survives a restart.
 *
 * <p>Everything about one user runs on that user's lane, and the user's retained presence is published from the lane
 * itself, in the order of the transitions, without waiting for the previous publish to complete: HiveMQ hands the
 * publishes of one caller to the retained store and to every subscriber's queue in call order (see
 * docs/concurrency.md), so the broker keeps the latest and every watcher sees the transitions in order. {@code ts}
 * strictly increases per user, so a client can tell a stale value from a newer one. Thread-safe.
 */
public final class PresenceService implements Sessions.Listener, SubscriptionListener, SubscriptionGuard {

    private static final Logger log = LoggerFactory.getLogger(PresenceService.class);

    /** The store keyspace this class uses. */
    public static final String KEYSPACE = "presence";

    /** Told when a user goes offline (channels are left then). Called on the user's lane; must not block. */
    public interface Listener {
        void offline(@NotNull String uid);
    }

    /** A user's presence. */
    public record Status(@NotNull PresenceState state, long ts, @NotNull Connection.Via via) {
    }

    private static final class User {
        final String uid;
        Status status;
        long connection = -1;
        ScheduledFuture<?> grace;

        User(final String uid) {
            this.uid = uid;
        }
    }

    private final Store store;
    private final Keyspace keyspace;
    private final Outbound outbound;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final Duration grace;
    private final int maxSubscriptions;
    private final Lanes lanes;
    private final Function<String, CompletableFuture<Map<String, Integer>>> subscriptionLookup;
    private final Map<String, User> users = new ConcurrentHashMap<>();
    private final Map<Long, Set<String>> presenceFilters = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    public PresenceService(
            final @NotNull Store store,
            final @NotNull Outbound outbound,
            final @NotNull ScheduledExecutorService scheduler,
            final @NotNull Lanes lanes,
            final @NotNull Clock clock,
            final @NotNull Duration grace,
            final int maxSubscriptions,
            final @NotNull Function<String, CompletableFuture<Map<String, Integer>>> subscriptionLookup) {
        this.store = store;
        this.keyspace = store.keyspace(KEYSPACE);
        this.outbound = outbound;
        this.scheduler = scheduler;
        this.lanes = lanes;
        this.clock = clock;
        this.grace = grace;
        this.maxSubscriptions = maxSubscriptions;
        this.subscriptionLookup = subscriptionLookup;
        for (final Store.Entry e : store.scan(keyspace, new byte[0], null, false, Integer.MAX_VALUE)) {
            final User u = new User(new String(e.key(), StandardCharsets.US_ASCII));
            u.status = decode(e.value());
            users.put(u.uid, u);
        }
    }

    public void addListener(final @NotNull Listener listener) {
        listeners.add(listener);
    }

    /**
     * Puts retained presence in order after a (re)start: users the store remembers as online or unreachable are
     * offline now; every known user's presence is published again (a broker with in-memory persistence lost its
     * retained messages); retained presence the broker still holds for users not online is corrected.
     */
    public void start() {
        final long now = clock.millis();
        int reset = 0;
        for (final User u : users.values()) {
            final boolean wasUp = u.status.state() != PresenceState.OFFLINE;
            if (wasUp) {
                reset++;
            }
            lanes.of(u.uid).execute(() -> {
                if (u.connection >= 0) {
                    return; // connected meanwhile: its own publish is newer
                }
                if (u.status.state() != PresenceState.OFFLINE) {
                    u.status = new Status(PresenceState.OFFLINE, now, u.status.via());
                    persist(u);
                }
                publish(u);
            });
        }
        if (reset > 0) {
            log.info("Presence: {} users were online before the restart and are offline now", reset);
        }
        outbound.forEachRetained((topic, payload) -> {
            final ParsedTopic t = RtmTopics.parse(topic);
            if (!t.isValid() || t.family() != TopicFamily.PRESENCE || payload.length == 0) {
                return;
            }
            final String uid = t.id();
            lanes.of(uid).execute(() -> {
                final User u = users.get(uid);
                if (u != null && (u.connection >= 0 || u.status.state() == PresenceState.OFFLINE)) {
                    return; // already right
                }
                if (u == null && !claimsUp(payload)) {
                    return;
                }
                final User fixed = u != null ? u : users.computeIfAbsent(uid, User::new);
                fixed.status = new Status(PresenceState.OFFLINE, now, Connection.Via.MQTT);
                persist(fixed);
                publish(fixed);
            });
        }).exceptionally(e -> {
            log.warn("Could not check retained presence: {}", e.toString());
            return null;
        });
    }

    private static boolean claimsUp(final byte[] payload) {
        try {
            final String state = JsonParser.parseString(new String(payload, StandardCharsets.UTF_8)).getAsJsonObject()
                    .get("state").getAsString();
            return !PresenceState.OFFLINE.wire().equals(state);
        } catch (final RuntimeException e) {
            return true; // not ours: replace it with the truth
        }
    }

    // -------------------------------------------------------------------------------------------------- transitions

    @Override
    public void connected(final @NotNull Connection connection) {
        final String uid = connection.uid();
        if (connection.sessionPresent()) {
            subscriptionLookup.apply(uid).thenAccept(subs -> subs.keySet().stream().filter(PresenceService::readsPresence)
                    .forEach(f -> filtersOf(connection).add(f)));
        }
        // on the reporting thread when the lane is idle: the task is short, and a hand-off to the shared executor
        // would add a thread wake-up to every transition (Finding 9 of docs/benchmarks.md)
        lanes.of(uid).runOrQueue(() -> {
            final User u = users.computeIfAbsent(uid, User::new);
            u.connection = connection.number();
            cancelGrace(u);
            if (u.status == null || u.status.state() != PresenceState.ONLINE || u.status.via() != connection.via()) {
                set(u, PresenceState.ONLINE, connection.via());
            }
        });
    }

    @Override
    public void disconnected(final @NotNull Connection connection, final @NotNull Sessions.CloseKind kind,
                             final boolean wasCurrent) {
        presenceFilters.remove(connection.number());
        if (!wasCurrent) {
            return; // a newer connection of the user is current: nothing changes
        }
        final String uid = connection.uid();
        lanes.of(uid).runOrQueue(() -> {
            final User u = users.get(uid);
            if (u == null || u.connection != connection.number()) {
                return;
            }
            u.connection = -1;
            switch (kind) {
                case CLIENT:
                    offline(u);
                    break;
                case TAKEN_OVER:
                    // the new connection is on its way: stay online, but do not wait for it forever
                    startGrace(u);
                    break;
                default:
                    if (grace.isZero()) {
                        offline(u);
                    } else {
                        set(u, PresenceState.UNREACHABLE, u.status.via());
                        startGrace(u);
                    }
                    break;
            }
        });
    }

    private void startGrace(final User u) {
        cancelGrace(u);
        final ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
        self[0] = scheduler.schedule(() -> lanes.of(u.uid).execute(() -> {
            if (u.grace == self[0] && u.connection < 0) {
                u.grace = null;
                offline(u);
            }
        }), grace.toMillis(), TimeUnit.MILLISECONDS);
        u.grace = self[0];
    }

    private static void cancelGrace(final User u) {
        if (u.grace != null) {
            u.grace.cancel(false);
            u.grace = null;
        }
    }

    private void offline(final User u) {
        set(u, PresenceState.OFFLINE, u.status == null ? Connection.Via.MQTT : u.status.via());
        for (final Listener l : listeners) {
            try {
                l.offline(u.uid);
            } catch (final RuntimeException e) {
                log.error("Presence listener failed for {}: {}", u.uid, e.toString());
                log.debug("Listener failure", e);
            }
        }
    }

    private void set(final User u, final PresenceState state, final Connection.Via via) {
        u.status = new Status(state, nextTs(u), via);
        persist(u);
        publish(u);
        log.debug("Presence of {}: {}", u.uid, state.wire());
    }

    /** The time of a change: now, but always after the user's previous change, so {@code ts} orders a user's states. */
    private long nextTs(final User u) {
        final long now = clock.millis();
        return u.status != null && now <= u.status.ts() ? u.status.ts() + 1 : now;
    }

    private void persist(final User u) {
        store.write(new WriteBatch().put(keyspace, u.uid.getBytes(StandardCharsets.US_ASCII), encode(u.status)))
                .exceptionally(e -> {
                    log.warn("Presence of {} could not be stored: {}", u.uid, e.toString());
                    return null;
                });
    }

    private void publish(final User u) {
        final JsonObject json = new JsonObject();
        json.addProperty("state", u.status.state().wire());
        json.addProperty("ts", u.status.ts());
        json.addProperty("via", u.status.via().wire());
        final RtmMessage m = new RtmMessage(RtmTopics.presence(u.uid), json.toString().getBytes(StandardCharsets.UTF_8),
                1, true, List.of(), null, null, null, "application/json", true);
        // not chained to the previous publish: called on the user's lane, so in transition order, which HiveMQ keeps
        // for the retained value and for every subscriber's queue; waiting for the previous publish to complete cost
        // up to seconds under churn (Finding 9)
        final CompletableFuture<Void> f;
        try {
            f = outbound.publish(m);
        } catch (final RuntimeException e) {
            log.warn("Presence of {} could not be published: {}", u.uid, e.toString());
            return;
        }
        f.exceptionally(e -> {
            log.warn("Presence of {} could not be published: {}", u.uid, e.toString());
            return null;
        });
    }

    // ------------------------------------------------------------------------------------------------------ queries

    /** The state of a user now ({@code offline} for a user never seen). */
    public @NotNull CompletableFuture<PresenceState> state(final @NotNull String uid) {
        final CompletableFuture<PresenceState> f = new CompletableFuture<>();
        lanes.of(uid).execute(() -> {
            final User u = users.get(uid);
            f.complete(u == null || u.status == null ? PresenceState.OFFLINE : u.status.state());
        });
        return f;
    }

    /** Number of users online or unreachable now (for metrics). */
    public long activeUsers() {
        return users.values().stream().filter(u -> u.status != null && u.status.state() != PresenceState.OFFLINE).count();
    }

    /** {@code presence.query}: {@code {"uids":[...]}} to {@code {"uid":"online|unreachable|offline",...}}. */
    public @NotNull RpcHandler queryHandler() {
        return (caller, params) -> {
            final JsonElement uidsElement = params.get("uids");
            if (uidsElement == null || !uidsElement.isJsonArray()) {
                throw new RpcException(Rpc.ERR_INVALID, "uids must be an array of uids");
            }
            final JsonArray uids = uidsElement.getAsJsonArray();
            if (uids.size() > Limits.MAX_PRESENCE_QUERY) {
                throw new RpcException(Rpc.ERR_INVALID, "uids may list at most " + Limits.MAX_PRESENCE_QUERY
                        + " users, but listed " + uids.size());
            }
            final Set<String> wanted = new HashSet<>();
            for (final JsonElement e : uids) {
                final String uid = e.isJsonPrimitive() ? e.getAsString() : null;
                final String error = Ids.uidError(uid);
                if (error != null) {
                    throw new RpcException(Rpc.ERR_INVALID, "uids: " + error);
                }
                wanted.add(uid);
            }
            final JsonObject result = new JsonObject();
            final Map<String, CompletableFuture<PresenceState>> states = new java.util.TreeMap<>();
            for (final String uid : wanted) {
                states.put(uid, state(uid));
            }
            return CompletableFuture.allOf(states.values().toArray(new CompletableFuture<?>[0])).thenApply(v -> {
                states.forEach((uid, s) -> result.addProperty(uid, s.join().wire()));
                return result;
            });
        };
    }

    // --------------------------------------------------------------------------------- presence subscription limit

    @Override
    public @Nullable AccessPolicy.Decision check(final @NotNull Connection connection, final @NotNull String filter) {
        if (!readsPresence(filter)) {
            return null;
        }
        final Set<String> held = filtersOf(connection);
        synchronized (held) {
            if (held.contains(filter)) {
                return null;
            }
            if (held.size() >= maxSubscriptions) {
                return new AccessPolicy.Decision(false, 0x97, "you hold " + held.size()
                        + " presence subscriptions, the most allowed (presence.max-subscriptions = " + maxSubscriptions
                        + "); unsubscribe from some first");
            }
            held.add(filter);
        }
        return null;
    }

    @Override
    public void granted(final @NotNull Connection connection, final @NotNull String filter, final int qos) {
        // reserved in check()
    }

    @Override
    public void refused(final @NotNull Connection connection, final @NotNull String filter) {
        release(connection, filter);
    }

    @Override
    public void removed(final @NotNull Connection connection, final @NotNull String filter) {
        release(connection, filter);
    }

    private void release(final Connection connection, final String filter) {
        final Set<String> held = presenceFilters.get(connection.number());
        if (held != null) {
            synchronized (held) {
                held.remove(filter);
            }
        }
    }

    private Set<String> filtersOf(final Connection connection) {
        return presenceFilters.computeIfAbsent(connection.number(), n -> ConcurrentHashMap.newKeySet());
    }

    private static boolean readsPresence(final String filter) {
        if (filter.startsWith("$share/")) {
            return false;
        }
        for (final FilterMatch m : RtmTopics.analyzeFilter(filter).matches()) {
            if (m.family() == TopicFamily.PRESENCE) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------------------ codec

    private static byte[] encode(final Status s) {
        return ByteBuffer.allocate(10).put((byte) s.state().ordinal()).putLong(s.ts()).put((byte) s.via().ordinal())
                .array();
    }

    private static Status decode(final byte[] b) {
        final ByteBuffer in = ByteBuffer.wrap(b);
        return new Status(PresenceState.values()[in.get()], in.getLong(), Connection.Via.values()[in.get()]);
    }
}
