package org.openrtm.sdk.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.jetbrains.annotations.NotNull;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Rpc;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.sdk.presence.OnlineState;
import org.openrtm.sdk.presence.Presence;
import org.openrtm.sdk.presence.PresenceEvent;
import org.openrtm.sdk.presence.PresenceListener;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@link Presence}: argument checks on the caller's thread, everything else on the engine. The watched users and
 * their last known states are engine-confined; {@link #subscriptions()} reads a snapshot published after each change.
 */
final class PresenceImpl implements Presence {

    private static final Logger LOG = Logger.getLogger(PresenceImpl.class.getName());

    /** A watched user and its last known state (null until the server told one). */
    private static final class Watched {
        OnlineState state;
        long ts;
    }

    private final ClientCore core;
    final CopyOnWriteArrayList<PresenceListener> listeners = new CopyOnWriteArrayList<>();
    // ---- engine-confined
    private final Map<String, Watched> watched = new LinkedHashMap<>();
    private volatile Set<String> snapshot = Set.of();

    PresenceImpl(final ClientCore core) {
        this.core = core;
    }

    private static List<String> uids(final Collection<String> uids, final String name) {
        Objects.requireNonNull(uids, name);
        final Set<String> set = new LinkedHashSet<>();
        for (final String uid : uids) {
            final String error = Ids.uidError(uid);
            if (error != null) {
                throw new IllegalArgumentException(name + ": " + error);
            }
            set.add(uid);
        }
        if (set.isEmpty()) {
            throw new IllegalArgumentException(name + " must list at least one uid, but was empty");
        }
        return new ArrayList<>(set);
    }

    private static Subscriptions.Sub sub(final String uid) {
        return new Subscriptions.Sub(RtmTopics.presence(uid), false);
    }

    // -------------------------------------------------------------------------------------------- public API

    @Override
    public @NotNull CompletableFuture<Map<String, OnlineState>> query(final @NotNull Collection<String> uids) {
        final List<String> list = uids(uids, "uids");
        if (list.size() > MAX_QUERY) {
            throw new IllegalArgumentException("uids must list at most " + MAX_QUERY + " users, but listed " + list.size());
        }
        final JsonObject request = new JsonObject();
        final JsonArray array = new JsonArray();
        list.forEach(array::add);
        request.add("uids", array);
        return DefaultRtmClient.view(core.request(Rpc.PRESENCE_QUERY, request.toString()), r -> {
            final JsonObject result = Json.resultObject(Rpc.PRESENCE_QUERY, (String) r);
            final Map<String, OnlineState> states = new LinkedHashMap<>();
            for (final String uid : list) {
                final OnlineState s = OnlineState.fromWire(Json.string(result, uid));
                states.put(uid, s != null ? s : OnlineState.OFFLINE);
            }
            return Collections.unmodifiableMap(states);
        });
    }

    @Override
    public @NotNull CompletableFuture<Void> subscribe(final @NotNull Collection<String> uids) {
        final List<String> list = uids(uids, "uids");
        final CompletableFuture<Void> f = new CompletableFuture<>();
        core.onEngine(() -> {
            final Map<String, Watched> added = new LinkedHashMap<>();
            final List<Subscriptions.Sub> subs = new ArrayList<>();
            for (final String uid : list) {
                if (!watched.containsKey(uid)) {
                    final Watched w = new Watched();
                    added.put(uid, w);
                    subs.add(sub(uid));
                }
            }
            if (subs.isEmpty()) {
                core.complete(f, null);
                return;
            }
            if (!core.submitSubscription(subs, f, () -> {
                added.forEach((uid, w) -> watched.remove(uid, w));
                publishSnapshot();
            })) {
                return;
            }
            watched.putAll(added);
            publishSnapshot();
        });
        return f;
    }

    @Override
    public @NotNull CompletableFuture<Void> unsubscribe(final @NotNull Collection<String> uids) {
        final List<String> list = uids(uids, "uids");
        final CompletableFuture<Void> f = new CompletableFuture<>();
        core.onEngine(() -> {
            final List<Subscriptions.Sub> subs = new ArrayList<>();
            for (final String uid : list) {
                if (watched.remove(uid) != null) {
                    subs.add(sub(uid));
                }
            }
            publishSnapshot();
            if (subs.isEmpty()) {
                core.complete(f, null);
                return;
            }
            core.submitUnsubscription(subs, f);
        });
        return f;
    }

    @Override
    public @NotNull Set<String> subscriptions() {
        return snapshot;
    }

    @Override
    public void addListener(final @NotNull PresenceListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeListener(final @NotNull PresenceListener listener) {
        listeners.remove(listener);
    }

    // -------------------------------------------------------------------------------------------- engine side

    private void publishSnapshot() {
        snapshot = Collections.unmodifiableSet(new LinkedHashSet<>(watched.keySet()));
    }

    /** A presence message arrived (retained: the state at subscription time). Engine thread. */
    void onPresence(final String uid, final byte[] payload, final boolean retained) {
        final Watched w = watched.get(uid);
        if (w == null || payload.length == 0) {
            return;
        }
        final JsonObject body = Json.object(payload);
        final OnlineState state = body == null ? null : OnlineState.fromWire(Json.string(body, "state"));
        if (state == null) {
            LOG.log(Level.FINE, "{0}: presence of {1} not understood", new Object[] {core.config.uid, uid});
            return;
        }
        final long ts = Json.number(body, "ts", 0);
        if (state == w.state && ts == w.ts) {
            return; // told already (a retained repeat after a reconnect)
        }
        final boolean initial = w.state == null && retained;
        w.state = state;
        w.ts = ts;
        final String via = Json.string(body, "via");
        final PresenceEvent event = new PresenceEvent(uid, state, Instant.ofEpochMilli(ts), via != null ? via : "mqtt",
                initial);
        core.callback("presence listener", () -> {
            for (final PresenceListener l : listeners) {
                try {
                    l.onPresence(event);
                } catch (final RuntimeException e) {
                    LOG.log(Level.WARNING, "presence listener threw " + e, e);
                }
            }
        });
    }

    /** The server refused to restore a watch after a fresh-session reconnect. Engine thread. */
    void lost(final String filter, final org.openrtm.sdk.RtmException why) {
        watched.keySet().removeIf(uid -> RtmTopics.presence(uid).equals(filter));
        publishSnapshot();
    }

    /** The session ended. Engine thread. */
    void clear() {
        watched.clear();
        publishSnapshot();
    }
}
