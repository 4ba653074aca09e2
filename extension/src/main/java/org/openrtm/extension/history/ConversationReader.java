package org.openrtm.extension.history;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.store.Keyspace;
import org.openrtm.extension.store.Store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * Reads one conversation's records in key order (ascending or descending) from the history store, where older records
 * are in blocks (MapDB) and newer ones single (journal and memory, not yet checkpointed). The store's merged scan
 * yields a bucket's block and that bucket's single records next to each other, so the reader collects one bucket at a
 * time, merges it by key (a record that is both single and in a block while a checkpoint finishes counts once), and
 * hands out the records within its bounds. Not thread-safe: one reader serves one query or one sweep step at a time.
 */
final class ConversationReader {

    private static final int CHUNK = 256;

    /**
     * The records of one bucket within the bounds, in reading order.
     *
     * @param blockKey the key of the bucket's block, or {@code null} if it has none
     * @param wholeBlock whether every record of that block is within the bounds (so removing the block key removes
     *                   exactly the group's block records)
     */
    record Group(long bucket, byte @Nullable [] blockKey, boolean wholeBlock, @NotNull List<HistoryCodec.Item> items) {
    }

    private final Store store;
    private final Keyspace keyspace;
    private final byte[] loKey;
    private final byte[] hiKey;
    private final boolean descending;
    private byte[] scanLo;
    private byte[] scanHi;
    private final ArrayDeque<Store.Entry> buffer = new ArrayDeque<>();
    private boolean exhausted;
    private final ArrayDeque<HistoryCodec.Item> ready = new ArrayDeque<>();

    /**
     * @param conversation the conversation (with its 0 byte)
     * @param loKey        the lowest record key to return (inclusive); starts with the conversation and a time
     * @param hiKey        the record key to stop before (exclusive); starts with the conversation and a time
     * @param descending   newest first
     */
    ConversationReader(final @NotNull Store store, final @NotNull Keyspace keyspace, final byte @NotNull [] conversation,
                       final byte @NotNull [] loKey, final byte @NotNull [] hiKey, final boolean descending) {
        this.store = store;
        this.keyspace = keyspace;
        this.loKey = loKey;
        this.hiKey = hiKey;
        this.descending = descending;
        // the block of the bucket that holds the lower bound sorts before the bound itself
        this.scanLo = HistoryCodec.blockKey(conversation, HistoryCodec.bucketOf(HistoryCodec.tsOf(loKey)));
        this.scanHi = hiKey;
    }

    /** The next bucket with records within the bounds, or {@code null} at the end. */
    @Nullable Group nextGroup() {
        while (true) {
            final Store.Entry first = peek();
            if (first == null) {
                return null;
            }
            final long bucket = HistoryCodec.bucketOfKey(first.key());
            final TreeMap<byte[], HistoryCodec.Item> items = new TreeMap<>(
                    descending ? Comparator.<byte[], byte[]>comparing(k -> k, Arrays::compareUnsigned).reversed()
                            : Arrays::compareUnsigned);
            byte[] blockKey = null;
            boolean wholeBlock = true;
            Store.Entry e;
            while ((e = peek()) != null && HistoryCodec.bucketOfKey(e.key()) == bucket) {
                buffer.poll();
                if (HistoryCodec.isBlock(e.value())) {
                    blockKey = e.key();
                }
                for (final HistoryCodec.Item item : HistoryCodec.expand(e.key(), e.value())) {
                    if (Arrays.compareUnsigned(item.key(), loKey) < 0 || Arrays.compareUnsigned(item.key(), hiKey) >= 0) {
                        wholeBlock &= !item.inBlock();
                        continue;
                    }
                    // a record both single and in a block (a checkpoint is finishing) counts once, as the single one
                    items.merge(item.key(), item, (a, b) -> a.inBlock() ? b : a);
                }
            }
            if (!items.isEmpty()) {
                return new Group(bucket, blockKey, blockKey != null && wholeBlock, new ArrayList<>(items.values()));
            }
        }
    }

    /** The next record within the bounds, or {@code null} at the end. */
    HistoryCodec.@Nullable Item next() {
        while (ready.isEmpty()) {
            final Group g = nextGroup();
            if (g == null) {
                return null;
            }
            ready.addAll(g.items());
        }
        return ready.poll();
    }

    private Store.Entry peek() {
        if (buffer.isEmpty() && !exhausted) {
            fill();
        }
        return buffer.peek();
    }

    private void fill() {
        if (Arrays.compareUnsigned(scanLo, scanHi) >= 0) {
            exhausted = true;
            return;
        }
        final List<Store.Entry> chunk = store.scan(keyspace, scanLo, scanHi, descending, CHUNK);
        buffer.addAll(chunk);
        if (chunk.size() < CHUNK) {
            exhausted = true;
            return;
        }
        final byte[] last = chunk.get(chunk.size() - 1).key();
        if (descending) {
            scanHi = last;
        } else {
            scanLo = Arrays.copyOf(last, last.length + 1);
        }
    }
}
