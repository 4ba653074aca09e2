package org.openrtm.extension.history;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.rpc.Params;
import org.openrtm.extension.rpc.RpcException;
import org.openrtm.extension.rpc.RpcHandler;
import org.openrtm.extension.store.CheckpointWriter;
import org.openrtm.extension.store.Keyspace;
import org.openrtm.extension.store.Store;
import org.openrtm.extension.store.WriteBatch;
import org.openrtm.extension.util.Utf8;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Limits;
import org.openrtm.protocol.Rpc;
import org.openrtm.protocol.RtmIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;

/**
 * Message history: records accepted peer and channel messages, answers {@code history.query},
 * and removes messages past the retention or over the per-conversation cap in the background.
 *
 * <h2>Recording</h2>
 * A record is an entry of the main store's keyspace {@value #KEYSPACE} (checkpointed into MapDB as blocks by
 * {@link HistoryBlocks}). The message paths add it to the {@code WriteBatch} that stores the message itself (mailbox
 * entry, {@code rtm-cid} de-duplication record), so all of them are one journal append: after a {@code kill -9} they
 * are there together or not at all. The sender's PUBACK waits for that append, so history survives {@code kill -9}
 * like the offline cache does.
 *
 * <h2>Who may read</h2>
 * A peer conversation: either side. A channel: its current members, who see every message except those sent with an
 * {@code rtm-only} list that leaves them out or an {@code rtm-except} list that names them (the sender always sees its
 * own). Roles service and admin may read any conversation, in full.
 *
 * <p>Thread-safe. Queries read the store on the RPC's thread; the sweep runs in chunks on the executor, one pass at a
 * time.
 */
public final class HistoryService implements HistoryRecorder {

    private static final Logger log = LoggerFactory.getLogger(HistoryService.class);

    /** The keyspace of the history store. */
    public static final String KEYSPACE = "history";

    private static final byte CURSOR_VERSION = 1;
    private static final int SWEEP_CHUNK = 2000;
    private static final int SCAN_BUDGET = 5000;

    /**
     * How history behaves.
     *
     * @param enabled            whether anything is recorded
     * @param retention          how long a message is kept
     * @param maxPerConversation most messages kept per conversation
     */
    public record HistoryOptions(boolean enabled, @NotNull Duration retention, int maxPerConversation) {
    }

    private final Store store;
    private final Keyspace keyspace;
    private final Executor executor;
    private final Clock clock;
    private final HistoryOptions options;
    private final BiPredicate<String, String> isMember;
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong expiredTotal = new AtomicLong();
    private final AtomicLong cappedTotal = new AtomicLong();

    /**
     * @param store    the history store (keyspace {@value #KEYSPACE})
     * @param executor where the sweep runs
     * @param clock    for retention
     * @param options  what to keep
     * @param isMember whether (cid, uid) is a member now
     */
    public HistoryService(final @NotNull Store store, final @NotNull Executor executor, final @NotNull Clock clock,
                          final @NotNull HistoryOptions options, final @NotNull BiPredicate<String, String> isMember) {
        this.store = store;
        this.keyspace = store.keyspace(KEYSPACE);
        this.executor = executor;
        this.clock = clock;
        this.options = options;
        this.isMember = isMember;
    }

    // --------------------------------------------------------------------------------------------------- recording

    @Override
    public boolean enabled() {
        return options.enabled();
    }

    @Override
    public @NotNull CompletableFuture<Void> recordPeer(final @NotNull String from, final @NotNull String to,
                                                       final @NotNull String rtmId, final long ts,
                                                       final byte @NotNull [] payload) {
        final WriteBatch batch = new WriteBatch();
        return addPeer(batch, from, to, rtmId, ts, payload) ? store.write(batch) : CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean addPeer(final @NotNull WriteBatch batch, final @NotNull String from, final @NotNull String to,
                           final @NotNull String rtmId, final long ts, final byte @NotNull [] payload) {
        if (!options.enabled()) {
            return false;
        }
        batch.putNew(keyspace, HistoryCodec.key(HistoryCodec.peer(from, to), ts, rtmId),
                HistoryCodec.encode(from, null, null, payload));
        return true;
    }

    @Override
    public @NotNull CompletableFuture<Void> recordChannel(final @NotNull String cid, final @NotNull String from,
                                                          final @NotNull String rtmId, final long ts,
                                                          final byte @NotNull [] payload, final @Nullable Set<String> only,
                                                          final @Nullable Set<String> except) {
        final WriteBatch batch = new WriteBatch();
        return addChannel(batch, cid, from, rtmId, ts, payload, only, except)
                ? store.write(batch) : CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean addChannel(final @NotNull WriteBatch batch, final @NotNull String cid, final @NotNull String from,
                              final @NotNull String rtmId, final long ts, final byte @NotNull [] payload,
                              final @Nullable Set<String> only, final @Nullable Set<String> except) {
        if (!options.enabled()) {
            return false;
        }
        batch.putNew(keyspace, HistoryCodec.key(HistoryCodec.channel(cid), ts, rtmId),
                HistoryCodec.encode(from, only, except, payload));
        return true;
    }

    // ----------------------------------------------------------------------------------------------------- query

    /**
     * {@code history.query}: {@code {"peer":uid}} or {@code {"cid":...}}, {@code "uid"} (services and admins: whose
     * peer conversation), {@code "start"}, {@code "end"} (ms, inclusive / exclusive), {@code "limit"} (1 to 100,
     * default 100), {@code "order"} ({@code desc}, the default: newest first; or {@code asc}), {@code "cursor"} to
     * {@code {"messages":[...],"cursor":...|null}}.
     */
    public @NotNull RpcHandler queryHandler() {
        return (caller, params) -> {
            if (!options.enabled()) {
                throw new RpcException(Rpc.ERR_FORBIDDEN, "history is turned off on this server (history.enabled = false)");
            }
            Params.onlyKnown(params, "peer", "cid", "uid", "start", "end", "limit", "order", "cursor");
            final String peer = Params.string(params, "peer", false);
            final String cid = Params.string(params, "cid", false);
            final String uid = Params.string(params, "uid", false);
            if ((peer == null) == (cid == null)) {
                throw new RpcException(Rpc.ERR_INVALID, "give either peer (a uid) or cid (a channel id)");
            }
            final long start = Params.whole(params, "start", 0, 0, Long.MAX_VALUE);
            final long end = Params.whole(params, "end", Long.MAX_VALUE, 0, Long.MAX_VALUE);
            final int limit = (int) Params.whole(params, "limit", Limits.MAX_HISTORY_PAGE, 1, Limits.MAX_HISTORY_PAGE);
            final String order = Params.string(params, "order", false);
            if (order != null && !order.equals("asc") && !order.equals("desc")) {
                throw new RpcException(Rpc.ERR_INVALID, "order must be asc or desc, but was " + Ids.show(order));
            }
            final boolean descending = !"asc".equals(order);
            final byte[] cursor = cursor(Params.string(params, "cursor", false));
            final byte[] conversation;
            final Viewer viewer;
            if (peer != null) {
                final String self = uid == null ? caller.uid() : uid;
                check(Ids.uidError(peer), "peer");
                check(Ids.uidError(self), "uid");
                if (!self.equals(caller.uid()) && !caller.role().isPrivileged()) {
                    throw new RpcException(Rpc.ERR_FORBIDDEN, "you may read only your own conversations; uid "
                            + Ids.show(self) + " is someone else's (roles service and admin may)");
                }
                conversation = HistoryCodec.peer(self, peer);
                viewer = new Viewer(self, peer, null, true);
            } else {
                check(Ids.cidError(cid), "cid");
                if (uid != null) {
                    throw new RpcException(Rpc.ERR_INVALID, "uid applies to peer conversations, not to channels");
                }
                final boolean privileged = caller.role().isPrivileged();
                if (!privileged && !isMember.test(cid, caller.uid())) {
                    throw new RpcException(Rpc.ERR_FORBIDDEN, "you are not a member of channel " + Ids.show(cid)
                            + "; only its current members read its history");
                }
                conversation = HistoryCodec.channel(cid);
                viewer = new Viewer(caller.uid(), null, cid, privileged);
            }
            final long from = Math.max(start, clock.millis() - options.retention().toMillis());
            return CompletableFuture.completedFuture(query(conversation, viewer, from, end, limit, descending, cursor));
        };
    }

    /** {@code history.query} on a server with history turned off: always refused. */
    public static @NotNull RpcHandler disabledHandler() {
        return (caller, params) -> {
            throw new RpcException(Rpc.ERR_FORBIDDEN, "history is turned off on this server (history.enabled = false)");
        };
    }

    private static void check(final @Nullable String error, final String field) {
        if (error != null) {
            throw new RpcException(Rpc.ERR_INVALID, field + ": " + error);
        }
    }

    /** Who reads, and how messages are shown to it. */
    private record Viewer(@NotNull String uid, @Nullable String peer, @Nullable String cid, boolean seesAll) {

        boolean sees(final HistoryCodec.Record r) {
            if (seesAll || r.from().equals(uid)) {
                return true;
            }
            if (r.only() != null) {
                return r.only().contains(uid);
            }
            return r.except() == null || !r.except().contains(uid);
        }
    }

    private JsonObject query(final byte[] conversation, final Viewer viewer, final long start, final long end,
                             final int limit, final boolean descending, final byte @Nullable [] cursor) {
        byte[] lo = HistoryCodec.at(conversation, start);
        byte[] hi = end == Long.MAX_VALUE ? Store.upperBound(conversation) : HistoryCodec.at(conversation, end);
        if (cursor != null) {
            final byte[] at = concat(conversation, cursor);
            if (descending) {
                hi = Arrays.compareUnsigned(at, hi) < 0 ? at : hi;
            } else {
                final byte[] after = Arrays.copyOf(at, at.length + 1);
                lo = Arrays.compareUnsigned(after, lo) > 0 ? after : lo;
            }
        }
        final JsonArray messages = new JsonArray();
        byte[] last = null;
        boolean more = false;
        if (Arrays.compareUnsigned(lo, hi) < 0) {
            final ConversationReader reader = new ConversationReader(store, keyspace, conversation, lo, hi, descending);
            int budget = SCAN_BUDGET;
            HistoryCodec.Item item;
            while ((item = reader.next()) != null) {
                final HistoryCodec.Record r = HistoryCodec.decode(item.key(), item.value());
                if (viewer.sees(r)) {
                    if (messages.size() == limit) {
                        more = true;
                        break;
                    }
                    messages.add(json(r, viewer));
                }
                last = item.key();
                if (--budget <= 0) {
                    // a long run of messages this caller may not see: end the page here, the cursor goes on
                    more = true;
                    break;
                }
            }
        }
        final JsonObject result = new JsonObject();
        result.add("messages", messages);
        if (more && last != null) {
            final byte[] position = HistoryCodec.position(last);
            final byte[] raw = ByteBuffer.allocate(1 + position.length).put(CURSOR_VERSION).put(position).array();
            result.addProperty("cursor", Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
        } else {
            result.add("cursor", JsonNull.INSTANCE);
        }
        return result;
    }

    private static byte[] concat(final byte[] a, final byte[] b) {
        final byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The position a cursor names, or {@code null} for none. */
    private static byte @Nullable [] cursor(final @Nullable String text) {
        if (text == null) {
            return null;
        }
        final String refusal = "cursor " + Ids.show(text) + " is not one this server gave";
        final byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(text);
        } catch (final IllegalArgumentException e) {
            throw new RpcException(Rpc.ERR_INVALID, refusal);
        }
        if (raw.length != 1 + HistoryCodec.TAIL || raw[0] != CURSOR_VERSION
                || !RtmIds.isValid(new String(raw, 1 + 8, 16, StandardCharsets.US_ASCII))) {
            throw new RpcException(Rpc.ERR_INVALID, refusal);
        }
        return Arrays.copyOfRange(raw, 1, raw.length);
    }

    private static JsonObject json(final HistoryCodec.Record r, final Viewer viewer) {
        final JsonObject m = new JsonObject();
        m.addProperty("id", r.rtmId());
        m.addProperty("from", r.from());
        if (viewer.cid() != null) {
            m.addProperty("cid", viewer.cid());
        } else {
            m.addProperty("to", r.from().equals(viewer.uid()) ? viewer.peer() : viewer.uid());
        }
        m.addProperty("ts", r.ts());
        final String text = Utf8.decodeOrNull(r.payload());
        if (text != null) {
            m.addProperty("payload", text);
            m.addProperty("encoding", "utf8");
        } else {
            m.addProperty("payload", Base64.getEncoder().encodeToString(r.payload()));
            m.addProperty("encoding", "base64");
        }
        return m;
    }

    // ----------------------------------------------------------------------------------------------------- sweep

    /** One pass of the sweep: where it is, and what it did. Touched by one sweep task at a time. */
    private static final class Pass {
        final long cutoff;
        byte[] nextFrom = new byte[0];
        byte[] conversation;
        ConversationReader reader;
        boolean capping;
        long kept;
        long excess;
        long expired;
        long capped;
        WriteBatch batch = new WriteBatch();

        Pass(final long cutoff) {
            this.cutoff = cutoff;
        }
    }

    /**
     * Starts a pass that removes messages past the retention and the oldest messages of conversations over the cap,
     * unless one is running. Returns at once; the pass runs on the executor in steps of a few thousand messages.
     * Removed messages that are already in a MapDB block disappear from queries at the next checkpoint.
     */
    public void sweep() {
        if (!options.enabled() || !sweeping.compareAndSet(false, true)) {
            return;
        }
        final Pass pass = new Pass(clock.millis() - options.retention().toMillis());
        executor.execute(() -> sweepStep(pass));
    }

    /**
     * What the sweep has done since start (for metrics and tests).
     *
     * @param passes  completed passes
     * @param expired removals of messages older than the retention
     * @param capped  removals of messages of conversations over the cap
     */
    public record SweepStats(long passes, long expired, long capped) {
    }

    /** What the sweep has done since start. */
    public @NotNull SweepStats sweepStats() {
        return new SweepStats(passes.get(), expiredTotal.get(), cappedTotal.get());
    }

    private void sweepStep(final Pass pass) {
        try {
            int budget = SWEEP_CHUNK;
            while (budget > 0) {
                if (pass.reader == null && !nextConversation(pass)) {
                    flush(pass);
                    expiredTotal.addAndGet(pass.expired);
                    cappedTotal.addAndGet(pass.capped);
                    passes.incrementAndGet();
                    if (pass.expired + pass.capped > 0) {
                        log.debug("History sweep removed {} expired messages and {} over the cap", pass.expired,
                                pass.capped);
                    }
                    sweeping.set(false);
                    return;
                }
                final ConversationReader.Group g = pass.reader.nextGroup();
                if (g == null) {
                    if (!pass.capping && pass.kept > options.maxPerConversation()) {
                        pass.capping = true;
                        pass.excess = pass.kept - options.maxPerConversation();
                        pass.reader = new ConversationReader(store, keyspace, pass.conversation,
                                HistoryCodec.at(pass.conversation, pass.cutoff), Store.upperBound(pass.conversation), false);
                    } else {
                        pass.reader = null;
                    }
                    continue;
                }
                budget -= g.items().size();
                if (pass.capping) {
                    cap(pass, g);
                } else {
                    expire(pass, g);
                }
                if (pass.batch.size() >= SWEEP_CHUNK) {
                    flush(pass);
                }
            }
            flush(pass);
            executor.execute(() -> sweepStep(pass));
        } catch (final RuntimeException e) {
            sweeping.set(false);
            log.error("History sweep failed: {}", e.toString());
            log.debug("History sweep failure", e);
        }
    }

    /** Moves the pass to the next conversation; false when there is none. */
    private boolean nextConversation(final Pass pass) {
        while (true) {
            final List<Store.Entry> next = store.scan(keyspace, pass.nextFrom, null, false, 1);
            if (next.isEmpty()) {
                return false;
            }
            final byte[] key = next.get(0).key();
            if (HistoryCodec.conversationLength(key) < 2) {
                log.warn("History store holds a malformed key of {} bytes; skipped", key.length);
                pass.nextFrom = Arrays.copyOf(key, key.length + 1);
                continue;
            }
            pass.conversation = HistoryCodec.conversationOf(key);
            pass.nextFrom = Store.upperBound(pass.conversation);
            pass.kept = 0;
            pass.capping = false;
            pass.reader = new ConversationReader(store, keyspace, pass.conversation, HistoryCodec.at(pass.conversation, 0),
                    pass.nextFrom, false);
            return true;
        }
    }

    private void expire(final Pass pass, final ConversationReader.Group g) {
        int expired = 0;
        for (final HistoryCodec.Item item : g.items()) {
            if (item.ts() < pass.cutoff) {
                expired++;
            }
        }
        if (expired == g.items().size()) {
            remove(pass.batch, g, g.items().size());
        } else {
            for (final HistoryCodec.Item item : g.items()) {
                if (item.ts() < pass.cutoff) {
                    pass.batch.remove(keyspace, item.key());
                }
            }
        }
        pass.expired += expired;
        pass.kept += g.items().size() - expired;
    }

    private void cap(final Pass pass, final ConversationReader.Group g) {
        final int n = (int) Math.min(pass.excess, g.items().size());
        remove(pass.batch, g, n);
        pass.excess -= n;
        pass.capped += n;
        if (pass.excess == 0) {
            pass.reader = null;
        }
    }

    /** Removes the first {@code n} records of a group: a whole block by its key, the rest one by one. */
    private void remove(final WriteBatch batch, final ConversationReader.Group g, final int n) {
        final boolean whole = n == g.items().size() && g.wholeBlock();
        if (whole) {
            batch.remove(keyspace, g.blockKey());
        }
        for (int i = 0; i < n; i++) {
            final HistoryCodec.Item item = g.items().get(i);
            if (!whole || !item.inBlock()) {
                batch.remove(keyspace, item.key());
            }
        }
    }

    private void flush(final Pass pass) {
        if (pass.batch.isEmpty()) {
            return;
        }
        store.write(pass.batch).exceptionally(e -> {
            log.warn("History clean-up could not be stored: {}", e.toString());
            return null;
        });
        pass.batch = new WriteBatch();
    }

    /** How the history keyspace is written into MapDB: in blocks (see {@link HistoryCodec}). */
    public static @NotNull CheckpointWriter checkpointWriter() {
        return new HistoryBlocks();
    }
}
