package org.openrtm.extension.peer;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.routing.SendResult;
import org.openrtm.extension.store.Keyspace;
import org.openrtm.extension.store.Store;
import org.openrtm.extension.store.WriteBatch;
import org.openrtm.protocol.RtmStatus;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Remembers (sender, {@code rtm-cid}) pairs for the de-duplication window, so that a retried publish is answered with
 * the first result instead of being delivered again. Records are journaled with the message they belong to, so they
 * survive a crash. Thread-safe.
 */
public final class Dedup {

    /** The store keyspace this class uses. */
    public static final String KEYSPACE = "dedup";
    private static final byte RESOLVE = 0; // cacheable message: look at the mailbox to know delivered vs cached

    private record Entry(long createdAt, CompletableFuture<SendResult> result) {
    }

    private final Store store;
    private final Keyspace keyspace;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /**
     * @param resolver for records restored after a restart whose outcome depended on the mailbox: given the
     *                 recipient and the rtm-id, tells the current status
     */
    public Dedup(final @NotNull Store store, final @NotNull Duration window, final @NotNull Clock clock,
                 final @NotNull BiFunction<String, String, CompletableFuture<RtmStatus>> resolver) {
        this.store = store;
        this.keyspace = store.keyspace(KEYSPACE);
        this.window = window;
        this.clock = clock;
        final long cutoff = clock.millis() - window.toMillis();
        for (final Store.Entry e : store.scan(keyspace, new byte[0], null, false, Integer.MAX_VALUE)) {
            final String key = new String(e.key(), StandardCharsets.UTF_8);
            try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(e.value()))) {
                final long createdAt = in.readLong();
                final String rtmId = in.readUTF();
                final String recipient = in.readUTF();
                final byte status = in.readByte();
                if (createdAt < cutoff) {
                    store.write(new WriteBatch().remove(keyspace, e.key()));
                    continue;
                }
                final CompletableFuture<SendResult> result = status == RESOLVE
                        ? resolver.apply(recipient, rtmId).thenApply(s -> SendResult.ok(s, rtmId, null))
                        : CompletableFuture.completedFuture(SendResult.ok(RtmStatus.values()[status - 1], rtmId, null));
                entries.put(key, new Entry(createdAt, result));
            } catch (final IOException | RuntimeException ex) {
                store.write(new WriteBatch().remove(keyspace, e.key()));
            }
        }
    }

    /** Whether de-duplication is on (the window is not zero). */
    public boolean enabled() {
        return !window.isZero();
    }

    /**
     * Claims a (sender, cid) pair.
     *
     * @return {@code null} if the pair is new (the caller sends and must then call {@link #complete}); otherwise the
     *         result of the first publish with that pair
     */
    public @Nullable CompletableFuture<SendResult> claim(final @NotNull String sender, final @NotNull String cid,
                                                         final @NotNull CompletableFuture<SendResult> mine) {
        final Entry fresh = new Entry(clock.millis(), mine);
        final Entry existing = entries.putIfAbsent(key(sender, cid), fresh);
        return existing == null ? null : existing.result();
    }

    /** Adds the durable record of a claimed pair to {@code batch} (the batch that stores the message). */
    public void record(final @NotNull WriteBatch batch, final @NotNull String sender, final @NotNull String cid,
                       final @NotNull String rtmId, final @NotNull String recipient, final @Nullable RtmStatus fixed) {
        batch.put(keyspace, key(sender, cid).getBytes(StandardCharsets.UTF_8), encode(rtmId, recipient, fixed));
    }

    /** Journals a record built with {@link #record} on its own (when there is no message to store with it). */
    public @NotNull CompletableFuture<Void> persist(final @NotNull WriteBatch batch) {
        return store.write(batch);
    }

    /** Forgets a claim whose publish failed before anything was stored, so that a retry is tried afresh. */
    public void release(final @NotNull String sender, final @NotNull String cid) {
        entries.remove(key(sender, cid));
    }

    /** Drops pairs older than the window. Call periodically. */
    public void sweep() {
        final long cutoff = clock.millis() - window.toMillis();
        final WriteBatch batch = new WriteBatch();
        entries.entrySet().removeIf(e -> {
            if (e.getValue().createdAt() < cutoff) {
                batch.remove(keyspace, e.getKey().getBytes(StandardCharsets.UTF_8));
                return true;
            }
            return false;
        });
        if (!batch.isEmpty()) {
            store.write(batch);
        }
    }

    /** Pairs remembered now. */
    public int size() {
        return entries.size();
    }

    private static String key(final String sender, final String cid) {
        return sender + '\u0000' + cid;
    }

    private byte[] encode(final String rtmId, final String recipient, final @Nullable RtmStatus fixed) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(clock.millis());
            out.writeUTF(rtmId);
            out.writeUTF(recipient);
            out.writeByte(fixed == null ? RESOLVE : fixed.ordinal() + 1);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
