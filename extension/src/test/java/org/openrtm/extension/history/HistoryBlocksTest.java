package org.openrtm.extension.history;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;
import org.openrtm.extension.store.CheckpointWriter.Change;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The checkpoint of the history keyspace into MapDB blocks, against a real MapDB B-tree. */
class HistoryBlocksTest {

    private static final byte[] AB = HistoryCodec.peer("alice", "bob");
    private static final byte[] CH = HistoryCodec.channel("room");

    private DB db;
    private BTreeMap<byte[], byte[]> base;
    private final HistoryBlocks blocks = new HistoryBlocks();

    @BeforeEach
    void open() {
        db = DBMaker.memoryDB().make();
        base = db.treeMap("blocks", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).valuesOutsideNodesEnable()
                .createOrOpen();
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static byte[] key(final byte[] conversation, final long ts, final int n) {
        return HistoryCodec.key(conversation, ts, String.format("id%014d", n));
    }

    private static byte[] value(final String text) {
        return HistoryCodec.encode("alice", null, null, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The payloads stored in the block of a conversation's bucket, in order; empty if there is no block. */
    private List<String> block(final byte[] conversation, final long bucket) {
        final byte[] blockKey = HistoryCodec.blockKey(conversation, bucket);
        final byte[] v = base.get(blockKey);
        final List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        for (final HistoryCodec.Item item : HistoryCodec.expand(blockKey, v)) {
            assertThat(HistoryCodec.bucketOfKey(item.key())).isEqualTo(bucket);
            out.add(new String(HistoryCodec.decode(item.key(), item.value()).payload(), StandardCharsets.UTF_8) + "@"
                    + item.ts());
        }
        return out;
    }

    /** Changes as the store hands them over: in key order. */
    private static List<Change> sorted(final Change... changes) {
        final List<Change> list = new ArrayList<>(Arrays.asList(changes));
        list.sort((x, y) -> Arrays.compareUnsigned(x.key(), y.key()));
        return list;
    }

    @Test
    void newBuckets_becomeOneBlockEach_withTheirRecordsInOrder() {
        blocks.checkpoint(sorted(
                new Change(key(AB, 10_500, 2), value("b")),
                new Change(key(AB, 10_100, 1), value("a")),
                new Change(key(AB, 11_000, 3), value("c")),
                new Change(key(CH, 10_999, 4), value("x"))), base);

        assertThat(base).hasSize(3);
        assertThat(block(AB, 10_000)).containsExactly("a@10100", "b@10500");
        assertThat(block(AB, 11_000)).containsExactly("c@11000");
        assertThat(block(CH, 10_000)).containsExactly("x@10999");
    }

    @Test
    void aBucketWithABlock_isMerged_recordsAddedReplacedAndRemoved() {
        blocks.checkpoint(sorted(
                new Change(key(AB, 20_100, 1), value("one")),
                new Change(key(AB, 20_300, 3), value("three")),
                new Change(key(AB, 20_900, 9), value("nine"))), base);

        blocks.checkpoint(sorted(
                new Change(key(AB, 20_050, 0), value("zero")),  // before the block's first record
                new Change(key(AB, 20_200, 2), value("two")),   // between two
                new Change(key(AB, 20_300, 3), null),           // removed
                new Change(key(AB, 20_900, 9), value("NINE")),  // replaced
                new Change(key(AB, 20_950, 10), value("ten")),  // after the last
                new Change(key(AB, 20_400, 4), null)), base);   // removal of a key the block does not have

        assertThat(block(AB, 20_000)).containsExactly("zero@20050", "one@20100", "two@20200", "NINE@20900",
                "ten@20950");
        assertThat(base).hasSize(1);
    }

    @Test
    void removingEveryRecordOfABlock_removesTheBlock_andABlockKeyChangeActsOnTheWholeBlock() {
        blocks.checkpoint(sorted(
                new Change(key(AB, 30_100, 1), value("one")),
                new Change(key(AB, 30_200, 2), value("two")),
                new Change(key(AB, 31_100, 3), value("three"))), base);
        assertThat(base).hasSize(2);

        blocks.checkpoint(sorted(
                new Change(key(AB, 30_100, 1), null),
                new Change(key(AB, 30_200, 2), null),
                new Change(HistoryCodec.blockKey(AB, 31_000), null)), base);

        assertThat(base).isEmpty();
    }

    @Test
    void onlyRemovals_forABucketWithoutBlock_writeNothing() {
        blocks.checkpoint(sorted(new Change(key(CH, 40_100, 1), null)), base);

        assertThat(base).isEmpty();
    }
}
