package org.openrtm.extension.history;

import org.jetbrains.annotations.NotNull;
import org.openrtm.extension.store.CheckpointWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Writes the history keyspace into MapDB as blocks: the records of one conversation and one time bucket become one
 * MapDB entry (merged with the bucket's block from earlier checkpoints, if any). A removed record is removed from its
 * block; a removed block key removes the whole block. Stateless and thread-safe.
 */
final class HistoryBlocks implements CheckpointWriter {

    private static final Logger log = LoggerFactory.getLogger(HistoryBlocks.class);

    @Override
    public void checkpoint(final @NotNull List<Change> changes, final @NotNull NavigableMap<byte[], byte[]> base) {
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
            final byte[] conversation = HistoryCodec.conversationOf(c.key());
            final long bucket = HistoryCodec.bucketOfKey(c.key());
            final byte[] blockKey = HistoryCodec.blockKey(conversation, bucket);
            final TreeMap<byte[], byte[]> records = new TreeMap<>(Arrays::compareUnsigned);
            final byte[] existing = base.get(blockKey);
            if (existing != null && HistoryCodec.isBlock(existing)) {
                for (final HistoryCodec.Item item : HistoryCodec.expand(blockKey, existing)) {
                    records.put(HistoryCodec.position(item.key()), item.value());
                }
            }
            int j = i;
            while (j < changes.size() && sameBlock(changes.get(j).key(), conversation, bucket)) {
                final Change r = changes.get(j);
                if (r.value() == null) {
                    records.remove(HistoryCodec.position(r.key()));
                } else {
                    records.put(HistoryCodec.position(r.key()), r.value());
                }
                j++;
            }
            if (records.isEmpty()) {
                if (existing != null) {
                    base.remove(blockKey);
                }
            } else {
                base.put(blockKey, HistoryCodec.encodeBlock(records.entrySet(), records.size()));
            }
            i = j;
        }
    }

    private static boolean sameBlock(final byte[] key, final byte[] conversation, final long bucket) {
        return HistoryCodec.isRecordKey(key) && key.length == conversation.length + HistoryCodec.TAIL
                && Arrays.equals(key, 0, conversation.length, conversation, 0, conversation.length)
                && HistoryCodec.bucketOfKey(key) == bucket;
    }
}
