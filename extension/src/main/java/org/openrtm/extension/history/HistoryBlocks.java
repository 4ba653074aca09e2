package org.openrtm.extension.history;

import org.jetbrains.annotations.NotNull;
import org.openrtm.extension.store.CheckpointWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;

/**
 * Writes the history keyspace into MapDB as blocks: the records of one conversation and one time bucket become one
 * MapDB entry (merged with the bucket's block from earlier checkpoints, if any). A removed record is removed from its
 * block; a removed block key removes the whole block. Stateless and thread-safe.
 *
 * <p>The changes come in key order, so a bucket's records are already sorted: a bucket seen for the first time (the
 * usual case, buckets being shorter than the checkpoint interval) is encoded straight from them, and one with a block
 * from an earlier checkpoint is merged with it in one pass.
 */
final class HistoryBlocks implements CheckpointWriter {

    private static final Logger log = LoggerFactory.getLogger(HistoryBlocks.class);

    @Override
    public void checkpoint(final @NotNull List<Change> changes, final @NotNull NavigableMap<byte[], byte[]> base) {
        final List<HistoryCodec.Item> merged = new ArrayList<>();
        int i = 0;
        while (i < changes.size()) {
            final Change c = changes.get(i);
            if (HistoryCodec.isBlockKey(c.key())) {
                // the sweep removes whole blocks by their key
                if (c.value() == null) {
                    base.remove(c.key());
                } else {
                    base.put(c.key(), c.value());
                }
                i++;
                continue;
            }
            if (!HistoryCodec.isRecordKey(c.key())) {
                log.warn("History checkpoint skipped a malformed key of {} bytes", c.key().length);
                i++;
                continue;
            }
            final int conversationLength = HistoryCodec.conversationLength(c.key());
            final long bucket = HistoryCodec.bucketOfKey(c.key());
            int j = i + 1;
            while (j < changes.size() && sameBlock(changes.get(j).key(), c.key(), conversationLength, bucket)) {
                j++;
            }
            final byte[] blockKey = HistoryCodec.blockKey(Arrays.copyOf(c.key(), conversationLength), bucket);
            final byte[] existing = base.get(blockKey);
            final List<HistoryCodec.Item> before = existing != null && HistoryCodec.isBlock(existing)
                    ? HistoryCodec.expand(blockKey, existing) : List.of();
            merge(before, changes.subList(i, j), merged);
            if (merged.isEmpty()) {
                if (existing != null) {
                    base.remove(blockKey);
                }
            } else {
                base.put(blockKey, HistoryCodec.encodeBlock(merged));
            }
            merged.clear();
            i = j;
        }
    }

    /** Records are keyed by conversation (which ends with a 0 byte), then time: appended in order within it. */
    @Override
    public boolean groupsByPrefix() {
        return true;
    }

    /**
     * Merges a block's records (sorted) with the changes to its bucket (sorted, one per key): a change replaces or, with
     * no value, removes the record of its key. Both lists hold full record keys of one conversation.
     */
    static void merge(final List<HistoryCodec.Item> block, final List<Change> changes, final List<HistoryCodec.Item> out) {
        int b = 0;
        int c = 0;
        while (b < block.size() || c < changes.size()) {
            final int order = b == block.size() ? 1 : c == changes.size() ? -1
                    : Arrays.compareUnsigned(block.get(b).key(), changes.get(c).key());
            if (order < 0) {
                out.add(block.get(b++));
                continue;
            }
            if (order == 0) {
                b++; // the change decides
            }
            final Change change = changes.get(c++);
            if (change.value() != null) {
                out.add(new HistoryCodec.Item(change.key(), change.value(), true));
            }
        }
    }

    private static boolean sameBlock(final byte[] key, final byte[] first, final int conversationLength,
                                     final long bucket) {
        return key.length == first.length && key[conversationLength - 1] == 0
                && Arrays.equals(key, 0, conversationLength, first, 0, conversationLength)
                && HistoryCodec.bucketOf(HistoryCodec.tsAt(key, conversationLength)) == bucket;
    }
}
