package org.openrtm.extension.history;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.rpc.Params;
import org.openrtm.extension.rpc.RpcException;
import org.openrtm.extension.rpc.RpcHandler;
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
 * Message history: records accepted peer and channel messages in a store of its own, answers {@code history.query},
 * and removes messages past the retention or over the per-conversation cap in the background.
 *
 * <h2>Recording</h2>
 * A record is one journaled write to the history store ({@code <data>/history}), separate from the main store so
 * that history never delays mailbox commits; the store group-commits concurrent records. The sender's PUBACK waits
 * for it, so history survives {@code kill -9} like the offline cache does.
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
        if (!options.enabled()) {
            return CompletableFuture.completedFuture(null);
        }
        return store.write(new WriteBatch().putNew(keyspace, HistoryCodec.key(HistoryCodec.peer(from, to), ts, rtmId),
                HistoryCodec.encode(from, null, null, payload)));
    }

    @Override
    public void retractPeer(final @NotNull String from, final @NotNull String to, final @NotNull String rtmId,
                            final long ts) {
        if (options.enabled()) {
            store.write(new WriteBatch().remove(keyspace, HistoryCodec.key(HistoryCodec.peer(from, to), ts, rtmId)));
        }
    }

    @Override
    public @NotNull CompletableFuture<Void> recordChannel(final @NotNull String cid, final @NotNull String from,
                                                          final @NotNull String rtmId, final long ts,
                                                          final byte @NotNull [] payload, final @Nullable Set<String> only,
                                                          final @Nullable Set<String> except) {
        if (!options.enabled()) {
            return CompletableFuture.completedFuture(null);
        }
        return store.write(new WriteBatch().putNew(keyspace, HistoryCodec.key(HistoryCodec.channel(cid), ts, rtmId),
                HistoryCodec.encode(from, only, except, payload)));
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
        int budget = SCAN_BUDGET;
        scan:
        while (Arrays.compareUnsigned(lo, hi) < 0) {
            final int want = limit + 1 - messages.size();
            final List<Store.Entry> chunk = store.scan(keyspace, lo, hi, descending, want);
            for (final Store.Entry e : chunk) {
                final HistoryCodec.Record r = HistoryCodec.decode(e.key(), e.value());
                budget--;
                if (viewer.sees(r)) {
                    if (messages.size() == limit) {
                        more = true;
                        break scan;
                    }
                    messages.add(json(r, viewer));
                }
                last = e.key();
                if (budget <= 0) {
                    more = true;
                    break scan;
                }
            }
            if (chunk.size() < want) {
                break;
            }
            if (descending) {
                hi = chunk.get(chunk.size() - 1).key();
            } else {
                final byte[] k = chunk.get(chunk.size() - 1).key();
                lo = Arrays.copyOf(k, k.length + 1);
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

    /** What one pass of the sweep knows about the conversation it is in. */
    private static final class Pass {
        final long cutoff;
        byte[] conversation;
        long kept;
        long expired;
        long capped;

        Pass(final long cutoff) {
            this.cutoff = cutoff;
        }
    }

    /**
     * Starts a pass that removes messages past the retention and the oldest messages of conversations over the cap,
     * unless one is running. Returns at once; the pass runs on the executor in chunks.
     */
    public void sweep() {
        if (!options.enabled() || !sweeping.compareAndSet(false, true)) {
            return;
        }
        final Pass pass = new Pass(clock.millis() - options.retention().toMillis());
        executor.execute(() -> sweepChunk(pass, new byte[0]));
    }

    /**
     * What the sweep has done since start (for metrics and tests).
     *
     * @param passes  completed passes
     * @param expired messages removed because they were older than the retention
     * @param capped  messages removed because their conversation held more than the cap
     */
    public record SweepStats(long passes, long expired, long capped) {
    }

    /** What the sweep has done since start. */
    public @NotNull SweepStats sweepStats() {
        return new SweepStats(passes.get(), expiredTotal.get(), cappedTotal.get());
    }

    private void sweepChunk(final Pass pass, final byte[] from) {
        try {
            final List<Store.Entry> chunk = store.scan(keyspace, from, null, false, SWEEP_CHUNK);
            final WriteBatch batch = new WriteBatch();
            for (final Store.Entry e : chunk) {
                final byte[] conversation = HistoryCodec.conversationOf(e.key());
                if (pass.conversation == null || !Arrays.equals(conversation, pass.conversation)) {
                    finishConversation(pass, batch);
                    pass.conversation = conversation;
                    pass.kept = 0;
                }
                if (HistoryCodec.tsOf(e.key()) < pass.cutoff) {
                    batch.remove(keyspace, e.key());
                    pass.expired++;
                } else {
                    pass.kept++;
                }
            }
            if (chunk.size() < SWEEP_CHUNK) {
                finishConversation(pass, batch);
            }
            if (!batch.isEmpty()) {
                store.write(batch).exceptionally(e -> {
                    log.warn("History clean-up could not be stored: {}", e.toString());
                    return null;
                });
            }
            if (chunk.size() < SWEEP_CHUNK) {
                expiredTotal.addAndGet(pass.expired);
                cappedTotal.addAndGet(pass.capped);
                passes.incrementAndGet();
                if (pass.expired + pass.capped > 0) {
                    log.debug("History sweep removed {} expired messages and {} over the cap", pass.expired, pass.capped);
                }
                sweeping.set(false);
                return;
            }
            final byte[] k = chunk.get(chunk.size() - 1).key();
            final byte[] next = Arrays.copyOf(k, k.length + 1);
            executor.execute(() -> sweepChunk(pass, next));
        } catch (final RuntimeException e) {
            sweeping.set(false);
            log.error("History sweep failed: {}", e.toString());
            log.debug("History sweep failure", e);
        }
    }

    /** Removes the oldest unexpired messages of the conversation the pass just left, if it holds more than the cap. */
    private void finishConversation(final Pass pass, final WriteBatch batch) {
        if (pass.conversation == null || pass.kept <= options.maxPerConversation()) {
            return;
        }
        final long excess = pass.kept - options.maxPerConversation();
        byte[] lo = HistoryCodec.at(pass.conversation, pass.cutoff);
        final byte[] hi = Store.upperBound(pass.conversation);
        long removed = 0;
        while (removed < excess) {
            final int want = (int) Math.min(SWEEP_CHUNK, excess - removed);
            final List<Store.Entry> oldest = store.scan(keyspace, lo, hi, false, want);
            for (final Store.Entry e : oldest) {
                batch.remove(keyspace, e.key());
            }
            removed += oldest.size();
            if (oldest.size() < want) {
                break;
            }
            final byte[] k = oldest.get(oldest.size() - 1).key();
            lo = Arrays.copyOf(k, k.length + 1);
        }
        pass.capped += removed;
    }
}
