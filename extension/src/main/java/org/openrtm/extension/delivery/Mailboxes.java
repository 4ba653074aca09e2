package org.openrtm.extension.delivery;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.access.SubscriptionListener;
import org.openrtm.extension.session.Connection;
import org.openrtm.extension.session.Sessions;
import org.openrtm.extension.store.Keyspace;
import org.openrtm.extension.store.Store;
import org.openrtm.extension.store.WriteBatch;
import org.openrtm.extension.util.SerialExecutor;
import org.openrtm.protocol.Props;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.protocol.TopicFamily;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Every user's inbox and event mailbox: messages the extension must hand to a user's MQTT session and keep until the
 * user's client acknowledges them.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>A cacheable message is journaled before its send completes, and handed to the client only after that, so a
 *       completed send survives {@code kill -9}.</li>
 *   <li>Messages reach a user in the order they were sent (one lane per user), whether live or from the cache.</li>
 *   <li>A stored message stays until the client acknowledges it (QoS 1), it expires, or the mailbox overflows (the
 *       oldest goes). A message handed to a session that is later lost is handed again when the user next
 *       subscribes, marked {@code rtm-offline: true}.</li>
 *   <li>At most {@link BoxLimits#window()} messages of a box are handed to a session and not yet acknowledged; the
 *       others wait in the mailbox and follow as acknowledgements come. HiveMQ keeps a bounded queue per client
 *       (1,000 messages by default, in-flight ones included) and discards what does not fit, silently; a backlog
 *       handed in one go would lose its tail there, and the mailbox, believing it handed, would not hand it again
 *       while the session lasts.</li>
 * </ul>
 *
 * <h2>Sessions and epochs</h2>
 * HiveMQ keeps queued messages of a persistent session across a disconnect. Each user has an <em>epoch</em> that
 * changes whenever the broker starts a fresh session for it (CONNACK session-present = false); a message handed in
 * the current epoch is in HiveMQ's queue and is not handed again, one handed in an older epoch is.
 *
 * <h2>Threads</h2>
 * Everything about one user runs on that user's {@link SerialExecutor} over the shared executor; public methods only
 * enqueue. Thread-safe.
 */
public final class Mailboxes implements Sessions.Listener, SubscriptionListener, Acknowledgements {

    private static final Logger log = LoggerFactory.getLogger(Mailboxes.class);

    /** The outcome of handing a message to a mailbox. */
    public enum Outcome {
        /** Handed to the user's session. */
        DELIVERED,
        /** The user is not reachable; the message is stored. */
        CACHED,
        /** The user is not reachable and the message was not cacheable (or the cache is off). */
        UNREACHABLE,
        /**
         * The user is connected and subscribed, but {@link BoxLimits#maxWaitingOnline()} messages already wait for room
         * in its window: nothing was stored, the sender should retry later. Only for the inbox; events never get it.
         */
        BUSY
    }

    /** Told when a client acknowledges a message (for receipts). Called on the user's lane; must not block. */
    public interface AckListener {
        void acknowledged(@NotNull String uid, @NotNull Box box, @NotNull String rtmId, @NotNull String sender);
    }

    /**
     * Limits of one box.
     *
     * @param maxStored        how many messages wait for a user that is not subscribed (the oldest is dropped)
     * @param ttlMillis        how long a message is kept at most
     * @param window           how many messages are handed to a session and not yet acknowledged, at most
     * @param maxWaitingOnline how many messages wait for a subscribed user whose window is full (a burst); beyond it
     *                         an inbox message is refused ({@link Outcome#BUSY}) rather than an older one dropped
     */
    public record BoxLimits(int maxStored, long ttlMillis, int window, int maxWaitingOnline) {
        public BoxLimits {
            if (window < 1) {
                throw new IllegalArgumentException("window must be at least 1, but was " + window);
            }
            if (maxWaitingOnline < maxStored) {
                throw new IllegalArgumentException("maxWaitingOnline must be at least maxStored (" + maxStored
                        + "), but was " + maxWaitingOnline);
            }
        }

        /** Limits where a subscribed user may have as many messages waiting as one that is not. */
        public BoxLimits(final int maxStored, final long ttlMillis, final int window) {
            this(maxStored, ttlMillis, window, maxStored);
        }
    }

    private static final class Item {
        final Box box;
        final long seq;
        final String rtmId;
        final String sender;
        final long expiresAt;
        final int qos;
        boolean stored;
        /** Not stored because the user could take it at once; stored after all if the hand-off fails. */
        boolean storeOnFailure;
        RtmMessage message; // until handed (or acknowledged, on the fast path); cached items are read back from the store
        long handedEpoch = -1;
        boolean committed;
        CompletableFuture<Outcome> outcome;

        /** Whether it waits to be handed: committed, no send pending, not handed in {@code epoch} (the current one). */
        boolean waits(final long epoch) {
            return committed && outcome == null && handedEpoch != epoch;
        }

        Item(final Box box, final long seq, final String rtmId, final String sender, final long expiresAt, final int qos,
             final boolean stored) {
            this.box = box;
            this.seq = seq;
            this.rtmId = rtmId;
            this.sender = sender;
            this.expiresAt = expiresAt;
            this.qos = qos;
            this.stored = stored;
        }
    }

    private final class UserMail {
        final String uid;
        final SerialExecutor lane;
        long connection = -1;
        long epoch;
        final Map<Box, Map<String, Integer>> filters = new EnumMap<>(Box.class);
        final Map<Box, TreeMap<Long, Item>> items = new EnumMap<>(Box.class);
        final Map<Box, int[]> storedCount = new EnumMap<>(Box.class);
        /** Per box: items handed in the current epoch and not forgotten yet (acknowledged, expired, dropped). */
        final Map<Box, int[]> inFlight = new EnumMap<>(Box.class);
        /**
         * Per box: the stored ones among {@link #inFlight}. They are in HiveMQ's queue for the session: never dropped to
         * make room (that would free a window slot HiveMQ still fills, and lose a message called delivered), and not
         * counted against the mailbox's limit.
         */
        final Map<Box, int[]> inFlightStored = new EnumMap<>(Box.class);
        /** Per box: items that {@link Item#waits wait}; a count, as every live message asks ({@link Mailboxes#handsLive}). */
        final Map<Box, int[]> waiting = new EnumMap<>(Box.class);
        final Map<String, Item> byId = new HashMap<>();
        final Queue<Item> awaitingCommit = new ArrayDeque<>();

        UserMail(final String uid) {
            this.uid = uid;
            this.lane = new SerialExecutor(executor);
            for (final Box b : Box.values()) {
                filters.put(b, new HashMap<>());
                items.put(b, new TreeMap<>());
                storedCount.put(b, new int[1]);
                inFlight.put(b, new int[1]);
                inFlightStored.put(b, new int[1]);
                waiting.put(b, new int[1]);
            }
        }

        boolean online(final Box box) {
            return connection >= 0 && !filters.get(box).isEmpty();
        }

        /** Whether a committed message of the box waits to be handed (not handed to this session, no send pending). */
        boolean hasWaiting(final Box box) {
            return waiting.get(box)[0] > 0;
        }

        boolean isEmpty() {
            return connection < 0 && byId.isEmpty() && awaitingCommit.isEmpty();
        }
    }

    private final Store store;
    private final Keyspace keyspace;
    private final Outbound outbound;
    private final Executor executor;
    private final Clock clock;
    private final Map<Box, BoxLimits> limits;
    private final Function<String, CompletableFuture<Map<String, Integer>>> subscriptionLookup;
    private final Map<String, UserMail> users = new ConcurrentHashMap<>();
    private final AtomicLong seqs = new AtomicLong();
    private final AtomicLong storedCount = new AtomicLong();
    private volatile AckListener ackListener = (uid, box, rtmId, sender) -> { };
    private volatile Monitors monitors;

    /**
     * @param store              the store (keyspace {@code mail})
     * @param outbound           how messages reach clients
     * @param executor           the shared executor the per-user lanes run on
     * @param clock              wall clock for expiry
     * @param limits             per box: how many messages are kept and for how long
     * @param subscriptionLookup a client's current subscriptions (filter → QoS), to resume a persistent session
     */
    public Mailboxes(
            final @NotNull Store store,
            final @NotNull Outbound outbound,
            final @NotNull Executor executor,
            final @NotNull Clock clock,
            final @NotNull Map<Box, BoxLimits> limits,
            final @NotNull Function<String, CompletableFuture<Map<String, Integer>>> subscriptionLookup) {
        this.store = store;
        this.keyspace = store.keyspace(KEYSPACE);
        this.outbound = outbound;
        this.executor = executor;
        this.clock = clock;
        this.limits = new EnumMap<>(limits);
        this.subscriptionLookup = subscriptionLookup;
        loadIndex();
    }

    /** The store keyspace this class uses. */
    public static final String KEYSPACE = "mail";

    public void setAckListener(final @NotNull AckListener listener) {
        this.ackListener = listener;
    }

    /** Who gets copies of private messages (services and admins that subscribed to them). */
    public void setMonitors(final @NotNull Monitors monitors) {
        this.monitors = monitors;
    }

    private void loadIndex() {
        long maxSeq = 0;
        int loaded = 0;
        final long now = clock.millis();
        for (final Store.Entry e : store.scan(keyspace, new byte[0], null, false, Integer.MAX_VALUE)) {
            final MailCodec.Header h = MailCodec.header(e.key(), e.value());
            maxSeq = Math.max(maxSeq, h.seq());
            if (h.expiresAt() <= now) {
                store.write(new WriteBatch().remove(keyspace, e.key()));
                continue;
            }
            final UserMail u = users.computeIfAbsent(h.uid(), UserMail::new);
            final Item item = new Item(h.box(), h.seq(), h.rtmId(), h.sender(), h.expiresAt(), h.qos(), true);
            item.committed = true;
            u.items.get(h.box()).put(h.seq(), item);
            u.storedCount.get(h.box())[0]++;
            u.waiting.get(h.box())[0]++;
            u.byId.put(h.rtmId(), item);
            loaded++;
        }
        seqs.set(maxSeq);
        storedCount.set(loaded);
        if (loaded > 0) {
            log.info("Offline cache: {} stored messages for {} users", loaded, users.size());
        }
    }

    // ------------------------------------------------------------------------------------------------------- sending

    /**
     * Hands a message to a user's mailbox.
     *
     * @param uid       the recipient
     * @param box       which mailbox
     * @param message   the message as it is to be delivered (topic, payload, stamped properties)
     * @param rtmId     its rtm-id
     * @param sender    who sent it (for receipts)
     * @param cacheable whether it may be stored for an unreachable recipient
     * @param expiresAt when it expires (ms since the epoch), or 0 for the box's default TTL
     * @param extra     more changes to journal atomically with the message (e.g. a de-duplication record), or null
     * @return the outcome, once the message is durable (if cacheable) and its delivery decided; fails on I/O error
     */
    public @NotNull CompletableFuture<Outcome> send(
            final @NotNull String uid,
            final @NotNull Box box,
            final @NotNull RtmMessage message,
            final @NotNull String rtmId,
            final @NotNull String sender,
            final boolean cacheable,
            final long expiresAt,
            final @Nullable WriteBatch extra) {
        return send(uid, box, message, rtmId, sender, cacheable, expiresAt, extra, false);
    }

    /**
     * Like {@link #send(String, Box, RtmMessage, String, String, boolean, long, WriteBatch)}; with
     * {@code storeOnlyIfUndelivered}, a message for a user that can take it at once is handed over without being
     * stored (it is stored if the hand-off fails). For events (receipts, call states), where a journal write per
     * event would cost more than the rare loss of one whose session breaks before it is acknowledged.
     */
    public @NotNull CompletableFuture<Outcome> send(
            final @NotNull String uid,
            final @NotNull Box box,
            final @NotNull RtmMessage message,
            final @NotNull String rtmId,
            final @NotNull String sender,
            final boolean cacheable,
            final long expiresAt,
            final @Nullable WriteBatch extra,
            final boolean storeOnlyIfUndelivered) {
        final CompletableFuture<Outcome> result = new CompletableFuture<>();
        final UserMail u = users.computeIfAbsent(uid, UserMail::new);
        // called on HiveMQ's task thread of the sending client: enqueueing is short and never blocks
        u.lane.runOrQueue(() -> {
            try {
                enqueue(u, box, message, rtmId, sender, cacheable, expiresAt, extra, result, storeOnlyIfUndelivered);
            } catch (final RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** The limits of a box. Thread-safe. */
    public @NotNull BoxLimits limits(final @NotNull Box box) {
        return limits.get(box);
    }

    /** Whether a box keeps messages for an offline user at all (its limit is not zero). Thread-safe. */
    public boolean caches(final @NotNull Box box) {
        return limits.get(box).maxStored() > 0;
    }

    private void enqueue(final UserMail u, final Box box, final RtmMessage message, final String rtmId,
                         final String sender, final boolean cacheable, final long expiresAt,
                         final @Nullable WriteBatch extra, final CompletableFuture<Outcome> result,
                         final boolean storeOnlyIfUndelivered) {
        final BoxLimits lim = limits.get(box);
        final long now = clock.millis();
        final long ttlEnd = now + lim.ttlMillis();
        final long deadline = expiresAt > 0 ? Math.min(expiresAt, ttlEnd) : ttlEnd;
        final boolean storable = cacheable && lim.maxStored() > 0;
        final boolean deferred = storable && storeOnlyIfUndelivered && u.awaitingCommit.isEmpty() && handsLive(u, box);
        final boolean store = storable && !deferred;
        final Item item = new Item(box, seqs.incrementAndGet(), rtmId, sender, deadline, message.qos(), store);
        item.storeOnFailure = deferred;
        item.message = message;
        item.outcome = result;
        final WriteBatch batch = extra != null ? extra : new WriteBatch();
        if (store) {
            final TreeMap<Long, Item> boxItems = u.items.get(box);
            // what waits in the mailbox (or is being stored); what is in flight is with the session already
            int storedInBox = u.storedCount.get(box)[0] - u.inFlightStored.get(box)[0];
            if (box == Box.INBOX && u.online(box) && storedInBox >= lim.maxWaitingOnline()) {
                // a burst the user cannot take as fast as it comes: refuse rather than drop what was accepted
                result.complete(Outcome.BUSY);
                return;
            }
            final int max = u.online(box) ? lim.maxWaitingOnline() : lim.maxStored();
            final Iterator<Item> oldest = boxItems.values().iterator();
            while (storedInBox >= max && oldest.hasNext()) {
                final Item drop = oldest.next();
                if (!drop.stored || !drop.committed || drop.outcome != null || drop.handedEpoch == u.epoch) {
                    continue; // not stored, its own send still being decided, or with the current session
                }
                oldest.remove();
                u.byId.remove(drop.rtmId);
                untrack(u, drop);
                batch.remove(keyspace, MailCodec.key(u.uid, box, drop.seq));
                storedCount.decrementAndGet();
                u.storedCount.get(box)[0]--;
                storedInBox--;
                log.debug("Mailbox {}/{} full: dropped the oldest message {}", u.uid, box, drop.rtmId);
            }
            batch.putNew(keyspace, MailCodec.key(u.uid, box, item.seq), MailCodec.encode(rtmId, sender, deadline, message));
            storedCount.incrementAndGet();
            u.storedCount.get(box)[0]++;
        }
        u.items.get(box).put(item.seq, item);
        u.byId.put(rtmId, item);
        u.awaitingCommit.add(item);
        if (batch.isEmpty()) {
            item.committed = true;
            handOffCommitted(u);
            return;
        }
        this.store.write(batch).whenComplete((ok, error) -> u.lane.execute(() -> {
            if (error != null) {
                // not durable: forget it and report the failure; nothing was handed out
                u.awaitingCommit.remove(item);
                forget(u, item, false);
                result.completeExceptionally(error);
                return;
            }
            item.committed = true;
            handOffCommitted(u);
        }));
    }

    /** Hands out committed items in send order; an item whose commit is still pending holds back those after it. */
    private void handOffCommitted(final UserMail u) {
        while (!u.awaitingCommit.isEmpty() && u.awaitingCommit.peek().committed) {
            final Item item = u.awaitingCommit.poll();
            if (!u.byId.containsKey(item.rtmId)) {
                continue; // dropped meanwhile (overflow)
            }
            final Monitors m = monitors;
            if (m != null) {
                m.copy(u.uid, item.message);
            }
            final boolean online = u.online(item.box);
            if (online && (!item.stored || handsLive(u, item.box))) {
                // a message that cannot wait in the mailbox is handed even beyond the window: HiveMQ's queue has room
                // beyond it, and the alternative would be to call an online user unreachable
                hand(u, item, item.message, false);
            } else {
                item.message = null;
                if (item.stored) {
                    item.outcome.complete(Outcome.CACHED);
                    u.waiting.get(item.box)[0]++; // once its outcome is cleared below
                } else {
                    forget(u, item, false);
                    item.outcome.complete(Outcome.UNREACHABLE);
                }
                item.outcome = null;
                if (online) {
                    // it waits behind older ones or for room in the window: hand what the window allows, in order
                    drain(u, item.box);
                }
            }
        }
    }

    /**
     * Whether a new message for an online user is handed at once: the window has room and no older message of the box
     * waits (it would be overtaken).
     */
    private boolean handsLive(final UserMail u, final Box box) {
        return u.online(box) && u.inFlight.get(box)[0] < limits.get(box).window() && !u.hasWaiting(box);
    }

    /** Takes an item that leaves the mailbox (forgotten, overflowed) out of the window or the waiting count. */
    private static void untrack(final UserMail u, final Item item) {
        if (item.handedEpoch == u.epoch) {
            item.handedEpoch = -1;
            u.inFlight.get(item.box)[0]--;
            if (item.stored) {
                u.inFlightStored.get(item.box)[0]--;
            }
        } else if (item.waits(u.epoch)) {
            u.waiting.get(item.box)[0]--;
        }
    }

    private void hand(final UserMail u, final Item item, final RtmMessage message, final boolean fromCache) {
        final long epoch = u.epoch;
        if (item.waits(epoch)) {
            u.waiting.get(item.box)[0]--; // from the mailbox (drain), not a live send
        }
        item.handedEpoch = epoch;
        u.inFlight.get(item.box)[0]++;
        if (item.stored) {
            u.inFlightStored.get(item.box)[0]++;
        }
        item.message = item.storeOnFailure ? message : null;
        RtmMessage m = message;
        if (fromCache && item.box == Box.INBOX) {
            m = m.withProperty(Props.OFFLINE, Props.TRUE);
        }
        if (m.expirySeconds() != null) {
            m = m.withExpiry(Math.max(1, (item.expiresAt - clock.millis() + 999) / 1000));
        }
        final CompletableFuture<Outcome> outcome = item.outcome;
        item.outcome = null;
        outbound.toClient(u.uid, m).whenComplete((handed, error) -> {
            if (error == null && Boolean.TRUE.equals(handed)) {
                // the common case needs no state change until the acknowledgement (at QoS 0: until HiveMQ sends it,
                // sentAtMostOnce): answer the sender at once, without another trip through the lane
                if (outcome != null) {
                    outcome.complete(Outcome.DELIVERED);
                }
                return;
            }
            u.lane.execute(() -> handFailed(u, item, epoch, error, outcome));
        });
    }

    /** Runs on the lane: a hand-off that failed (the session is gone, or it no longer reads the box). */
    private void handFailed(final UserMail u, final Item item, final long epoch, final @Nullable Throwable error,
                            final @Nullable CompletableFuture<Outcome> outcome) {
        if (error != null) {
            log.debug("Hand-off of {} to {} failed: {}", item.rtmId, u.uid, error.toString());
        }
        if (item.handedEpoch == epoch) {
            if (epoch == u.epoch) {
                u.inFlight.get(item.box)[0]--;
                if (item.stored) {
                    u.inFlightStored.get(item.box)[0]--;
                }
                if (u.byId.get(item.rtmId) == item) {
                    u.waiting.get(item.box)[0]++; // back to waiting (an older epoch's items already count)
                }
            }
            item.handedEpoch = -1;
        }
        if (item.storeOnFailure && u.byId.get(item.rtmId) == item) {
            // the user could not take it after all: keep it like any other message
            item.storeOnFailure = false;
            item.stored = true;
            storedCount.incrementAndGet();
            u.storedCount.get(item.box)[0]++;
            store.write(new WriteBatch().putNew(keyspace, MailCodec.key(u.uid, item.box, item.seq),
                    MailCodec.encode(item.rtmId, item.sender, item.expiresAt, item.message)));
            item.message = null;
        }
        if (!item.stored) {
            forget(u, item, false);
        }
        if (outcome != null) {
            outcome.complete(item.stored ? Outcome.CACHED : Outcome.UNREACHABLE);
        }
    }

    private void forget(final UserMail u, final Item item, final boolean removeStored) {
        if (u.items.get(item.box).remove(item.seq) != item) {
            return; // forgotten before (a sweep, then the late failure of its hand-off)
        }
        u.byId.remove(item.rtmId);
        untrack(u, item);
        if (item.stored) {
            storedCount.decrementAndGet();
            u.storedCount.get(item.box)[0]--;
            if (removeStored) {
                store.write(new WriteBatch().remove(keyspace, MailCodec.key(u.uid, item.box, item.seq)));
            }
        }
    }

    /**
     * Hands the stored messages the current session does not have yet, oldest first, as many as the window has room
     * for (acknowledgements call it again).
     */
    private void drain(final UserMail u, final Box box) {
        if (!u.online(box)) {
            return;
        }
        final int room = limits.get(box).window() - u.inFlight.get(box)[0];
        if (room <= 0) {
            return;
        }
        final long now = clock.millis();
        final List<Item> snapshot = new ArrayList<>();
        int toHand = 0;
        for (final Item item : u.items.get(box).values()) {
            if (!item.waits(u.epoch)) {
                continue;
            }
            snapshot.add(item);
            if (item.stored && item.expiresAt > now && ++toHand == room) {
                break;
            }
        }
        for (final Item item : snapshot) {
            if (!item.stored) {
                // handed to a session that is gone, and not cacheable: that was its only chance
                forget(u, item, false);
                continue;
            }
            if (item.expiresAt <= now) {
                forget(u, item, true);
                continue;
            }
            final byte[] raw = store.get(keyspace, MailCodec.key(u.uid, box, item.seq));
            if (raw == null) {
                log.warn("Stored message {} for {} is missing from the store; skipped", item.rtmId, u.uid);
                forget(u, item, false);
                continue;
            }
            hand(u, item, MailCodec.decode(raw), true);
        }
    }

    // ---------------------------------------------------------------------------------------------- acknowledgements

    /**
     * The client of {@code connection} acknowledged the message with this rtm-id.
     *
     * @param success whether the PUBACK reason code was a success
     */
    @Override
    public void acknowledged(final @NotNull Connection connection, final @NotNull String rtmId, final boolean success) {
        settled(connection, rtmId, success, true);
    }

    /**
     * A message handed at QoS 0 is being sent to the client: it leaves the mailbox and the window, without a receipt
     * (see docs/protocol.md, "QoS 0 subscribers").
     */
    @Override
    public void sentAtMostOnce(final @NotNull Connection connection, final @NotNull String rtmId) {
        settled(connection, rtmId, true, false);
    }

    private void settled(final Connection connection, final String rtmId, final boolean success, final boolean receipt) {
        final UserMail u = users.get(connection.uid());
        if (u == null) {
            return;
        }
        u.lane.execute(() -> {
            final Item item = u.byId.get(rtmId);
            if (item == null || item.outcome != null) {
                return;
            }
            forget(u, item, true);
            if (success && receipt) {
                ackListener.acknowledged(u.uid, item.box, item.rtmId, item.sender);
            } else if (!success) {
                log.debug("{} refused message {} (error PUBACK); removed without receipt", u.uid, rtmId);
            }
            drainIfWaiting(u, item.box);
        });
    }

    /** After a window slot came free: drains if anything of the box waits. */
    private void drainIfWaiting(final UserMail u, final Box box) {
        if (u.hasWaiting(box)) {
            drain(u, box);
        }
    }

    // ------------------------------------------------------------------------------------------- sessions and filters

    @Override
    public void connected(final @NotNull Connection connection) {
        final UserMail u = users.computeIfAbsent(connection.uid(), UserMail::new);
        u.lane.execute(() -> {
            u.connection = connection.number();
            if (!connection.sessionPresent()) {
                u.epoch++;
                for (final Box b : Box.values()) {
                    u.filters.get(b).clear();
                    // nothing is handed to the new session yet: what the old one had waits again
                    u.waiting.get(b)[0] += u.inFlight.get(b)[0];
                    u.inFlight.get(b)[0] = 0;
                    u.inFlightStored.get(b)[0] = 0;
                }
                return;
            }
            // the resumed session's subscriptions are read back from HiveMQ first: until then the user counts as
            // not subscribed, so that a message sent meanwhile is cached behind the ones already cached and the
            // drain below hands them out in send order (with the previous connection's filters it would be handed
            // at once, ahead of them)
            final Map<Box, Map<String, Integer>> previous = new EnumMap<>(Box.class);
            for (final Box b : Box.values()) {
                previous.put(b, new HashMap<>(u.filters.get(b)));
                u.filters.get(b).clear();
            }
            subscriptionLookup.apply(connection.uid()).whenComplete((looked, error) -> u.lane.execute(() -> {
                if (u.connection != connection.number()) {
                    return;
                }
                final Map<String, Integer> subs = new HashMap<>();
                if (error != null) {
                    // fall back to what the session had before: the best guess, and what a resumed session keeps
                    log.warn("Subscriptions of {} could not be read back ({}); using its previous ones",
                            connection.uid(), error.toString());
                    previous.values().forEach(subs::putAll);
                } else {
                    subs.putAll(looked);
                }
                for (final Map.Entry<String, Integer> s : subs.entrySet()) {
                    final Box box = boxOf(s.getKey(), connection.uid());
                    if (box != null) {
                        u.filters.get(box).put(s.getKey(), s.getValue());
                    }
                }
                for (final Box b : Box.values()) {
                    drain(u, b);
                }
            }));
        });
    }

    @Override
    public void disconnected(final @NotNull Connection connection, final @NotNull Sessions.CloseKind kind,
                             final boolean wasCurrent) {
        final UserMail u = users.get(connection.uid());
        if (u == null) {
            return;
        }
        u.lane.execute(() -> {
            if (u.connection == connection.number()) {
                u.connection = -1;
            }
            // a task queued behind this one (a takeover's connect) still needs this object in the map
            if (u.isEmpty() && !u.lane.hasQueued()) {
                users.remove(u.uid, u);
            }
        });
    }

    /** The user's subscription {@code filter} took effect. If it reads a mailbox, the mailbox is drained into it. */
    @Override
    public void granted(final @NotNull Connection connection, final @NotNull String filter, final int qos) {
        final Box box = boxOf(filter, connection.uid());
        if (box == null) {
            return;
        }
        final UserMail u = users.computeIfAbsent(connection.uid(), UserMail::new);
        u.lane.execute(() -> {
            if (u.connection != connection.number()) {
                return;
            }
            u.filters.get(box).put(filter, qos);
            drain(u, box);
        });
    }

    /** The user removed its subscription {@code filter}. */
    @Override
    public void removed(final @NotNull Connection connection, final @NotNull String filter) {
        final Box box = boxOf(filter, connection.uid());
        final UserMail u = users.get(connection.uid());
        if (box == null || u == null) {
            return;
        }
        u.lane.execute(() -> u.filters.get(box).remove(filter));
    }

    /** Which of {@code uid}'s mailboxes a filter reads, or null. */
    static @Nullable Box boxOf(final @NotNull String filter, final @NotNull String uid) {
        final var analysis = RtmTopics.analyzeFilter(filter);
        for (final var m : analysis.matches()) {
            if (!uid.equals(m.id())) {
                continue;
            }
            if (m.family() == TopicFamily.INBOX) {
                return Box.INBOX;
            }
            if (m.family() == TopicFamily.EVENT) {
                return Box.EVENT;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------------- upkeep

    /** Removes expired messages. Call periodically. */
    public void sweep() {
        final long now = clock.millis();
        for (final UserMail u : users.values()) {
            u.lane.execute(() -> {
                for (final TreeMap<Long, Item> m : u.items.values()) {
                    for (final Item item : new ArrayList<>(m.values())) {
                        if (item.expiresAt <= now && item.outcome == null && item.committed) {
                            forget(u, item, true);
                        }
                    }
                }
                if (u.isEmpty() && !u.lane.hasQueued()) {
                    users.remove(u.uid, u);
                }
            });
        }
    }

    /**
     * What a sender should be told now about a message sent earlier: {@link Outcome#CACHED} while it waits in the
     * mailbox for a session, otherwise {@link Outcome#DELIVERED} (handed, or already acknowledged).
     */
    public @NotNull CompletableFuture<Outcome> outcomeOf(final @NotNull String uid, final @NotNull String rtmId) {
        final UserMail u = users.get(uid);
        if (u == null) {
            return CompletableFuture.completedFuture(Outcome.DELIVERED);
        }
        final CompletableFuture<Outcome> f = new CompletableFuture<>();
        u.lane.execute(() -> {
            final Item item = u.byId.get(rtmId);
            f.complete(item != null && item.handedEpoch != u.epoch ? Outcome.CACHED : Outcome.DELIVERED);
        });
        return f;
    }

    /** Messages stored now, over all users and boxes. */
    public long storedMessages() {
        return storedCount.get();
    }

    /** How many messages are kept for {@code uid} in {@code box} (for tests and RPC). */
    public @NotNull CompletableFuture<Integer> count(final @NotNull String uid, final @NotNull Box box) {
        final UserMail u = users.get(uid);
        if (u == null) {
            return CompletableFuture.completedFuture(0);
        }
        final CompletableFuture<Integer> f = new CompletableFuture<>();
        u.lane.execute(() -> f.complete(u.items.get(box).size()));
        return f;
    }
}
