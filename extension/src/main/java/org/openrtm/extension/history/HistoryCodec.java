package org.openrtm.extension.history;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * How history is laid out in the history store.
 *
 * <p>Key: the conversation ({@code p<uidA>/<uidB>} with the two uids sorted, or {@code c<cid>}), a 0 byte, the time
 * (8 bytes, big-endian ms) and the 16-character {@code rtm-id}. So one conversation's messages are contiguous and in
 * time order, and a time range is a key range. {@code /} and 0 are not in the id alphabet, so conversation prefixes
 * never overlap.
 *
 * <p>Value: a version byte, the audience kind (0 everyone, 1 only, 2 except), the sender (1 length byte + ASCII), for
 * an audience its size (2 bytes) and uids (each 1 length byte + ASCII), then the payload.
 *
 * <p>Stateless and thread-safe.
 */
final class HistoryCodec {

    static final int TAIL = 8 + 16;
    private static final byte VERSION = 1;
    private static final byte EVERYONE = 0;
    private static final byte ONLY = 1;
    private static final byte EXCEPT = 2;

    private HistoryCodec() {
    }

    /** One recorded message. */
    record Record(@NotNull String from, long ts, @NotNull String rtmId, @Nullable Set<String> only,
                  @Nullable Set<String> except, byte @NotNull [] payload) {
    }

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

    /** The smallest key of a conversation at or after {@code ts}. */
    static byte @NotNull [] at(final byte @NotNull [] conversation, final long ts) {
        return ByteBuffer.allocate(conversation.length + 8).put(conversation).putLong(Math.max(0, ts)).array();
    }

    /** The conversation part of a key (with its 0 byte). */
    static byte @NotNull [] conversationOf(final byte @NotNull [] key) {
        return Arrays.copyOf(key, key.length - TAIL);
    }

    static long tsOf(final byte @NotNull [] key) {
        return ByteBuffer.wrap(key, key.length - TAIL, 8).getLong();
    }

    static @NotNull String rtmIdOf(final byte @NotNull [] key) {
        return new String(key, key.length - 16, 16, StandardCharsets.US_ASCII);
    }

    /** The position of a key within its conversation (time and id), as the cursor carries it. */
    static byte @NotNull [] position(final byte @NotNull [] key) {
        return Arrays.copyOfRange(key, key.length - TAIL, key.length);
    }

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
        out.put(VERSION).put(only != null ? ONLY : except != null ? EXCEPT : EVERYONE);
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
        final byte version = in.get();
        if (version != VERSION) {
            throw new IllegalStateException("history record of version " + version + " is not known to this server");
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
}
