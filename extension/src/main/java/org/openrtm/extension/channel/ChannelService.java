package org.openrtm.extension.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.access.AccessPolicy;
import org.openrtm.extension.access.SubscriptionGuard;
import org.openrtm.extension.access.SubscriptionListener;
import org.openrtm.extension.delivery.Outbound;
import org.openrtm.extension.delivery.RtmMessage;
import org.openrtm.extension.history.HistoryRecorder;
import org.openrtm.extension.peer.Dedup;
import org.openrtm.extension.store.WriteBatch;
import org.openrtm.extension.presence.PresenceService;
import org.openrtm.extension.routing.InboundPublish;
import org.openrtm.extension.routing.SendResult;
import org.openrtm.extension.routing.SenderOptions;
import org.openrtm.extension.rpc.RpcException;
import org.openrtm.extension.rpc.RpcHandler;
import org.openrtm.extension.session.Connection;
import org.openrtm.extension.session.Sessions;
import org.openrtm.extension.util.Lanes;
import org.openrtm.protocol.FilterMatch;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Limits;
import org.openrtm.protocol.ParsedTopic;
import org.openrtm.protocol.Props;
import org.openrtm.protocol.Rpc;
import org.openrtm.protocol.RtmIds;
import org.openrtm.protocol.RtmStatus;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.protocol.TopicFamily;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Channels: membership by subscription, the retained member markers and counts, channel messages with whitelist and
 * blacklist, broadcasts, and the channel RPCs.
 *
 * <h2>Membership</h2>
 * A granted subscription that covers every sender of a channel ({@code rtm/channel/{cid}/msg/+} or {@code /#}) is a
 * join; the user leaves when its last such subscription goes, or when it goes offline (see {@link PresenceService}).
 * A user that reconnects with a fresh session (its subscriptions gone) keeps its memberships for the presence grace
 * period, so a client that resubscribes at once causes no leave/join churn; a channel it does not resubscribe to is
 * left when that period ends. A resumed session's subscriptions are looked up and its memberships reconciled.
 *
 * <h2>Threads</h2>
 * A user's memberships change only on the user's lane; a channel's member map is concurrent (sends and RPCs read it
 * from any thread); count publishing is guarded by the channel's monitor. Retained publishes of one user (markers)
 * and of one channel (counts) are chained so the broker keeps the latest. Thread-safe.
 */
public final class ChannelService implements SubscriptionListener, SubscriptionGuard, Sessions.Listener,
        PresenceService.Listener {

    private static final Logger log = LoggerFactory.getLogger(ChannelService.class);
    private static final Duration IDLE_CHANNEL = Duration.ofMinutes(1);

    private static final class Channel {
        final String cid;
        final ConcurrentSkipListMap<String, Long> members = new ConcurrentSkipListMap<>();
        long lastCountAt;
        boolean countScheduled;
        int publishedCount = -1;
        CompletableFuture<Void> publishes = CompletableFuture.completedFuture(null);

        Channel(final String cid) {
            this.cid = cid;
        }
    }

    private static final class Member {
        /** cid → the subscription filters that make the user a member (guarded by the member's monitor). */
        final Map<String, Set<String>> joins = new HashMap<>();
        /** cids whose join is authorized but not yet granted (counted against the limit). */
        final Set<String> reserved = new HashSet<>();
        /** cids kept through a fresh-session reconnect, waiting for the client to subscribe again. */
        final Set<String> awaiting = new HashSet<>();
        CompletableFuture<Void> publishes = CompletableFuture.completedFuture(null);
    }

    /**
     * The service's limits.
     *
     * @param maxJoined     most channels per user
     * @param maxList       most uids in an only/except list
     * @param countInterval shortest time between two count updates of a channel
     * @param rejoinWindow  how long memberships wait for a fresh session to subscribe again (the presence grace)
     */
    public record ChannelLimits(int maxJoined, int maxList, @NotNull Duration countInterval, @NotNull Duration rejoinWindow) {
    }

    private final Outbound outbound;
    private final Dedup dedup;
    private final ScheduledExecutorService scheduler;
    private final Lanes lanes;
    private final Clock clock;
    private final RtmIds ids;
    private final ChannelLimits limits;
    private final Function<String, CompletableFuture<Map<String, Integer>>> subscriptionLookup;
    private final HistoryRecorder history;
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private final Map<String, Member> members = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> broadcastFilters = new ConcurrentHashMap<>();

    public ChannelService(
            final @NotNull Outbound outbound,
            final @NotNull ScheduledExecutorService scheduler,
            final @NotNull Lanes lanes,
            final @NotNull Clock clock,
            final @NotNull RtmIds ids,
            final @NotNull ChannelLimits limits,
            final @NotNull Function<String, CompletableFuture<Map<String, Integer>>> subscriptionLookup,
            final @NotNull HistoryRecorder history,
            final @NotNull Dedup dedup) {
        this.dedup = dedup;
        this.outbound = outbound;
        this.scheduler = scheduler;
        this.lanes = lanes;
        this.clock = clock;
        this.ids = ids;
        this.limits = limits;
        this.subscriptionLookup = subscriptionLookup;
        this.history = history;
    }

    /**
     * After a (re)start nobody is a member of anything: clears member markers and counts the broker still retains
     * (a broker with file persistence keeps them across restarts).
     */
    public void start() {
        outbound.forEachRetained((topic, payload) -> {
            final ParsedTopic t = RtmTopics.parse(topic);
            if (!t.isValid() || payload.length == 0) {
                return;
            }
            if (t.family() == TopicFamily.CHANNEL_MEMBER) {
                final String cid = t.id();
                final String uid = t.sub();
                lanes.of(uid).execute(() -> {
                    final Channel ch = channels.get(cid);
                    if (ch == null || !ch.members.containsKey(uid)) {
                        publishRetained(RtmTopics.member(cid, uid), new byte[0]);
                    }
                });
            } else if (t.family() == TopicFamily.CHANNEL_COUNT) {
                scheduleCount(channels.computeIfAbsent(t.id(), Channel::new));
            }
        }).exceptionally(e -> {
            log.warn("Could not check retained channel state: {}", e.toString());
            return null;
        });
    }

    // --------------------------------------------------------------------------------------------------- membership

    /** The channel a subscription filter joins, or {@code null} if it is not a join. */
    static @Nullable String joinedBy(final @NotNull String filter) {
        if (filter.startsWith("$share/")) {
            return null;
        }
        for (final FilterMatch m : RtmTopics.analyzeFilter(filter).matches()) {
            if (m.family() == TopicFamily.CHANNEL_MSG && m.id() != null && m.coversAllSubs()) {
                return m.id();
            }
        }
        return null;
    }

    private static boolean readsBroadcast(final String filter) {
        for (final FilterMatch m : RtmTopics.analyzeFilter(filter).matches()) {
            if (m.family() == TopicFamily.BROADCAST) {
                return true;
            }
        }
        return false;
    }

    private Member member(final String uid) {
        return members.computeIfAbsent(uid, u -> new Member());
    }

    @Override
    public @Nullable AccessPolicy.Decision check(final @NotNull Connection connection, final @NotNull String filter) {
        final String cid = joinedBy(filter);
        if (cid == null) {
            return null;
        }
        final Member m = member(connection.uid());
        synchronized (m) {
            if (m.joins.containsKey(cid) || m.reserved.contains(cid)) {
                return null;
            }
            final int in = m.joins.size() + m.reserved.size();
            if (in >= limits.maxJoined()) {
                return new AccessPolicy.Decision(false, 0x97, "you are in " + in + " channels, the most allowed "
                        + "(channel.max-joined = " + limits.maxJoined() + "); leave one before joining "
                        + Ids.show(cid));
            }
            m.reserved.add(cid);
        }
        return null;
    }

    @Override
    public void granted(final @NotNull Connection connection, final @NotNull String filter, final int qos) {
        granted(connection, filter, qos, null);
    }

    @Override
    public void granted(final @NotNull Connection connection, final @NotNull String filter, final int qos,
                        final @Nullable Integer subscriptionId) {
        final String uid = connection.uid();
        if (readsBroadcast(filter)) {
            broadcastFilters.computeIfAbsent(uid, k -> ConcurrentHashMap.newKeySet()).add(filter);
        }
        final String cid = joinedBy(filter);
        if (cid == null) {
            return;
        }
        // inline when the user's lane is idle (the usual case): the member is then counted before its SUBACK leaves,
        // so a send right after the SUBACK finds it
        lanes.of(uid).runOrQueue(() -> {
            final Member m = member(uid);
            synchronized (m) {
                m.reserved.remove(cid);
                m.awaiting.remove(cid);
                m.joins.computeIfAbsent(cid, c -> new HashSet<>()).add(filter);
            }
            join(uid, cid);
            addDirect(uid, cid, qos, subscriptionId);
        });
    }

    /**
     * Gives the member its internal subscription {@code rtm/direct/{uid}/{cid}/+}, with the QoS and Subscription
     * Identifier of its join, so that a listed message reaches it through a topic-tree node of its own (HiveMQ's
     * per-client lookup then visits one subscriber, not every member of the channel). A later grant for the channel
     * replaces it; leaving removes it; a fresh session loses it with its other subscriptions.
     */
    private void addDirect(final String uid, final String cid, final int qos, final @Nullable Integer subscriptionId) {
        final String filter = RtmTopics.channelDirectFilter(uid, cid);
        outbound.subscribe(uid, filter, qos, subscriptionId).exceptionally(e -> {
            // harmless: listed messages then take the channel topic (the slower lookup) for this member
            log.debug("Internal subscription {} could not be added: {}", filter, e.toString());
            return null;
        });
    }

    @Override
    public void refused(final @NotNull Connection connection, final @NotNull String filter) {
        final String cid = joinedBy(filter);
        if (cid == null) {
            return;
        }
        final String uid = connection.uid();
        lanes.of(uid).execute(() -> {
            final Member m = member(uid);
            synchronized (m) {
                m.reserved.remove(cid);
            }
        });
    }

    @Override
    public void removed(final @NotNull Connection connection, final @NotNull String filter) {
        final String uid = connection.uid();
        broadcastFilters.computeIfPresent(uid, (k, set) -> {
            set.remove(filter);
            return set.isEmpty() ? null : set;
        });
        final String cid = joinedBy(filter);
        if (cid == null) {
            return;
        }
        // inline when the user's lane is idle (the usual case), as for a join: the member has left before its
        // UNSUBACK goes out, so a join right after it is not refused over the channel limit
        lanes.of(uid).runOrQueue(() -> {
            final Member m = member(uid);
            final boolean last;
            synchronized (m) {
                final Set<String> filters = m.joins.get(cid);
                if (filters == null) {
                    return;
                }
                filters.remove(filter);
                last = filters.isEmpty() && !m.awaiting.contains(cid);
                if (last) {
                    m.joins.remove(cid);
                }
            }
            if (last) {
                leave(uid, cid);
            }
        });
    }

    @Override
    public void connected(final @NotNull Connection connection) {
        final String uid = connection.uid();
        if (connection.sessionPresent()) {
            subscriptionLookup.apply(uid).thenAccept(subs -> lanes.of(uid).execute(() -> reconcile(uid, subs.keySet())))
                    .exceptionally(e -> {
                        log.warn("Subscriptions of {} could not be looked up: {}", uid, e.toString());
                        return null;
                    });
            return;
        }
        lanes.of(uid).execute(() -> {
            final Member m = members.get(uid);
            if (m == null) {
                return;
            }
            final Set<String> kept;
            synchronized (m) {
                for (final Map.Entry<String, Set<String>> e : m.joins.entrySet()) {
                    e.getValue().clear(); // the broker forgot the subscriptions with the old session
                    m.awaiting.add(e.getKey());
                }
                kept = new HashSet<>(m.awaiting);
            }
            if (kept.isEmpty()) {
                return;
            }
            scheduler.schedule(() -> lanes.of(uid).execute(() -> expireAwaiting(uid, kept)),
                    limits.rejoinWindow().toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    private void expireAwaiting(final String uid, final Set<String> kept) {
        final Member m = members.get(uid);
        if (m == null) {
            return;
        }
        final List<String> gone = new ArrayList<>();
        synchronized (m) {
            for (final String cid : kept) {
                if (m.awaiting.remove(cid)) {
                    final Set<String> filters = m.joins.get(cid);
                    if (filters == null || filters.isEmpty()) {
                        m.joins.remove(cid);
                        gone.add(cid);
                    }
                }
            }
        }
        for (final String cid : gone) {
            log.debug("{} did not subscribe to channel {} again after reconnecting; left", uid, cid);
            leave(uid, cid);
        }
    }

    private void reconcile(final String uid, final Set<String> filters) {
        final Map<String, Set<String>> now = new HashMap<>();
        for (final String f : filters) {
            final String cid = joinedBy(f);
            if (cid != null) {
                now.computeIfAbsent(cid, c -> new HashSet<>()).add(f);
            }
            if (readsBroadcast(f)) {
                broadcastFilters.computeIfAbsent(uid, k -> ConcurrentHashMap.newKeySet()).add(f);
            }
        }
        final Member m = member(uid);
        final List<String> left = new ArrayList<>();
        synchronized (m) {
            for (final String cid : new ArrayList<>(m.joins.keySet())) {
                if (!now.containsKey(cid)) {
                    m.joins.remove(cid);
                    left.add(cid);
                }
            }
            m.awaiting.clear();
            m.joins.putAll(now);
        }
        left.forEach(cid -> leave(uid, cid));
        now.keySet().forEach(cid -> join(uid, cid));
    }

    @Override
    public void disconnected(final @NotNull Connection connection, final @NotNull Sessions.CloseKind kind,
                             final boolean wasCurrent) {
        if (wasCurrent && connection.sessionExpirySeconds() == 0) {
            broadcastFilters.remove(connection.uid());
        }
    }

    /** The user went offline: it leaves every channel. Runs on the user's lane (presence calls it there). */
    @Override
    public void offline(final @NotNull String uid) {
        final Member m = members.get(uid);
        if (m == null) {
            return;
        }
        final List<String> cids;
        synchronized (m) {
            cids = new ArrayList<>(m.joins.keySet());
            m.joins.clear();
            m.awaiting.clear();
            m.reserved.clear();
        }
        for (final String cid : cids) {
            leave(uid, cid);
        }
    }

    private void join(final String uid, final String cid) {
        final Channel ch = channels.computeIfAbsent(cid, Channel::new);
        final long now = clock.millis();
        if (ch.members.putIfAbsent(uid, now) == null) {
            final JsonObject marker = new JsonObject();
            marker.addProperty("since", now);
            publishMarker(uid, RtmTopics.member(cid, uid), marker.toString().getBytes(StandardCharsets.UTF_8));
            scheduleCount(ch);
            log.debug("{} joined {}", uid, cid);
        }
    }

    private void leave(final String uid, final String cid) {
        final Channel ch = channels.get(cid);
        if (ch != null && ch.members.remove(uid) != null) {
            final String direct = RtmTopics.channelDirectFilter(uid, cid);
            outbound.unsubscribe(uid, direct).exceptionally(e -> {
                // the session is gone, and the subscription with it
                log.debug("Internal subscription {} could not be removed: {}", direct, e.toString());
                return null;
            });
            publishMarker(uid, RtmTopics.member(cid, uid), new byte[0]);
            scheduleCount(ch);
            log.debug("{} left {}", uid, cid);
        }
    }

    private void publishMarker(final String uid, final String topic, final byte[] payload) {
        final Member m = member(uid);
        final RtmMessage msg = retained(topic, payload);
        m.publishes = m.publishes.handle((v, e) -> null).thenCompose(v -> outbound.publish(msg)).exceptionally(e -> {
            log.warn("Member marker {} could not be published: {}", topic, e.toString());
            return null;
        });
    }

    private void publishRetained(final String topic, final byte[] payload) {
        outbound.publish(retained(topic, payload)).exceptionally(e -> {
            log.warn("Retained {} could not be published: {}", topic, e.toString());
            return null;
        });
    }

    private static RtmMessage retained(final String topic, final byte[] payload) {
        return new RtmMessage(topic, payload, 1, true, List.of(), null, null, null,
                payload.length == 0 ? null : "application/json", payload.length > 0);
    }

    private void scheduleCount(final Channel ch) {
        synchronized (ch) {
            if (ch.countScheduled) {
                return;
            }
            ch.countScheduled = true;
            final long wait = Math.max(0, ch.lastCountAt + limits.countInterval().toMillis() - clock.millis());
            scheduler.schedule(() -> publishCount(ch), wait, TimeUnit.MILLISECONDS);
        }
    }

    private void publishCount(final Channel ch) {
        final RtmMessage m;
        synchronized (ch) {
            ch.countScheduled = false;
            ch.lastCountAt = clock.millis();
            final int n = ch.members.size();
            if (n == ch.publishedCount) {
                return;
            }
            ch.publishedCount = n;
            m = new RtmMessage(RtmTopics.count(ch.cid), Integer.toString(n).getBytes(StandardCharsets.US_ASCII), 1, true,
                    List.of(), null, null, null, "text/plain", true);
            ch.publishes = ch.publishes.handle((v, e) -> null).thenCompose(v -> outbound.publish(m)).exceptionally(e -> {
                log.warn("Count of {} could not be published: {}", ch.cid, e.toString());
                return null;
            });
        }
    }

    /** Forgets channels that have been empty for a while and users in no channel. Call periodically. */
    public void sweep() {
        members.forEach((uid, m) -> lanes.of(uid).execute(() -> {
            synchronized (m) {
                if (m.joins.isEmpty() && m.reserved.isEmpty() && m.awaiting.isEmpty() && m.publishes.isDone()) {
                    members.remove(uid, m);
                }
            }
        }));
        final long cutoff = clock.millis() - IDLE_CHANNEL.toMillis();
        channels.values().removeIf(ch -> {
            synchronized (ch) {
                return ch.members.isEmpty() && !ch.countScheduled && ch.publishedCount <= 0 && ch.lastCountAt < cutoff
                        && ch.publishes.isDone();
            }
        });
    }

    /** Whether a user is a member of a channel now. */
    public boolean isMember(final @NotNull String cid, final @NotNull String uid) {
        final Channel ch = channels.get(cid);
        return ch != null && ch.members.containsKey(uid);
    }

    /** Number of members of a channel now. */
    public int size(final @NotNull String cid) {
        final Channel ch = channels.get(cid);
        return ch == null ? 0 : ch.members.size();
    }

    /** Number of channels with at least one member (for metrics). */
    public int activeChannels() {
        return (int) channels.values().stream().filter(ch -> !ch.members.isEmpty()).count();
    }

    /** The channels a user is in now, sorted. */
    public @NotNull List<String> joined(final @NotNull String uid) {
        final Member m = members.get(uid);
        if (m == null) {
            return List.of();
        }
        final Set<String> out = new TreeSet<>();
        synchronized (m) {
            for (final String cid : m.joins.keySet()) {
                if (isMember(cid, uid)) {
                    out.add(cid);
                }
            }
        }
        return List.copyOf(out);
    }

    // ---------------------------------------------------------------------------------------------------- sending

    /** Handles a publish to {@code rtm/channel/{cid}/msg/{from}}. */
    public @NotNull CompletableFuture<SendResult> send(final @NotNull Connection sender, final @NotNull InboundPublish p) {
        return send(sender, p, true);
    }

    /**
     * Sends a channel message on behalf of a service (the REST API): the sender need not be a member. The message is
     * always handed to the members by the server (never relayed), so it reaches them even though no client published.
     */
    public @NotNull CompletableFuture<SendResult> sendAsService(final @NotNull Connection sender,
                                                                 final @NotNull InboundPublish p) {
        if (!sender.role().isPrivileged()) {
            return done(SendResult.refused(RtmStatus.FORBIDDEN, "sending to a channel without joining it needs role "
                    + "service or admin"));
        }
        return send(sender, p, false);
    }

    private CompletableFuture<SendResult> send(final Connection sender, final InboundPublish p, final boolean asMember) {
        final String cid = p.parsed().id();
        final String from = p.parsed().sub();
        if (!sender.uid().equals(from)) {
            return done(SendResult.refused(RtmStatus.FORBIDDEN, "sender level of " + p.topic() + " must be your own uid "
                    + Ids.show(sender.uid()) + ", but was " + Ids.show(from)));
        }
        if (asMember && !isMember(cid, sender.uid())) {
            return done(SendResult.refused(RtmStatus.FORBIDDEN, "you are not a member of channel " + Ids.show(cid)
                    + "; subscribe to " + RtmTopics.channelMsgFilter(cid) + " to join it"));
        }
        final SenderOptions options;
        try {
            options = SenderOptions.of(p, limits.maxList());
            if (options.receipt()) {
                throw new IllegalArgumentException(Props.RECEIPT + " applies to peer messages only; a channel message's "
                        + "PUBACK tells how many members it went to (" + Props.RECIPIENTS + ")");
            }
        } catch (final IllegalArgumentException e) {
            return done(SendResult.refused(RtmStatus.INVALID, e.getMessage()));
        }
        final Channel ch = asMember ? channels.get(cid) : channels.computeIfAbsent(cid, Channel::new);
        if (ch == null) {
            return done(SendResult.refused(RtmStatus.FORBIDDEN, "you are not a member of channel " + Ids.show(cid)));
        }
        if (options.cid() == null || !dedup.enabled()) {
            return send(sender, p, asMember, options, ch, false);
        }
        // a retry (same sender and rtm-cid within the window) gets the first answer and reaches nobody again
        final CompletableFuture<SendResult> mine = new CompletableFuture<>();
        final CompletableFuture<SendResult> first = dedup.claim(sender.uid(), options.cid(), mine);
        if (first != null) {
            log.debug("{} repeated rtm-cid {} on channel {}: answered with the first result", sender.uid(), options.cid(),
                    cid);
            return first.thenApply(r -> new SendResult(r.status(), r.rtmId(), r.reason(), r.extra()));
        }
        // the de-duplication record is journaled with the history record, durable before the sender hears the result,
        // so a retry after a crash is recognised too
        send(sender, p, asMember, options, ch, true).whenComplete((r, e) -> {
            if (e != null || !r.status().isSuccess()) {
                dedup.release(sender.uid(), options.cid());
                if (e != null) {
                    mine.completeExceptionally(e);
                } else {
                    mine.complete(r);
                }
                return;
            }
            mine.complete(r);
        });
        return mine;
    }

    private CompletableFuture<SendResult> send(final Connection sender, final InboundPublish p, final boolean asMember,
                                               final SenderOptions options, final Channel ch, final boolean dedupRecord) {
        final String cid = ch.cid;
        final String rtmId = ids.next();
        final long now = clock.millis();
        final List<Map.Entry<String, String>> stamped = SenderOptions.stamped(p.properties(), rtmId, now);
        // the history record and the de-duplication record in one journal append (after a crash both are there or
        // neither), written in parallel with the delivery; the PUBACK waits for it to be durable
        final WriteBatch batch = new WriteBatch();
        if (dedupRecord) {
            dedup.record(batch, sender.uid(), options.cid(), rtmId, cid, RtmStatus.DELIVERED);
        }
        if (options.history()) {
            history.addChannel(batch, cid, sender.uid(), rtmId, now, p.payload(), options.only(), options.except());
        }
        final CompletableFuture<Void> recorded = batch.isEmpty() ? CompletableFuture.completedFuture(null)
                : dedup.persist(batch).exceptionally(e -> {
                    log.warn("History and de-duplication records of channel message {} from {} could not be stored: {}",
                            rtmId, sender.uid(), e.toString());
                    return null;
                });
        if (asMember && options.only() == null && options.except() == null) {
            // the broker fans out to every subscriber itself; the sender is not counted
            final int recipients = Math.max(0, ch.members.size() - 1);
            final SendResult relay = new SendResult(RtmStatus.DELIVERED, rtmId, null,
                    Map.of(Props.RECIPIENTS, Integer.toString(recipients)), stamped, false);
            return recorded.thenApply(v -> relay);
        }
        if (asMember && options.except() != null) {
            // a blacklist message is relayed by the broker like any other; each member's outbound interceptor
            // (DeliveryTracker) drops the copies the list excludes and strips the list, so HiveMQ's fan-out does the
            // work. A whitelist names at most 128 members: handing it to them one by one is cheaper than a full fan-out
            // of which almost every copy would be dropped (measured: docs/benchmarks.md, finding 6).
            int recipients = 0;
            for (final String uid : ch.members.keySet()) {
                if (!uid.equals(sender.uid()) && !options.except().contains(uid)) {
                    recipients++;
                }
            }
            final List<Map.Entry<String, String>> relayed = new ArrayList<>(stamped);
            relayed.add(Map.entry(Props.EXCEPT, String.join(",", options.except())));
            final SendResult relay = new SendResult(RtmStatus.DELIVERED, rtmId, null,
                    Map.of(Props.RECIPIENTS, Integer.toString(recipients)), relayed, false);
            return recorded.thenApply(v -> relay);
        }
        final List<String> targets = new ArrayList<>();
        if (options.only() != null) {
            for (final String uid : options.only()) {
                if (ch.members.containsKey(uid)) {
                    targets.add(uid);
                }
            }
        } else {
            final Set<String> except = options.except() == null ? Set.of() : options.except();
            for (final String uid : ch.members.keySet()) {
                if (!uid.equals(sender.uid()) && !except.contains(uid)) {
                    targets.add(uid);
                }
            }
        }
        final RtmMessage message = new RtmMessage(p.topic(), p.payload(), Math.min(p.qos(), 1), false, stamped,
                p.expirySeconds(), p.correlation(), p.responseTopic(), p.contentType(), p.utf8());
        final AtomicInteger reached = new AtomicInteger();
        final CompletableFuture<?>[] handed = new CompletableFuture<?>[targets.size() + 1];
        for (int i = 0; i < targets.size(); i++) {
            final String to = targets.get(i);
            // through the member's internal subscription (its own topic-tree node; its outbound interceptor puts the
            // channel topic back), else, while that subscription is not in place, on the channel topic: HiveMQ then
            // finds the member among all subscribers of the channel (docs/benchmarks.md, finding 6)
            handed[i] = outbound.toClient(to, direct(message, to, cid, sender.uid()))
                    .thenCompose(ok -> Boolean.TRUE.equals(ok) ? CompletableFuture.completedFuture(true)
                            : outbound.toClient(to, message))
                    .handle((ok, e) -> {
                        if (e == null && Boolean.TRUE.equals(ok)) {
                            reached.incrementAndGet();
                        }
                        return null;
                    });
        }
        handed[targets.size()] = recorded;
        return CompletableFuture.allOf(handed).thenApply(v -> new SendResult(RtmStatus.DELIVERED, rtmId, null,
                Map.of(Props.RECIPIENTS, Integer.toString(reached.get()))));
    }

    private static RtmMessage direct(final RtmMessage m, final String to, final String cid, final String from) {
        return new RtmMessage(RtmTopics.channelDirect(to, cid, from), m.payload(), m.qos(), m.retain(), m.properties(),
                m.expirySeconds(), m.correlation(), m.responseTopic(), m.contentType(), m.utf8());
    }

    /** Handles a publish to {@code rtm/all/{from}}: roles service and admin only. */
    public @NotNull CompletableFuture<SendResult> broadcast(final @NotNull Connection sender, final @NotNull InboundPublish p) {
        final String from = p.parsed().id();
        if (!sender.uid().equals(from)) {
            return done(SendResult.refused(RtmStatus.FORBIDDEN, "sender level of " + p.topic() + " must be your own uid "
                    + Ids.show(sender.uid()) + ", but was " + Ids.show(from)));
        }
        if (!sender.role().isPrivileged()) {
            return done(SendResult.refused(RtmStatus.FORBIDDEN,
                    "broadcasting needs role service or admin; your token's role is " + sender.role().wire()));
        }
        final String rtmId = ids.next();
        int recipients = 0;
        for (final String uid : broadcastFilters.keySet()) {
            if (!uid.equals(sender.uid())) {
                recipients++;
            }
        }
        return done(new SendResult(RtmStatus.DELIVERED, rtmId, null, Map.of(Props.RECIPIENTS, Integer.toString(recipients)),
                SenderOptions.stamped(p.properties(), rtmId, clock.millis()), false));
    }

    private static CompletableFuture<SendResult> done(final SendResult r) {
        return CompletableFuture.completedFuture(r);
    }

    // -------------------------------------------------------------------------------------------------------- RPCs

    /** {@code channel.members}: {@code {"cid","limit"?,"cursor"?}} to {@code {"members":[...],"cursor":...|null}}. */
    public @NotNull RpcHandler membersHandler() {
        return (caller, params) -> {
            final String cid = string(params, "cid", true);
            final String cidError = Ids.cidError(cid);
            if (cidError != null) {
                throw new RpcException(Rpc.ERR_INVALID, "cid: " + cidError);
            }
            final int limit = integer(params, "limit", Limits.MAX_MEMBERS_PAGE, 1, Limits.MAX_MEMBERS_PAGE);
            final String cursor = string(params, "cursor", false);
            String after = null;
            if (cursor != null) {
                try {
                    after = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
                } catch (final IllegalArgumentException e) {
                    throw new RpcException(Rpc.ERR_INVALID, "cursor " + Ids.show(cursor) + " is not one this server gave");
                }
                if (!Ids.isValidUid(after)) {
                    throw new RpcException(Rpc.ERR_INVALID, "cursor " + Ids.show(cursor) + " is not one this server gave");
                }
            }
            final Channel ch = channels.get(cid);
            final JsonArray list = new JsonArray();
            String last = null;
            boolean more = false;
            if (ch != null) {
                final Map<String, Long> view = after == null ? ch.members : ch.members.tailMap(after, false);
                for (final String uid : view.keySet()) {
                    if (list.size() == limit) {
                        more = true;
                        break;
                    }
                    list.add(uid);
                    last = uid;
                }
            }
            final JsonObject result = new JsonObject();
            result.add("members", list);
            if (more) {
                result.addProperty("cursor", Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(last.getBytes(StandardCharsets.UTF_8)));
            } else {
                result.add("cursor", JsonNull.INSTANCE);
            }
            return CompletableFuture.completedFuture(result);
        };
    }

    /** {@code channel.count}: {@code {"cids":[...≤32]}} to {@code {"<cid>":N,...}}. */
    public @NotNull RpcHandler countHandler() {
        return (caller, params) -> {
            final JsonElement cids = params.get("cids");
            if (cids == null || !cids.isJsonArray()) {
                throw new RpcException(Rpc.ERR_INVALID, "cids must be an array of channel ids");
            }
            if (cids.getAsJsonArray().size() > Limits.MAX_COUNT_QUERY) {
                throw new RpcException(Rpc.ERR_INVALID, "cids may list at most " + Limits.MAX_COUNT_QUERY
                        + " channels, but listed " + cids.getAsJsonArray().size());
            }
            final JsonObject result = new JsonObject();
            for (final JsonElement e : cids.getAsJsonArray()) {
                final String cid = e.isJsonPrimitive() ? e.getAsString() : null;
                final String error = Ids.cidError(cid);
                if (error != null) {
                    throw new RpcException(Rpc.ERR_INVALID, "cids: " + error);
                }
                result.addProperty(cid, size(cid));
            }
            return CompletableFuture.completedFuture(result);
        };
    }

    /** {@code channel.joined}: {@code {}} or {@code {"uid":...}} to {@code {"uid":...,"channels":[...]}}. */
    public @NotNull RpcHandler joinedHandler() {
        return (caller, params) -> {
            String uid = string(params, "uid", false);
            if (uid == null) {
                uid = caller.uid();
            }
            final String error = Ids.uidError(uid);
            if (error != null) {
                throw new RpcException(Rpc.ERR_INVALID, "uid: " + error);
            }
            final JsonObject result = new JsonObject();
            result.addProperty("uid", uid);
            final JsonArray list = new JsonArray();
            joined(uid).forEach(list::add);
            result.add("channels", list);
            return CompletableFuture.completedFuture(result);
        };
    }

    static @Nullable String string(final JsonObject params, final String name, final boolean required) {
        final JsonElement e = params.get(name);
        if (e == null || e.isJsonNull()) {
            if (required) {
                throw new RpcException(Rpc.ERR_INVALID, name + " is required");
            }
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new RpcException(Rpc.ERR_INVALID, name + " must be a string");
        }
        return e.getAsString();
    }

    static int integer(final JsonObject params, final String name, final int def, final int min, final int max) {
        final JsonElement e = params.get(name);
        if (e == null || e.isJsonNull()) {
            return def;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new RpcException(Rpc.ERR_INVALID, name + " must be a number between " + min + " and " + max);
        }
        final double v = e.getAsDouble();
        if (v != Math.rint(v) || v < min || v > max) {
            throw new RpcException(Rpc.ERR_INVALID, name + " must be a whole number between " + min + " and " + max
                    + ", but was " + e.getAsString());
        }
        return (int) v;
    }
}
