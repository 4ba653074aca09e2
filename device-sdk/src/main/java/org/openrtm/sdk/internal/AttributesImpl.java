package org.openrtm.sdk.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.jetbrains.annotations.NotNull;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Props;
import org.openrtm.protocol.Rpc;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.protocol.TopicFamily;
import org.openrtm.sdk.RtmException;
import org.openrtm.sdk.attribute.Attribute;
import org.openrtm.sdk.attribute.AttributeEvent;
import org.openrtm.sdk.attribute.AttributeListener;
import org.openrtm.sdk.attribute.AttributeOwner;
import org.openrtm.sdk.attribute.AttributeUpdate;
import org.openrtm.sdk.attribute.Attributes;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@link Attributes}: reads and writes are requests ({@code attr.get}, {@code attr.set}, {@code attr.delete}); watching
 * is a subscription to the owner's retained attribute topics. The watched owners and the last revision told per key
 * are engine-confined; {@link #subscriptions()} reads a snapshot published after each change.
 */
final class AttributesImpl implements Attributes {

    private static final Logger LOG = Logger.getLogger(AttributesImpl.class.getName());

    private final ClientCore core;
    final CopyOnWriteArrayList<AttributeListener> listeners = new CopyOnWriteArrayList<>();
    // ---- engine-confined: watched owners and, per key, the last revision told
    private final Map<AttributeOwner, Map<String, Long>> watched = new LinkedHashMap<>();
    private volatile Set<AttributeOwner> snapshot = Set.of();

    AttributesImpl(final ClientCore core) {
        this.core = core;
    }

    private static String filter(final AttributeOwner owner) {
        return owner.scope() == AttributeOwner.Scope.USER ? RtmTopics.userAttrFilter(owner.id())
                : RtmTopics.channelAttrFilter(owner.id());
    }

    private static JsonObject request(final AttributeOwner owner) {
        Objects.requireNonNull(owner, "owner");
        final JsonObject r = new JsonObject();
        r.addProperty("scope", owner.scope().wireName());
        r.addProperty("id", owner.id());
        return r;
    }

    private static JsonArray keys(final Collection<String> keys) {
        Objects.requireNonNull(keys, "keys");
        final Set<String> set = new LinkedHashSet<>();
        for (final String k : keys) {
            final String error = Ids.keyError(Objects.requireNonNull(k, "key"), Ids.MAX_KEY_LENGTH);
            if (error != null) {
                throw new IllegalArgumentException("keys: " + error);
            }
            set.add(k);
        }
        if (set.isEmpty()) {
            throw new IllegalArgumentException("keys must list at least one key, but was empty");
        }
        final JsonArray a = new JsonArray();
        set.forEach(a::add);
        return a;
    }

    // -------------------------------------------------------------------------------------------- reads

    @Override
    public @NotNull CompletableFuture<Map<String, Attribute>> get(final @NotNull AttributeOwner owner) {
        return get(request(owner));
    }

    @Override
    public @NotNull CompletableFuture<Map<String, Attribute>> get(final @NotNull AttributeOwner owner,
                                                                   final @NotNull Collection<String> keys) {
        final JsonObject r = request(owner);
        r.add("keys", keys(keys));
        return get(r);
    }

    private CompletableFuture<Map<String, Attribute>> get(final JsonObject request) {
        return DefaultRtmClient.view(core.request(Rpc.ATTR_GET, request.toString()), r -> {
            final JsonObject result = Json.resultObject(Rpc.ATTR_GET, (String) r);
            final Map<String, Attribute> out = new TreeMap<>();
            for (final Map.Entry<String, JsonElement> e : result.entrySet()) {
                if (!e.getValue().isJsonObject()) {
                    continue;
                }
                final JsonObject a = e.getValue().getAsJsonObject();
                final String value = Json.string(a, "value");
                final byte[] bytes = value == null ? new byte[0] : "base64".equals(Json.string(a, "encoding"))
                        ? Base64.getDecoder().decode(value) : value.getBytes(StandardCharsets.UTF_8);
                final String by = Json.string(a, "by");
                out.put(e.getKey(), new Attribute(e.getKey(), bytes, Json.number(a, "rev", 0), by != null ? by : "",
                        Instant.ofEpochMilli(Json.number(a, "ts", 0))));
            }
            return Collections.unmodifiableMap(out);
        });
    }

    // -------------------------------------------------------------------------------------------- writes

    @Override
    public @NotNull CompletableFuture<Map<String, Long>> set(final @NotNull AttributeOwner owner,
                                                             final @NotNull Map<String, String> values) {
        return set(owner, AttributeUpdate.of(values));
    }

    @Override
    public @NotNull CompletableFuture<Map<String, Long>> set(final @NotNull AttributeOwner owner,
                                                             final @NotNull AttributeUpdate update) {
        return write(owner, update, "replace");
    }

    @Override
    public @NotNull CompletableFuture<Map<String, Long>> merge(final @NotNull AttributeOwner owner,
                                                               final @NotNull Map<String, String> values) {
        return merge(owner, AttributeUpdate.of(values));
    }

    @Override
    public @NotNull CompletableFuture<Map<String, Long>> merge(final @NotNull AttributeOwner owner,
                                                               final @NotNull AttributeUpdate update) {
        return write(owner, update, "merge");
    }

    private CompletableFuture<Map<String, Long>> write(final AttributeOwner owner, final AttributeUpdate update,
                                                       final String mode) {
        Objects.requireNonNull(update, "update");
        final JsonObject r = request(owner);
        final JsonObject attrs = new JsonObject();
        update.values().forEach((k, v) -> {
            if (Utf8.isValid(v)) {
                attrs.addProperty(k, new String(v, StandardCharsets.UTF_8));
            } else {
                final JsonObject b = new JsonObject();
                b.addProperty("value", Base64.getEncoder().encodeToString(v));
                b.addProperty("encoding", "base64");
                attrs.add(k, b);
            }
        });
        r.add("attrs", attrs);
        r.addProperty("mode", mode);
        addExpected(r, update.expectedRevisions());
        return revisions(Rpc.ATTR_SET, r, !update.isConditional());
    }

    private static void addExpected(final JsonObject r, final Map<String, Long> expected) {
        if (!expected.isEmpty()) {
            final JsonObject ifRev = new JsonObject();
            expected.forEach(ifRev::addProperty);
            r.add("ifRev", ifRev);
        }
    }

    @Override
    public @NotNull CompletableFuture<Map<String, Long>> delete(final @NotNull AttributeOwner owner,
                                                                final @NotNull Collection<String> keys) {
        final JsonObject r = request(owner);
        r.add("keys", keys(keys));
        return revisions(Rpc.ATTR_DELETE, r, true);
    }

    @Override
    public @NotNull CompletableFuture<Map<String, Long>> deleteIf(final @NotNull AttributeOwner owner,
                                                                  final @NotNull Map<String, Long> expectedRevisions) {
        Objects.requireNonNull(expectedRevisions, "expectedRevisions");
        final JsonObject r = request(owner);
        r.add("keys", keys(expectedRevisions.keySet()));
        final Map<String, Long> expected = new LinkedHashMap<>();
        expectedRevisions.forEach((k, rev) -> {
            if (rev == null || rev < 0) {
                throw new IllegalArgumentException("expectedRevisions: the revision of '" + k
                        + "' must be 0 or more, but was " + rev);
            }
            expected.put(k, rev);
        });
        addExpected(r, expected);
        return revisions(Rpc.ATTR_DELETE, r, false);
    }

    @Override
    public @NotNull CompletableFuture<Map<String, Long>> clear(final @NotNull AttributeOwner owner) {
        final JsonObject r = request(owner);
        r.addProperty("all", true);
        return revisions(Rpc.ATTR_DELETE, r, true);
    }

    private CompletableFuture<Map<String, Long>> revisions(final String method, final JsonObject request,
                                                           final boolean retryable) {
        return DefaultRtmClient.view(core.request(method, request.toString(), retryable), r -> {
            final JsonObject result = Json.resultObject(method, (String) r);
            final Map<String, Long> out = new TreeMap<>();
            for (final String k : result.keySet()) {
                out.put(k, Json.number(result, k, 0));
            }
            return Collections.unmodifiableMap(out);
        });
    }

    // -------------------------------------------------------------------------------------------- watching

    @Override
    public @NotNull CompletableFuture<Void> subscribe(final @NotNull AttributeOwner owner) {
        Objects.requireNonNull(owner, "owner");
        final CompletableFuture<Void> f = new CompletableFuture<>();
        core.onEngine(() -> {
            if (watched.containsKey(owner)) {
                core.complete(f, null);
                return;
            }
            final Map<String, Long> revisions = new HashMap<>();
            if (!core.submitSubscription(List.of(new Subscriptions.Sub(filter(owner), false)), f, () -> {
                watched.remove(owner, revisions);
                publishSnapshot();
            })) {
                return;
            }
            watched.put(owner, revisions);
            publishSnapshot();
        });
        return f;
    }

    @Override
    public @NotNull CompletableFuture<Void> unsubscribe(final @NotNull AttributeOwner owner) {
        Objects.requireNonNull(owner, "owner");
        final CompletableFuture<Void> f = new CompletableFuture<>();
        core.onEngine(() -> {
            if (watched.remove(owner) == null) {
                core.complete(f, null);
                return;
            }
            publishSnapshot();
            core.submitUnsubscription(List.of(new Subscriptions.Sub(filter(owner), false)), f);
        });
        return f;
    }

    @Override
    public @NotNull Set<AttributeOwner> subscriptions() {
        return snapshot;
    }

    @Override
    public void addListener(final @NotNull AttributeListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeListener(final @NotNull AttributeListener listener) {
        listeners.remove(listener);
    }

    private void publishSnapshot() {
        snapshot = Collections.unmodifiableSet(new LinkedHashSet<>(watched.keySet()));
    }

    // -------------------------------------------------------------------------------------------- engine side

    /** A retained attribute message (or its deletion, an empty payload) of a watched owner. Engine thread. */
    void onAttribute(final TopicFamily family, final String id, final String key, final byte[] payload,
                     final Map<String, String> props, final boolean retained) {
        final AttributeOwner owner = family == TopicFamily.USER_ATTR ? AttributeOwner.user(id) : AttributeOwner.channel(id);
        final Map<String, Long> told = watched.get(owner);
        if (told == null) {
            return;
        }
        final long rev = ClientCore.parseLong(props.get(Props.REV));
        final Long last = told.get(key);
        if (last != null && rev > 0 && rev <= last) {
            return; // told already (a retained repeat after a reconnect)
        }
        if (last == null && payload.length == 0 && retained) {
            return;
        }
        told.put(key, rev);
        final String by = props.get(Props.BY) != null ? props.get(Props.BY) : "";
        final Instant at = Instant.ofEpochMilli(ClientCore.parseLong(props.get(Props.TS)));
        final Attribute attribute = payload.length == 0 ? null : new Attribute(key, payload, rev, by, at);
        final AttributeEvent event = new AttributeEvent(owner, key, attribute, rev, by, at, retained && last == null);
        core.callback("attribute listener", () -> {
            for (final AttributeListener l : listeners) {
                try {
                    l.onAttribute(event);
                } catch (final RuntimeException e) {
                    LOG.log(Level.WARNING, "attribute listener threw " + e, e);
                }
            }
        });
    }

    /** The server refused to restore a watch after a fresh-session reconnect. Engine thread. */
    void lost(final String filter, final RtmException why) {
        watched.keySet().removeIf(o -> filter(o).equals(filter));
        publishSnapshot();
    }

    /** The session ended. Engine thread. */
    void clear() {
        watched.clear();
        publishSnapshot();
    }
}
