package org.openrtm.extension.history;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How history is laid out in the history store.
 *
 * <h2>Records (journal and memory)</h2>
 * Key: the conversation ({@code p<uidA>/<uidB>} with the two uids sorted, or {@code c<cid>}) and a 0 byte, then the
 * time (8 bytes, big-endian ms) and the 16-character {@code rtm-id}. So one conversation's messages are contiguous
 * and in time order, and a time range is a key range. {@code /} and 0 are not in the id alphabet, so conversation
 * prefixes never overlap. Value: type 1, the audience kind (0 everyone, 1 only, 2 except), the sender (1 length byte
 * + ASCII), for an audience its size (2 bytes) and uids (each 1 length byte + ASCII), then the payload.
 *
 * <h2>Blocks (MapDB)</h2>
 * A checkpoint writes the records of one conversation and one {@value #BUCKET_MS} ms bucket as one MapDB entry (see
 * {@link HistoryBlocks}). Key: the conversation and its 0 byte, then the bucket's start (8 bytes), so a block sorts
 * just before the records of its bucket. Value: type 2, the number of records (4 bytes), then per record its key tail
 * (time and rtm-id, 24 bytes), the length of its value (4 bytes) and the value.
 *
 * <p>Stateless and thread-safe.
 */
final class HistoryCodec {

    /** Width of a block's time bucket, in ms. */
    static final long BUCKET_MS = 1000;
    /** Length of a record key after the conversation: time and rtm-id. */
    static final int TAIL = 8 + 16;
    private static final byte RECORD = 1;
    private static final byte BLOCK = 2;
    private static final byte EVERYONE = 0;
    private static final byte ONLY = 1;
    private static final byte EXCEPT = 2;

    private HistoryCodec() {
    }

    /** One recorded message, decoded. */
    record Record(@NotNull String from, long ts, @NotNull String rtmId, @Nullable Set<String> only,
                  @Nullable Set<String> except, byte @NotNull [] payload) {
    }

    /** One record as stored: its key, its value, and whether it was read out of a block. */
    record Item(byte @NotNull [] key, byte @NotNull [] value, boolean inBlock) {

        long ts() {
            return tsOf(key);
        }
    }

    // ---------------------------------------------------------------------------------------------------- keys

    /** The conversation of two peers (in either order), with the 0 byte that ends it. */
    static byte @NotNull [] peer(final @NotNull String a, final @NotNull String b) {
        final String first = a.compareTo(b) <= 0 ? a : b;
        final String second = first.equals(a) ? b : a;
        return conversation("p" + first + "/" + second);
    }

    /** The conversation of a channel, with the 0 byte that ends it. */
    static byte @NotNull [] channel(final @NotNull String cid) {
        return conversation("c" + cid);
    }

    private static byte[] conversation(final String text) {
        final byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        return Arrays.copyOf(t, t.length + 1);
    }

    static byte @NotNull [] key(final byte @NotNull [] conversation, final long ts, final @NotNull String rtmId) {
        return ByteBuffer.allocate(conversation.length + TAIL).put(conversation).putLong(ts)
                .put(rtmId.getBytes(StandardCharsets.US_ASCII)).array();
    }

    /** The smallest record key of a conversation at or after {@code ts} (also the key of a block starting there). */
    static byte @NotNull [] at(final byte @NotNull [] conversation, final long ts) {
        return ByteBuffer.allocate(conversation.length + 8).put(conversation).putLong(Math.max(0, ts)).array();
    }

    /** The start of the bucket that holds {@code ts}. */
    static long bucketOf(final long ts) {
        return ts - Math.floorMod(ts, BUCKET_MS);
    }

    /** The length of the conversation part of a key (with its 0 byte), or -1 if the key has none. */
    static int conversationLength(final byte @NotNull [] key) {
        for (int i = 0; i < key.length; i++) {
            if (key[i] == 0) {
                return i + 1;
            }
        }
        return -1;
    }

    /** The conversation part of a key (with its 0 byte). */
    static byte @NotNull [] conversationOf(final byte @NotNull [] key) {
        return Arrays.copyOf(key, conversationLength(key));
    }

    static boolean isRecordKey(final byte @NotNull [] key) {
        final int c = conversationLength(key);
        return c > 1 && key.length == c + TAIL;
    }

    static boolean isBlockKey(final byte @NotNull [] key) {
        final int c = conversationLength(key);
        return c > 1 && key.length == c + 8;
    }

    /** The time written right after the conversation: a record's time, a block's bucket, or a bound's time. */
    static long tsOf(final byte @NotNull [] key) {
        return tsAt(key, conversationLength(key));
    }

    /** The time written at {@code offset} (the conversation's length) of a key. */
    static long tsAt(final byte @NotNull [] key, final int offset) {
        long ts = 0;
        for (int i = offset; i < offset + 8; i++) {
            ts = (ts << 8) | (key[i] & 0xFF);
        }
        return ts;
    }

    /** The bucket a record key or block key belongs to. */
    static long bucketOfKey(final byte @NotNull [] key) {
        return bucketOf(tsOf(key));
    }

    static @NotNull String rtmIdOf(final byte @NotNull [] key) {
        return new String(key, key.length - 16, 16, StandardCharsets.US_ASCII);
    }

    /** The position of a record key within its conversation (time and id), as a cursor carries it. */
    static byte @NotNull [] position(final byte @NotNull [] key) {
        return Arrays.copyOfRange(key, key.length - TAIL, key.length);
    }

    // -------------------------------------------------------------------------------------------------- records

    static byte @NotNull [] encode(final @NotNull String from, final @Nullable Set<String> only,
                                   final @Nullable Set<String> except, final byte @NotNull [] payload) {
        final Set<String> audience = only != null ? only : except;
        int size = 2 + 1 + from.length() + payload.length;
        if (audience != null) {
            size += 2;
            for (final String uid : audience) {
                size += 1 + uid.length();
            }
        }
        final ByteBuffer out = ByteBuffer.allocate(size);
        out.put(RECORD).put(only != null ? ONLY : except != null ? EXCEPT : EVERYONE);
        putId(out, from);
        if (audience != null) {
            out.putShort((short) audience.size());
            for (final String uid : audience) {
                putId(out, uid);
            }
        }
        out.put(payload);
        return out.array();
    }

    static @NotNull Record decode(final byte @NotNull [] key, final byte @NotNull [] value) {
        final ByteBuffer in = ByteBuffer.wrap(value);
        final byte type = in.get();
        if (type != RECORD) {
            throw new IllegalStateException("history value of type " + type + " is not a record");
        }
        final byte kind = in.get();
        final String from = getId(in);
        Set<String> audience = null;
        if (kind != EVERYONE) {
            final int n = in.getShort() & 0xFFFF;
            audience = new LinkedHashSet<>();
            for (int i = 0; i < n; i++) {
                audience.add(getId(in));
            }
        }
        final byte[] payload = new byte[in.remaining()];
        in.get(payload);
        return new Record(from, tsOf(key), rtmIdOf(key), kind == ONLY ? audience : null, kind == EXCEPT ? audience : null,
                payload);
    }

    private static void putId(final ByteBuffer out, final String id) {
        out.put((byte) id.length()).put(id.getBytes(StandardCharsets.US_ASCII));
    }

    private static String getId(final ByteBuffer in) {
        final byte[] b = new byte[in.get() & 0xFF];
        in.get(b);
        return new String(b, StandardCharsets.US_ASCII);
    }

    // --------------------------------------------------------------------------------------------------- blocks

    static boolean isBlock(final byte @NotNull [] value) {
        return value.length > 0 && value[0] == BLOCK;
    }

    /** A block key: the conversation (with its 0 byte) and the bucket. */
    static byte @NotNull [] blockKey(final byte @NotNull [] conversation, final long bucket) {
        return at(conversation, bucket);
    }

    /**
     * Encodes a block.
     *
     * @param records the bucket's records (full record keys of one conversation), in key order
     */
    static byte @NotNull [] encodeBlock(final @NotNull List<Item> records) {
        int size = 1 + 4;
        for (final Item r : records) {
            size += TAIL + 4 + r.value().length;
        }
        final ByteBuffer out = ByteBuffer.allocate(size).put(BLOCK).putInt(records.size());
        for (final Item r : records) {
            out.put(r.key(), r.key().length - TAIL, TAIL).putInt(r.value().length).put(r.value());
        }
        return out.array();
    }

    /** The number of records in a block. */
    static int blockCount(final byte @NotNull [] value) {
        return ByteBuffer.wrap(value, 1, 4).getInt();
    }

    /**
     * The records of an entry: the record itself, or every record of a block.
     *
     * @param key   the entry's key (a record key or a block key)
     * @param value the entry's value
     */
    static @NotNull List<Item> expand(final byte @NotNull [] key, final byte @NotNull [] value) {
        if (!isBlock(value)) {
            return List.of(new Item(key, value, false));
        }
        final int c = conversationLength(key);
        final ByteBuffer in = ByteBuffer.wrap(value);
        in.get();
        final int n = in.getInt();
        final List<Item> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            final byte[] k = new byte[c + TAIL];
            System.arraycopy(key, 0, k, 0, c);
            in.get(k, c, TAIL);
            final byte[] v = new byte[in.getInt()];
            in.get(v);
            out.add(new Item(k, v, true));
        }
        return out;
    }
}
