package org.openrtm.sdk.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Props;
import org.openrtm.protocol.Rpc;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.sdk.RtmException;
import org.openrtm.sdk.channel.ChannelCount;
import org.openrtm.sdk.channel.ChannelListener;
import org.openrtm.sdk.channel.ChannelMessage;
import org.openrtm.sdk.channel.ChannelSendOptions;
import org.openrtm.sdk.channel.ChannelSendResult;
import org.openrtm.sdk.channel.Channels;
import org.openrtm.sdk.channel.JoinOptions;
import org.openrtm.sdk.channel.MemberEvent;
import org.openrtm.sdk.channel.MemberPage;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@link Channels}: argument checks on the caller's thread, everything else on the engine. The joined channels, their
 * rosters (from the retained member markers) and counts are engine-confined; {@link #joined()} reads a snapshot
 * published after each change.
 */
final class ChannelsImpl implements Channels {

    private static final Logger LOG = Logger.getLogger(ChannelsImpl.class.getName());

    /** A channel this client is in, or joining. */
    private static final class Joined {
        final String cid;
        boolean memberEvents;
        boolean countUpdates;
        /** Other members and when they joined, as the markers told. */
        final Map<String, Long> roster = new HashMap<>();
        int count = -1;
        /** The channel was joined again on a fresh session: markers that arrive now are no longer "initial". */
        boolean rejoined;

        Joined(final String cid) {
            this.cid = cid;
        }
    }

    private final ClientCore core;
    final CopyOnWriteArrayList<ChannelListener> listeners = new CopyOnWriteArrayList<>();
    // ---- engine-confined
    private final Map<String, Joined> channels = new LinkedHashMap<>();
    private volatile Set<String> snapshot = Set.of();

    ChannelsImpl(final ClientCore core) {
        this.core = core;
    }

    private static String cid(final String channel) {
        final String error = Ids.cidError(channel);
        if (error != null) {
            throw new IllegalArgumentException(error);
        }
        return channel;
    }

    // -------------------------------------------------------------------------------------------- membership

    @Override
    public @NotNull CompletableFuture<Void> join(final @NotNull String channel) {
        return join(channel, JoinOptions.defaults());
    }

    @Override
    public @NotNull CompletableFuture<Void> join(final @NotNull String channel, final @NotNull JoinOptions options) {
        final String cid = cid(channel);
        Objects.requireNonNull(options, "options");
        final CompletableFuture<Void> f = new CompletableFuture<>();
        core.onEngine(() -> {
            final Joined existing = channels.get(cid);
            final Joined j = existing != null ? existing : new Joined(cid);
            final List<Subscriptions.Sub> subs = new ArrayList<>(3);
            subs.add(new Subscriptions.Sub(RtmTopics.channelMsgFilter(cid), true));
            if (options.memberEvents()) {
                subs.add(new Subscriptions.Sub(RtmTopics.memberFilter(cid), false));
            }
            if (options.countUpdates()) {
                subs.add(new Subscriptions.Sub(RtmTopics.count(cid), false));
            }
            if (!core.submitSubscription(subs, f, () -> {
                if (existing == null && channels.get(cid) == j) {
                    channels.remove(cid);
                    publishSnapshot();
                }
            })) {
                return;
            }
            j.memberEvents |= options.memberEvents();
            j.countUpdates |= options.countUpdates();
            channels.put(cid, j);
            publishSnapshot();
        });
        return f;
    }

    @Override
    public @NotNull CompletableFuture<Void> leave(final @NotNull String channel) {
        final String cid = cid(channel);
        final CompletableFuture<Void> f = new CompletableFuture<>();
        core.onEngine(() -> {
            channels.remove(cid);
            publishSnapshot();
            core.submitUnsubscription(filters(cid), f);
        });
        return f;
    }

    private static List<Subscriptions.Sub> filters(final String cid) {
        return List.of(new Subscriptions.Sub(RtmTopics.channelMsgFilter(cid), true),
                new Subscriptions.Sub(RtmTopics.memberFilter(cid), false),
                new Subscriptions.Sub(RtmTopics.count(cid), false));
    }

    @Override
    public @NotNull Set<String> joined() {
        return snapshot;
    }

    private void publishSnapshot() {
        snapshot = Collections.unmodifiableSet(new LinkedHashSet<>(channels.keySet()));
    }

    // -------------------------------------------------------------------------------------------- sending

    @Override
    public @NotNull CompletableFuture<ChannelSendResult> send(final @NotNull String channel, final @NotNull String text) {
        return send(channel, text, ChannelSendOptions.defaults());
    }

    @Override
    public @NotNull CompletableFuture<ChannelSendResult> send(final @NotNull String channel, final @NotNull String text,
                                                              final @NotNull ChannelSendOptions options) {
        Objects.requireNonNull(text, "text");
        return send(channel, text.getBytes(StandardCharsets.UTF_8), true, options);
    }

    @Override
    public @NotNull CompletableFuture<ChannelSendResult> send(final @NotNull String channel, final byte @NotNull [] payload,
                                                              final @NotNull ChannelSendOptions options) {
        Objects.requireNonNull(payload, "payload");
        return send(channel, payload.clone(), false, options);
    }

    private CompletableFuture<ChannelSendResult> send(final String channel, final byte[] payload, final boolean text,
                                                      final ChannelSendOptions options) {
        final String cid = cid(channel);
        Objects.requireNonNull(options, "options");
        final Map<String, String> props = new LinkedHashMap<>();
        if (options.only() != null) {
            props.put(Props.ONLY, String.join(",", options.only()));
        }
        if (options.except() != null) {
            props.put(Props.EXCEPT, String.join(",", options.except()));
        }
        if (!options.history()) {
            props.put(Props.HISTORY, Props.FALSE);
        }
        props.putAll(options.properties());
        return DefaultRtmClient.view(core.sendGroup(Pending.Kind.CHANNEL, RtmTopics.channelMsg(cid, core.config.uid), payload,
                text, props, options.clientMessageId(), options.timeout(), options.atMostOnce() ? 0 : 1), r -> {
                    final GroupAck a = (GroupAck) r;
                    return new ChannelSendResult(cid, a.rtmId, a.clientMessageId, a.recipients);
                });
    }

    // -------------------------------------------------------------------------------------------- queries

    @Override
    public @NotNull CompletableFuture<MemberPage> members(final @NotNull String channel) {
        return members(channel, MAX_PAGE, null);
    }

    @Override
    public @NotNull CompletableFuture<MemberPage> members(final @NotNull String channel, final int limit,
                                                          final @Nullable String cursor) {
        final String cid = cid(channel);
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_PAGE + ", but was " + limit);
        }
        final JsonObject request = new JsonObject();
        request.addProperty("cid", cid);
        request.addProperty("limit", limit);
        if (cursor != null) {
            request.addProperty("cursor", cursor);
        }
        return DefaultRtmClient.view(core.request(Rpc.CHANNEL_MEMBERS, request.toString()),
                r -> Json.memberPage(cid, (String) r));
    }

    @Override
    public @NotNull CompletableFuture<List<String>> allMembers(final @NotNull String channel) {
        final String cid = cid(channel);
        final List<String> all = new ArrayList<>();
        return members(cid).thenCompose(page -> collect(cid, page, all));
    }

    private CompletableFuture<List<String>> collect(final String cid, final MemberPage page, final List<String> all) {
        all.addAll(page.members());
        if (!page.hasMore()) {
            return CompletableFuture.completedFuture(Collections.unmodifiableList(all));
        }
        return members(cid, MAX_PAGE, page.cursor()).thenCompose(next -> collect(cid, next, all));
    }

    @Override
    public @NotNull CompletableFuture<Integer> count(final @NotNull String channel) {
        final String cid = cid(channel);
        return count(List.of(cid)).thenApply(m -> m.getOrDefault(cid, 0));
    }

    @Override
    public @NotNull CompletableFuture<Map<String, Integer>> count(final @NotNull Collection<String> channels) {
        Objects.requireNonNull(channels, "channels");
        final Set<String> cids = new LinkedHashSet<>();
        for (final String c : channels) {
            cids.add(cid(c));
        }
        if (cids.isEmpty() || cids.size() > MAX_COUNT_QUERY) {
            throw new IllegalArgumentException("channels must list 1 to " + MAX_COUNT_QUERY + " channel ids, but listed "
                    + cids.size());
        }
        final JsonObject request = new JsonObject();
        final JsonArray array = new JsonArray();
        cids.forEach(array::add);
        request.add("cids", array);
        return DefaultRtmClient.view(core.request(Rpc.CHANNEL_COUNT, request.toString()), r -> {
            final JsonObject result = Json.resultObject(Rpc.CHANNEL_COUNT, (String) r);
            final Map<String, Integer> counts = new LinkedHashMap<>();
            for (final String cid : cids) {
                counts.put(cid, (int) Json.number(result, cid, 0));
            }
            return Collections.unmodifiableMap(counts);
        });
    }

    @Override
    public @NotNull CompletableFuture<List<String>> joinedOnServer() {
        return joined(new JsonObject());
    }

    @Override
    public @NotNull CompletableFuture<List<String>> joinedOnServer(final @NotNull String uid) {
        final String error = Ids.uidError(uid);
        if (error != null) {
            throw new IllegalArgumentException(error);
        }
        final JsonObject request = new JsonObject();
        request.addProperty("uid", uid);
        return joined(request);
    }

    private CompletableFuture<List<String>> joined(final JsonObject request) {
        return DefaultRtmClient.view(core.request(Rpc.CHANNEL_JOINED, request.toString()), r -> {
            final JsonObject result = Json.resultObject(Rpc.CHANNEL_JOINED, (String) r);
            return Json.strings(result, "channels");
        });
    }

    @Override
    public void addListener(final @NotNull ChannelListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeListener(final @NotNull ChannelListener listener) {
        listeners.remove(listener);
    }

    private void tell(final String what, final Consumer<ChannelListener> call) {
        core.callback("channel listener", () -> {
            for (final ChannelListener l : listeners) {
                try {
                    call.accept(l);
                } catch (final RuntimeException e) {
                    LOG.log(Level.WARNING, "channel listener threw in " + what + ": " + e, e);
                }
            }
        });
    }

    // -------------------------------------------------------------------------------------------- incoming (engine)

    /** A channel message; acknowledged after the listeners ran. Engine thread. */
    void onMessage(final Link l, final MqttMessage m, final String cid, final String from, final Map<String, String> up) {
        if (!channels.containsKey(cid)) {
            core.acknowledge(l, m); // left meanwhile
            return;
        }
        final Incoming in = Incoming.of(m, up);
        final ChannelMessage message = new ChannelMessage(cid, from, in.messageId, in.serverTimeMillis, in.payload,
                in.text, in.contentType, in.properties);
        core.deliverThenAck("channel listener", l, m, listeners, listener -> listener.onMessage(message));
    }

    /** A member marker: {@code {"since":ms}}, or empty when the member left. Engine thread. */
    void onMember(final String cid, final String uid, final byte[] payload, final boolean retained) {
        final Joined j = channels.get(cid);
        if (j == null || !j.memberEvents || uid.equals(core.config.uid)) {
            return;
        }
        if (payload.length == 0) {
            if (j.roster.remove(uid) != null) {
                final MemberEvent e = new MemberEvent(cid, uid, null, false);
                tell("onMemberLeft", l -> l.onMemberLeft(e));
            }
            return;
        }
        if (j.roster.containsKey(uid)) {
            return; // a retained repeat after a reconnect
        }
        final JsonObject body = Json.object(payload);
        final long since = body == null ? 0 : Json.number(body, "since", 0);
        j.roster.put(uid, since);
        final MemberEvent e = new MemberEvent(cid, uid, Instant.ofEpochMilli(since), retained && !j.rejoined);
        tell("onMemberJoined", l -> l.onMemberJoined(e));
    }

    /** A member count (decimal text). Engine thread. */
    void onCount(final String cid, final byte[] payload, final boolean retained) {
        final Joined j = channels.get(cid);
        if (j == null || !j.countUpdates || payload.length == 0) {
            return;
        }
        final int n;
        try {
            n = Integer.parseInt(new String(payload, StandardCharsets.US_ASCII).trim());
        } catch (final NumberFormatException e) {
            LOG.log(Level.FINE, "count of {0} not understood", cid);
            return;
        }
        if (n == j.count) {
            return;
        }
        final boolean initial = retained && j.count < 0;
        j.count = n;
        final ChannelCount c = new ChannelCount(cid, n, initial);
        tell("onCountChanged", l -> l.onCountChanged(c));
    }

    /**
     * The channels were joined again on a fresh session: member leaves that happened meanwhile were never delivered
     * (the old session was gone), so each roster is checked against the server's member list. Engine thread.
     */
    void freshSession() {
        for (final Joined j : channels.values()) {
            j.rejoined = true;
            if (!j.memberEvents) {
                continue;
            }
            allMembers(j.cid).whenComplete((members, error) -> core.onEngine(() -> {
                if (error != null) {
                    LOG.log(Level.FINE, "member list of {0} not fetched after a reconnect: {1}", new Object[] {j.cid, error});
                    return;
                }
                if (channels.get(j.cid) != j) {
                    return;
                }
                final Set<String> present = new HashSet<>(members);
                for (final String uid : new ArrayList<>(j.roster.keySet())) {
                    if (!present.contains(uid)) {
                        j.roster.remove(uid);
                        final MemberEvent e = new MemberEvent(j.cid, uid, null, false);
                        tell("onMemberLeft", l -> l.onMemberLeft(e));
                    }
                }
            }));
        }
    }

    /** The server refused to restore a subscription after a fresh-session reconnect. Engine thread. */
    void lost(final String filter, final RtmException why) {
        for (final Joined j : new ArrayList<>(channels.values())) {
            if (RtmTopics.channelMsgFilter(j.cid).equals(filter)) {
                channels.remove(j.cid);
                publishSnapshot();
                core.submitSubscription(false, filters(j.cid), error -> { });
                tell("onJoinLost", l -> l.onJoinLost(j.cid, why));
            } else if (RtmTopics.memberFilter(j.cid).equals(filter)) {
                j.memberEvents = false;
            } else if (RtmTopics.count(j.cid).equals(filter)) {
                j.countUpdates = false;
            }
        }
    }

    /** The session ended. Engine thread. */
    void clear() {
        channels.clear();
        publishSnapshot();
    }
}
