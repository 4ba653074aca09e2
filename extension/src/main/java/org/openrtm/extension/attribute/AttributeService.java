package org.openrtm.extension.attribute;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.attribute.AttrCodec.Attr;
import org.openrtm.extension.attribute.AttrCodec.OwnerRef;
import org.openrtm.extension.delivery.Outbound;
import org.openrtm.extension.delivery.RtmMessage;
import org.openrtm.extension.presence.PresenceService;
import org.openrtm.extension.routing.InboundPublish;
import org.openrtm.extension.routing.SendResult;
import org.openrtm.extension.rpc.Params;
import org.openrtm.extension.rpc.RpcException;
import org.openrtm.extension.rpc.RpcHandler;
import org.openrtm.extension.session.Connection;
import org.openrtm.extension.store.IoErrors;
import org.openrtm.extension.store.Keyspace;
import org.openrtm.extension.store.Store;
import org.openrtm.extension.store.WriteBatch;
import org.openrtm.extension.util.Lanes;
import org.openrtm.extension.util.Utf8;
import org.openrtm.protocol.Ids;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * User and channel attributes: retained {@code rtm/user/{uid}/attr/{key}} and {@code rtm/channel/{cid}/attr/{key}},
 * the {@code attr.*} RPCs, and Agora's optional clear-on-logout.
 *
 * <h2>The store is the source of truth</h2>
 * Every attribute is kept in the store's {@value #KEYSPACE} keyspace with its writer, time and revision. A write is
 * decided here (never relayed by the broker), journaled, and then published as a retained message with
 * {@code rtm-by}, {@code rtm-ts} and {@code rtm-rev}, so the broker's retained value always equals the store's latest.
 * Deleting keeps a tombstone with the revision, so a key's revision never goes back; at most
 * {@code max(32, attr.max-keys)} tombstones are kept per owner, and pruning one raises the owner's revision floor
 * (a key that is created again starts above every revision it may have had).
 *
 * <h2>Atomicity</h2>
 * Every write of one owner (a user or a channel) is decided on the owner's lane, against the owner's attributes
 * cached in memory, so compare-and-set ({@code rtm-if-rev}) and the limits hold under concurrent writers. All changes
 * of one write are checked first and journaled as one batch: all or nothing. The journal writes and retained
 * publishes of one owner are chained in decision order. A write completes (and its PUBACK or RPC reply is sent) once
 * it is durable and published.
 *
 * <p>Thread-safe. Owners are loaded from the store on first use and forgotten when idle.
 */
public final class AttributeService implements PresenceService.Listener {

    private static final Logger log = LoggerFactory.getLogger(AttributeService.class);

    /** The store keyspace this class uses. */
    public static final String KEYSPACE = "attr";

    private static final long IDLE_MILLIS = 60_000;
    private static final int RESTORE_WINDOW = 32;
    private static final int MAX_RPC_KEYS = 1000;

    /**
     * The limits in force.
     *
     * @param maxKeyLength      longest key (characters)
     * @param maxValueBytes     largest value
     * @param maxKeys           most live keys per user and per channel
     * @param maxChannelBytes   largest total of a channel's values
     * @param clearUserOnLogout whether a user's attributes are deleted when it goes offline
     */
    public record AttrLimits(int maxKeyLength, int maxValueBytes, int maxKeys, int maxChannelBytes,
                             boolean clearUserOnLogout) {
    }

    /** An attribute after a write (a tombstone for a delete). */
    private record Changed(String key, Attr attr) {
    }

    /** What a write decided: a refusal, or the changes (maybe none) and the batch that makes them durable. */
    private record Decision(@Nullable RtmStatus refusal, @Nullable String reason, @NotNull List<Changed> changes,
                            @NotNull WriteBatch batch) {

        static Decision refuse(final RtmStatus status, final String reason) {
            return new Decision(status, reason, List.of(), new WriteBatch());
        }
    }

    /** The outcome of a write, once durable and published. */
    private record Outcome(@Nullable RtmStatus refusal, @Nullable String reason, @NotNull List<Changed> changes,
                           @NotNull String rtmId, long currentRev) {
    }

    /** One owner's attributes (including tombstones). Touched only on the owner's lane. */
    private static final class Owner {
        final AttrScope scope;
        final String id;
        final String name;
        final TreeMap<String, Attr> attrs = new TreeMap<>();
        long floor;
        long lastUsed;
        CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

        Owner(final AttrScope scope, final String id) {
            this.scope = scope;
            this.id = id;
            this.name = laneKey(scope, id);
        }

        long liveRev(final String key) {
            final Attr a = attrs.get(key);
            return a == null || !a.live() ? 0 : a.rev();
        }

        String describe() {
            return (scope == AttrScope.USER ? "user " : "channel ") + Ids.show(id);
        }
    }

    private final Store store;
    private final Keyspace keyspace;
    private final Outbound outbound;
    private final Executor executor;
    private final Lanes lanes;
    private final Clock clock;
    private final RtmIds ids;
    private final AttrLimits limits;
    private final BiPredicate<String, String> isMember;
    private final int maxTombstones;
    private final Map<String, Owner> owners = new ConcurrentHashMap<>();

    /**
     * @param store    the store (keyspace {@value #KEYSPACE})
     * @param outbound how retained attributes are published
     * @param executor for start-up work
     * @param lanes    the lanes that serialize each owner's writes (keyed {@code u:uid} and {@code c:cid})
     * @param clock    for {@code rtm-ts}
     * @param ids      for the {@code rtm-id} of each write's PUBACK
     * @param limits   the limits in force
     * @param isMember whether (cid, uid) is a member now
     */
    public AttributeService(
            final @NotNull Store store,
            final @NotNull Outbound outbound,
            final @NotNull Executor executor,
            final @NotNull Lanes lanes,
            final @NotNull Clock clock,
            final @NotNull RtmIds ids,
            final @NotNull AttrLimits limits,
            final @NotNull BiPredicate<String, String> isMember) {
        this.store = store;
        this.keyspace = store.keyspace(KEYSPACE);
        this.outbound = outbound;
        this.executor = executor;
        this.lanes = lanes;
        this.clock = clock;
        this.ids = ids;
        this.limits = limits;
        this.isMember = isMember;
        this.maxTombstones = Math.max(32, limits.maxKeys());
    }

    private static String laneKey(final AttrScope scope, final String id) {
        return (scope == AttrScope.USER ? "u:" : "c:") + id;
    }

    // ------------------------------------------------------------------------------------------------- start-up

    /**
     * Publishes every live attribute again as retained (a broker with in-memory persistence lost them), and clears
     * retained attributes the store does not have (a broker with file persistence may hold stale ones). With
     * clear-on-logout, user attributes are deleted instead: after a restart nobody is online. Runs in the background;
     * writes that arrive meanwhile are ordered after the owner's restored state.
     */
    public void start() {
        final List<OwnerRef> refs = new ArrayList<>();
        byte[] from = new byte[0];
        while (true) {
            final List<Store.Entry> first = store.scan(keyspace, from, null, false, 1);
            if (first.isEmpty()) {
                break;
            }
            final OwnerRef ref = AttrCodec.owner(first.get(0).key());
            final byte[] prefix = ref == null ? first.get(0).key() : AttrCodec.prefix(ref.scope(), ref.id());
            if (ref != null) {
                refs.add(ref);
            } else {
                log.warn("Attribute store holds a malformed key; skipped");
            }
            from = Store.upperBound(prefix);
            if (from == null) {
                break;
            }
        }
        if (!refs.isEmpty()) {
            log.info("Attributes: restoring the retained attributes of {} users and channels", refs.size());
        }
        final AtomicInteger next = new AtomicInteger();
        final Runnable[] worker = new Runnable[1];
        worker[0] = () -> {
            final int i = next.getAndIncrement();
            if (i >= refs.size()) {
                return;
            }
            restore(refs.get(i)).whenCompleteAsync((v, e) -> worker[0].run(), executor);
        };
        for (int w = 0; w < Math.min(RESTORE_WINDOW, refs.size()); w++) {
            executor.execute(worker[0]);
        }
        outbound.forEachRetained((topic, payload) -> {
            final ParsedTopic t = RtmTopics.parse(topic);
            if (!t.isValid() || payload.length == 0
                    || (t.family() != TopicFamily.USER_ATTR && t.family() != TopicFamily.CHANNEL_ATTR)) {
                return;
            }
            final AttrScope scope = t.family() == TopicFamily.USER_ATTR ? AttrScope.USER : AttrScope.CHANNEL;
            final String id = t.id();
            final String key = t.sub();
            lanes.of(laneKey(scope, id)).execute(() -> {
                final Owner o = owner(scope, id);
                if (o.liveRev(key) == 0) {
                    final Attr gone = new Attr(null, "", clock.millis(), o.attrs.containsKey(key) ? o.attrs.get(key).rev() : 0);
                    chain(o, CompletableFuture.completedFuture(null), List.of(new Changed(key, gone)));
                }
            });
        }).exceptionally(e -> {
            log.warn("Could not check retained attributes: {}", e.toString());
            return null;
        });
    }

    private CompletableFuture<Void> restore(final OwnerRef ref) {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        lanes.of(laneKey(ref.scope(), ref.id())).execute(() -> {
            try {
                final Owner o = owner(ref.scope(), ref.id());
                if (limits.clearUserOnLogout() && o.scope == AttrScope.USER) {
                    final Decision d = decide(o, o.id, Map.of(), liveKeys(o), Map.of());
                    apply(o, d).whenComplete((x, e) -> done.complete(null));
                    return;
                }
                final List<Changed> live = new ArrayList<>();
                o.attrs.forEach((k, a) -> {
                    if (a.live()) {
                        live.add(new Changed(k, a));
                    }
                });
                chain(o, CompletableFuture.completedFuture(null), live).whenComplete((x, e) -> done.complete(null));
            } catch (final RuntimeException e) {
                log.error("Attributes of {} could not be restored: {}", ref.id(), e.toString());
                log.debug("Restore failure", e);
                done.complete(null);
            }
        });
        return done;
    }

    // ------------------------------------------------------------------------------------------------ owners

    /** The owner's state, loaded from the store if not cached. Call on the owner's lane only. */
    private Owner owner(final AttrScope scope, final String id) {
        final String name = laneKey(scope, id);
        Owner o = owners.get(name);
        if (o == null) {
            o = load(scope, id);
            owners.put(name, o);
        }
        o.lastUsed = clock.millis();
        return o;
    }

    private Owner load(final AttrScope scope, final String id) {
        final Owner o = new Owner(scope, id);
        final byte[] prefix = AttrCodec.prefix(scope, id);
        for (final Store.Entry e : store.scanPrefix(keyspace, prefix, Integer.MAX_VALUE)) {
            final String key = AttrCodec.attrKey(e.key(), prefix.length);
            if (key.isEmpty()) {
                o.floor = AttrCodec.decodeFloor(e.value());
            } else {
                o.attrs.put(key, AttrCodec.decode(e.value()));
            }
        }
        return o;
    }

    private static Set<String> liveKeys(final Owner o) {
        final Set<String> keys = new LinkedHashSet<>();
        o.attrs.forEach((k, a) -> {
            if (a.live()) {
                keys.add(k);
            }
        });
        return keys;
    }

    /** Forgets owners that have been idle for a minute with nothing in flight. Call periodically. */
    public void sweep() {
        final long cutoff = clock.millis() - IDLE_MILLIS;
        owners.forEach((name, o) -> lanes.of(name).execute(() -> {
            if (o.tail.isDone() && o.lastUsed < cutoff) {
                owners.remove(name, o);
            }
        }));
    }

    /** Number of owners cached in memory (for metrics and tests). */
    public int cachedOwners() {
        return owners.size();
    }

    // ------------------------------------------------------------------------------------------------ the rules

    /**
     * Decides a write against the owner's current attributes. Checks everything first; changes nothing (neither the
     * owner nor the store) if any check fails. Call on the owner's lane.
     *
     * @param sets    keys to set, with their values (never empty)
     * @param deletes keys to delete (absent keys are ignored)
     * @param ifRev   expected current revisions (0: the key must have no value)
     */
    private Decision decide(final Owner o, final String by, final Map<String, byte[]> sets, final Collection<String> deletes,
                            final Map<String, Long> ifRev) {
        for (final Map.Entry<String, byte[]> e : sets.entrySet()) {
            if (e.getKey().length() > limits.maxKeyLength()) {
                return Decision.refuse(RtmStatus.TOO_LARGE, "attribute key " + Ids.show(e.getKey()) + " is "
                        + e.getKey().length() + " characters; the limit is " + limits.maxKeyLength()
                        + " characters (attr.max-key-length)");
            }
            if (e.getValue().length > limits.maxValueBytes()) {
                return Decision.refuse(RtmStatus.TOO_LARGE, "value of attribute " + Ids.show(e.getKey()) + " is "
                        + e.getValue().length + " bytes; the limit is " + limits.maxValueBytes()
                        + " bytes (attr.max-value-bytes)");
            }
        }
        for (final Map.Entry<String, Long> e : ifRev.entrySet()) {
            final long current = o.liveRev(e.getKey());
            if (current != e.getValue()) {
                return Decision.refuse(RtmStatus.CONFLICT, "attribute " + Ids.show(e.getKey()) + " of " + o.describe()
                        + (current == 0 ? " does not exist (revision 0)" : " is at revision " + current)
                        + ", but the write expected revision " + e.getValue() + "; nothing was changed");
            }
        }
        int liveCount = 0;
        long liveBytes = 0;
        for (final Attr a : o.attrs.values()) {
            if (a.live()) {
                liveCount++;
                liveBytes += a.size();
            }
        }
        int newCount = liveCount;
        long newBytes = liveBytes;
        for (final Map.Entry<String, byte[]> e : sets.entrySet()) {
            final Attr old = o.attrs.get(e.getKey());
            if (old == null || !old.live()) {
                newCount++;
            } else {
                newBytes -= old.size();
            }
            newBytes += e.getValue().length;
        }
        for (final String k : deletes) {
            final Attr old = o.attrs.get(k);
            if (old != null && old.live() && !sets.containsKey(k)) {
                newCount--;
                newBytes -= old.size();
            }
        }
        if (newCount > limits.maxKeys() && newCount > liveCount) {
            return Decision.refuse(RtmStatus.TOO_LARGE, o.describe() + " would have " + newCount
                    + " attributes; the limit is " + limits.maxKeys() + " (attr.max-keys)");
        }
        if (o.scope == AttrScope.CHANNEL && newBytes > limits.maxChannelBytes() && newBytes > liveBytes) {
            return Decision.refuse(RtmStatus.TOO_LARGE, "attributes of " + o.describe() + " would total " + newBytes
                    + " bytes; the limit is " + limits.maxChannelBytes() + " bytes (attr.max-channel-bytes)");
        }
        // every check passed: change the owner and build the batch
        final long now = clock.millis();
        final WriteBatch batch = new WriteBatch();
        final List<Changed> changes = new ArrayList<>();
        for (final Map.Entry<String, byte[]> e : sets.entrySet()) {
            final Attr old = o.attrs.get(e.getKey());
            final Attr a = new Attr(e.getValue(), by, now, (old == null ? o.floor : old.rev()) + 1);
            o.attrs.put(e.getKey(), a);
            batch.put(keyspace, AttrCodec.key(o.scope, o.id, e.getKey()), AttrCodec.encode(a));
            changes.add(new Changed(e.getKey(), a));
        }
        for (final String k : deletes) {
            final Attr old = o.attrs.get(k);
            if (old == null || !old.live() || sets.containsKey(k)) {
                continue;
            }
            final Attr tombstone = new Attr(null, by, now, old.rev() + 1);
            o.attrs.put(k, tombstone);
            batch.put(keyspace, AttrCodec.key(o.scope, o.id, k), AttrCodec.encode(tombstone));
            changes.add(new Changed(k, tombstone));
        }
        pruneTombstones(o, batch);
        return new Decision(null, null, changes, batch);
    }

    private void pruneTombstones(final Owner o, final WriteBatch batch) {
        int tombstones = 0;
        for (final Attr a : o.attrs.values()) {
            if (!a.live()) {
                tombstones++;
            }
        }
        final long floorBefore = o.floor;
        while (tombstones > maxTombstones) {
            String oldestKey = null;
            Attr oldest = null;
            for (final Map.Entry<String, Attr> e : o.attrs.entrySet()) {
                final Attr a = e.getValue();
                if (!a.live() && (oldest == null || a.ts() < oldest.ts())) {
                    oldest = a;
                    oldestKey = e.getKey();
                }
            }
            o.attrs.remove(oldestKey);
            batch.remove(keyspace, AttrCodec.key(o.scope, o.id, oldestKey));
            o.floor = Math.max(o.floor, oldest.rev());
            tombstones--;
        }
        if (o.floor != floorBefore) {
            batch.put(keyspace, AttrCodec.prefix(o.scope, o.id), AttrCodec.encodeFloor(o.floor));
        }
    }

    /**
     * Makes a decision durable and published, in order with the owner's earlier writes. Call on the owner's lane.
     *
     * @return completes once durable and published; fails if the store failed (the owner is then reloaded from
     *         the store on its next use)
     */
    private CompletableFuture<Void> apply(final Owner o, final Decision d) {
        if (d.changes().isEmpty() && d.batch().isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        final CompletableFuture<Void> durable = store.write(d.batch());
        durable.exceptionally(e -> {
            lanes.of(o.name).execute(() -> owners.remove(o.name, o));
            log.error("Attributes of {} could not be stored: {}", o.describe(), e.toString());
            return null;
        });
        return chain(o, durable, d.changes());
    }

    /** Publishes changes once {@code durable} completed and every earlier publish of the owner is done. */
    private CompletableFuture<Void> chain(final Owner o, final CompletableFuture<Void> durable, final List<Changed> changes) {
        final CompletableFuture<Void> previous = o.tail;
        final CompletableFuture<Void> published = durable.thenCompose(v -> previous)
                .thenCompose(v -> publishRetained(o, changes));
        o.tail = published.handle((v, e) -> null);
        return published;
    }

    private CompletableFuture<Void> publishRetained(final Owner o, final List<Changed> changes) {
        final CompletableFuture<?>[] all = new CompletableFuture<?>[changes.size()];
        for (int i = 0; i < changes.size(); i++) {
            final Changed c = changes.get(i);
            final String topic = o.scope.topic(o.id, c.key());
            final RtmMessage m = new RtmMessage(topic, c.attr().live() ? c.attr().value() : new byte[0], 1, true,
                    List.of(Map.entry(Props.BY, c.attr().by()), Map.entry(Props.TS, Long.toString(c.attr().ts())),
                            Map.entry(Props.REV, Long.toString(c.attr().rev()))),
                    null, null, null, null, false);
            all[i] = outbound.publish(m).exceptionally(e -> {
                // the store has the value; the next start publishes it again
                log.warn("Attribute {} could not be published: {}", topic, e.toString());
                return null;
            });
        }
        return CompletableFuture.allOf(all);
    }

    /** Runs a write on the owner's lane: decide, then make it durable and published. */
    private CompletableFuture<Outcome> write(final AttrScope scope, final String id, final Function<Owner, Decision> decider,
                                             final @Nullable String currentRevOf) {
        final CompletableFuture<Outcome> result = new CompletableFuture<>();
        lanes.of(laneKey(scope, id)).execute(() -> {
            try {
                final Owner o = owner(scope, id);
                final Decision d = decider.apply(o);
                final String rtmId = ids.next();
                if (d.refusal() != null) {
                    result.complete(new Outcome(d.refusal(), d.reason(), List.of(), rtmId, 0));
                    return;
                }
                final long current = currentRevOf == null ? 0 : currentRevOf(o, currentRevOf);
                apply(o, d).whenComplete((v, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(new Outcome(null, null, d.changes(), rtmId, current));
                    }
                });
            } catch (final RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private static long currentRevOf(final Owner o, final String key) {
        final Attr a = o.attrs.get(key);
        return a == null ? 0 : a.rev();
    }

    // ----------------------------------------------------------------------------------------------- MQTT writes

    /**
     * Handles a publish to {@code rtm/user/{uid}/attr/{key}} or {@code rtm/channel/{cid}/attr/{key}}: a write
     * (empty payload: a delete), retained or not. The broker never relays it; the stamped retained message is
     * published once the write is durable.
     *
     * @return what the PUBACK carries: {@code delivered} with {@code rtm-rev}, or the refusal; never fails
     */
    public @NotNull CompletableFuture<SendResult> publish(final @NotNull Connection sender, final @NotNull InboundPublish p) {
        final AttrScope scope = p.parsed().family() == TopicFamily.USER_ATTR ? AttrScope.USER : AttrScope.CHANNEL;
        final String id = p.parsed().id();
        final String key = p.parsed().sub();
        final String refusal = mayWrite(sender, scope, id, false);
        if (refusal != null) {
            return CompletableFuture.completedFuture(SendResult.refused(RtmStatus.FORBIDDEN, refusal));
        }
        final Map<String, Long> ifRev;
        final String ifRevText = p.property(Props.IF_REV);
        if (ifRevText == null) {
            ifRev = Map.of();
        } else {
            final long expected = parseRevision(ifRevText);
            if (expected < 0) {
                return CompletableFuture.completedFuture(SendResult.refused(RtmStatus.INVALID, Props.IF_REV
                        + " must be a whole number from 0 (0: the attribute must not exist), but was " + Ids.show(ifRevText)));
            }
            ifRev = Map.of(key, expected);
        }
        final boolean delete = p.payload().length == 0;
        final Map<String, byte[]> sets = delete ? Map.of() : Map.of(key, p.payload());
        final List<String> deletes = delete ? List.of(key) : List.of();
        return write(scope, id, o -> scope == AttrScope.CHANNEL && !isMember.test(id, sender.uid())
                        ? Decision.refuse(RtmStatus.FORBIDDEN, notMember(id))
                        : decide(o, sender.uid(), sets, deletes, ifRev), key)
                .handle((outcome, error) -> {
                    if (error != null) {
                        log.warn("Attribute write of {} to {} failed: {}", sender.uid(), p.topic(), error.toString());
                        return SendResult.refused(RtmStatus.INTERNAL, "the server could not store the attribute: "
                                + IoErrors.describe(error));
                    }
                    if (outcome.refusal() != null) {
                        return SendResult.refused(outcome.refusal(), outcome.reason());
                    }
                    final long rev = outcome.changes().isEmpty() ? outcome.currentRev() : outcome.changes().get(0).attr().rev();
                    final String note = outcome.changes().isEmpty()
                            ? "attribute " + Ids.show(key) + " did not exist; nothing changed" : null;
                    return new SendResult(RtmStatus.DELIVERED, outcome.rtmId(), note, Map.of(Props.REV, Long.toString(rev)));
                });
    }

    /** A non-negative revision, or -1 if the text is not one. */
    static long parseRevision(final @NotNull String text) {
        if (text.isEmpty() || text.length() > 18) {
            return -1;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(text);
    }

    /** Why {@code who} may not write the owner's attributes, or {@code null} if it may. */
    private @Nullable String mayWrite(final Connection who, final AttrScope scope, final String id, final boolean viaRpc) {
        if (viaRpc && who.role().isPrivileged()) {
            return null;
        }
        if (scope == AttrScope.USER) {
            return who.uid().equals(id) ? null
                    : "you may write only your own user attributes (rtm/user/" + who.uid() + "/attr/...), not those of "
                    + Ids.show(id);
        }
        return isMember.test(id, who.uid()) ? null : notMember(id);
    }

    private static String notMember(final String cid) {
        return "you are not a member of channel " + Ids.show(cid) + "; only members write its attributes (join it by "
                + "subscribing to " + RtmTopics.channelMsgFilter(cid) + ")";
    }

    // ------------------------------------------------------------------------------------------------ presence

    /** With clear-on-logout, deletes every attribute of a user that went offline. */
    @Override
    public void offline(final @NotNull String uid) {
        if (!limits.clearUserOnLogout()) {
            return;
        }
        write(AttrScope.USER, uid, o -> decide(o, uid, Map.of(), liveKeys(o), Map.of()), null)
                .whenComplete((outcome, e) -> {
                    if (e != null) {
                        log.warn("Attributes of {} could not be cleared at logout: {}", uid, e.toString());
                    } else if (!outcome.changes().isEmpty()) {
                        log.debug("Cleared {} attributes of {} at logout", outcome.changes().size(), uid);
                    }
                });
    }

    // ---------------------------------------------------------------------------------------------------- RPCs

    /** {@code attr.get}: {@code {"scope","id","keys"?}} to {@code {key:{"value","by","ts","rev"}}}. Anyone may read. */
    public @NotNull RpcHandler getHandler() {
        return (caller, params) -> {
            Params.onlyKnown(params, "scope", "id", "keys");
            final AttrScope scope = scope(params);
            final String id = id(params, scope);
            final Set<String> keys = keys(params, false);
            final CompletableFuture<JsonElement> f = new CompletableFuture<>();
            lanes.of(laneKey(scope, id)).execute(() -> {
                try {
                    // a cached owner has the latest decisions; an owner not cached has nothing in flight
                    final Owner cached = owners.get(laneKey(scope, id));
                    final Owner o = cached != null ? cached : load(scope, id);
                    final JsonObject result = new JsonObject();
                    o.attrs.forEach((k, a) -> {
                        if (a.live() && (keys == null || keys.contains(k))) {
                            result.add(k, describe(a));
                        }
                    });
                    f.complete(result);
                } catch (final RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
            return f;
        };
    }

    /**
     * {@code attr.set}: {@code {"scope","id","attrs":{k:v},"mode":"merge|replace","ifRev":{k:N}?}} to
     * {@code {k:rev}} for every key changed. All or nothing.
     */
    public @NotNull RpcHandler setHandler() {
        return (caller, params) -> {
            Params.onlyKnown(params, "scope", "id", "attrs", "mode", "ifRev");
            final AttrScope scope = scope(params);
            final String id = id(params, scope);
            final JsonObject attrs = Params.object(params, "attrs", true);
            final String mode = Params.string(params, "mode", false);
            if (mode != null && !mode.equals("merge") && !mode.equals("replace")) {
                throw new RpcException(Rpc.ERR_INVALID, "mode must be merge or replace, but was " + Ids.show(mode));
            }
            final boolean replace = "replace".equals(mode);
            final Map<String, byte[]> sets = new LinkedHashMap<>();
            for (final Map.Entry<String, JsonElement> e : attrs.entrySet()) {
                sets.put(checkKey(e.getKey(), "attrs"), value(e.getKey(), e.getValue()));
            }
            final Map<String, Long> ifRev = ifRev(params);
            return rpcWrite(caller, scope, id, o -> {
                final Set<String> deletes = replace ? liveKeys(o) : Set.of();
                return decide(o, caller.uid(), sets, deletes, ifRev);
            });
        };
    }

    /** {@code attr.delete}: {@code {"scope","id","keys":[...]}} or {@code "all":true}, {@code "ifRev"?} to {@code {k:rev}}. */
    public @NotNull RpcHandler deleteHandler() {
        return (caller, params) -> {
            Params.onlyKnown(params, "scope", "id", "keys", "all", "ifRev");
            final AttrScope scope = scope(params);
            final String id = id(params, scope);
            final Set<String> keys = keys(params, false);
            final boolean all = Params.bool(params, "all", false);
            if (all == (keys != null)) {
                throw new RpcException(Rpc.ERR_INVALID, "give either keys (a list) or \"all\":true");
            }
            final Map<String, Long> ifRev = ifRev(params);
            return rpcWrite(caller, scope, id, o -> decide(o, caller.uid(), Map.of(), all ? liveKeys(o) : keys, ifRev));
        };
    }

    private CompletableFuture<JsonElement> rpcWrite(final Connection caller, final AttrScope scope, final String id,
                                                    final Function<Owner, Decision> decider) {
        final String refusal = mayWrite(caller, scope, id, true);
        if (refusal != null) {
            throw new RpcException(Rpc.ERR_FORBIDDEN, refusal);
        }
        return write(scope, id, decider, null).handle((outcome, error) -> {
            if (error != null) {
                log.warn("Attribute write of {} to {} {} failed: {}", caller.uid(), scope.wire(), id, error.toString());
                throw new RpcException(Rpc.ERR_INTERNAL,
                        "the server could not store the attributes: " + IoErrors.describe(error));
            }
            if (outcome.refusal() != null) {
                throw new RpcException(outcome.refusal().code(), outcome.reason());
            }
            final JsonObject result = new JsonObject();
            for (final Changed c : outcome.changes()) {
                result.addProperty(c.key(), c.attr().rev());
            }
            return result;
        });
    }

    private static AttrScope scope(final JsonObject params) {
        final String s = Params.string(params, "scope", true);
        final AttrScope scope = AttrScope.of(s);
        if (scope == null) {
            throw new RpcException(Rpc.ERR_INVALID, "scope must be user or channel, but was " + Ids.show(s));
        }
        return scope;
    }

    private static String id(final JsonObject params, final AttrScope scope) {
        final String id = Params.string(params, "id", true);
        final String error = scope.idError(id);
        if (error != null) {
            throw new RpcException(Rpc.ERR_INVALID, "id: " + error);
        }
        return id;
    }

    private static @Nullable Set<String> keys(final JsonObject params, final boolean required) {
        final JsonArray array = Params.array(params, "keys", required, MAX_RPC_KEYS);
        if (array == null) {
            return null;
        }
        final Set<String> keys = new LinkedHashSet<>();
        for (final JsonElement e : array) {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw new RpcException(Rpc.ERR_INVALID, "keys must be a list of attribute keys, but held "
                        + Ids.show(e.toString()));
            }
            keys.add(checkKey(e.getAsString(), "keys"));
        }
        return keys;
    }

    private static String checkKey(final String key, final String field) {
        final String error = Ids.keyError(key, Ids.MAX_KEY_LENGTH);
        if (error != null) {
            throw new RpcException(Rpc.ERR_INVALID, field + ": " + error);
        }
        return key;
    }

    private static byte[] value(final String key, final JsonElement v) {
        byte[] bytes;
        if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isString()) {
            bytes = v.getAsString().getBytes(StandardCharsets.UTF_8);
        } else if (v.isJsonObject()) {
            final JsonObject o = v.getAsJsonObject();
            Params.onlyKnown(o, "value", "encoding");
            final String text = Params.string(o, "value", true);
            final String encoding = Params.string(o, "encoding", false);
            if (encoding == null || encoding.equals("utf8")) {
                bytes = text.getBytes(StandardCharsets.UTF_8);
            } else if (encoding.equals("base64")) {
                try {
                    bytes = Base64.getDecoder().decode(text);
                } catch (final IllegalArgumentException e) {
                    throw new RpcException(Rpc.ERR_INVALID, "value of " + Ids.show(key) + " is not valid base64");
                }
            } else {
                throw new RpcException(Rpc.ERR_INVALID, "encoding of " + Ids.show(key) + " must be utf8 or base64, but was "
                        + Ids.show(encoding));
            }
        } else {
            throw new RpcException(Rpc.ERR_INVALID, "value of " + Ids.show(key)
                    + " must be a string or {\"value\":...,\"encoding\":\"base64\"}");
        }
        if (bytes.length == 0) {
            throw new RpcException(Rpc.ERR_INVALID, "value of " + Ids.show(key)
                    + " is empty; an attribute cannot be empty (delete it with attr.delete)");
        }
        return bytes;
    }

    private static Map<String, Long> ifRev(final JsonObject params) {
        final JsonObject o = Params.object(params, "ifRev", false);
        if (o == null) {
            return Map.of();
        }
        final Map<String, Long> out = new LinkedHashMap<>();
        for (final Map.Entry<String, JsonElement> e : o.entrySet()) {
            out.put(checkKey(e.getKey(), "ifRev"),
                    Params.whole(e.getValue(), "ifRev of " + Ids.show(e.getKey()), 0, Long.MAX_VALUE));
        }
        return out;
    }

    /** The JSON form of a live attribute for {@code attr.get}. */
    private static JsonObject describe(final Attr a) {
        final JsonObject o = new JsonObject();
        final String text = Utf8.decodeOrNull(a.value());
        if (text != null) {
            o.addProperty("value", text);
        } else {
            o.addProperty("value", Base64.getEncoder().encodeToString(a.value()));
            o.addProperty("encoding", "base64");
        }
        o.addProperty("by", a.by());
        o.addProperty("ts", a.ts());
        o.addProperty("rev", a.rev());
        return o;
    }
}
