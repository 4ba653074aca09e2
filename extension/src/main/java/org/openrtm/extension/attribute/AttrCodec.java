package org.openrtm.extension.attribute;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * How attributes are laid out in the store's {@value AttributeService#KEYSPACE} keyspace.
 *
 * <ul>
 *   <li>Key of an attribute: scope code ({@code u} or {@code c}), the owner id, {@code /}, the attribute key (all
 *       ASCII; {@code /} is not in the id alphabet, so one owner's keys share the prefix {@code u<uid>/}).</li>
 *   <li>Key of the owner's meta record: the prefix alone (an attribute key is never empty). Its value is the
 *       revision floor: the highest revision of a tombstone that was pruned.</li>
 *   <li>Value of an attribute: a flag byte (1 = live, 0 = tombstone), the revision and the time (8 bytes each,
 *       big-endian), the writer's uid (1 length byte + ASCII), then the value bytes (none for a tombstone).</li>
 * </ul>
 * Stateless and thread-safe.
 */
final class AttrCodec {

    private AttrCodec() {
    }

    /** An attribute as stored: {@code value == null} is a tombstone. */
    record Attr(byte @Nullable [] value, @NotNull String by, long ts, long rev) {

        boolean live() {
            return value != null;
        }

        int size() {
            return value == null ? 0 : value.length;
        }
    }

    static byte @NotNull [] prefix(final @NotNull AttrScope scope, final @NotNull String id) {
        final byte[] idBytes = id.getBytes(StandardCharsets.US_ASCII);
        final byte[] out = new byte[idBytes.length + 2];
        out[0] = (byte) scope.code();
        System.arraycopy(idBytes, 0, out, 1, idBytes.length);
        out[out.length - 1] = '/';
        return out;
    }

    static byte @NotNull [] key(final @NotNull AttrScope scope, final @NotNull String id, final @NotNull String key) {
        final byte[] prefix = prefix(scope, id);
        final byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        final byte[] out = new byte[prefix.length + k.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(k, 0, out, prefix.length, k.length);
        return out;
    }

    /** The attribute key of a stored key, or {@code ""} for the meta record. */
    static @NotNull String attrKey(final byte @NotNull [] storedKey, final int prefixLength) {
        return new String(storedKey, prefixLength, storedKey.length - prefixLength, StandardCharsets.US_ASCII);
    }

    /** The owner of a stored key: its scope, its id and the length of its key prefix. */
    record OwnerRef(@NotNull AttrScope scope, @NotNull String id, int prefixLength) {
    }

    /** The owner of a stored key, or {@code null} if the key is malformed. */
    static @Nullable OwnerRef owner(final byte @NotNull [] storedKey) {
        if (storedKey.length < 3) {
            return null;
        }
        AttrScope scope = null;
        for (final AttrScope s : AttrScope.values()) {
            if (storedKey[0] == (byte) s.code()) {
                scope = s;
            }
        }
        int slash = -1;
        for (int i = 1; i < storedKey.length; i++) {
            if (storedKey[i] == '/') {
                slash = i;
                break;
            }
        }
        if (scope == null || slash < 2) {
            return null;
        }
        return new OwnerRef(scope, new String(storedKey, 1, slash - 1, StandardCharsets.US_ASCII), slash + 1);
    }

    static byte @NotNull [] encode(final @NotNull Attr a) {
        final byte[] by = a.by().getBytes(StandardCharsets.US_ASCII);
        final ByteBuffer out = ByteBuffer.allocate(1 + 8 + 8 + 1 + by.length + a.size());
        out.put((byte) (a.live() ? 1 : 0)).putLong(a.rev()).putLong(a.ts()).put((byte) by.length).put(by);
        if (a.value() != null) {
            out.put(a.value());
        }
        return out.array();
    }

    static @NotNull Attr decode(final byte @NotNull [] raw) {
        final ByteBuffer in = ByteBuffer.wrap(raw);
        final boolean live = in.get() == 1;
        final long rev = in.getLong();
        final long ts = in.getLong();
        final byte[] by = new byte[in.get() & 0xFF];
        in.get(by);
        byte[] value = null;
        if (live) {
            value = new byte[in.remaining()];
            in.get(value);
        }
        return new Attr(value, new String(by, StandardCharsets.US_ASCII), ts, rev);
    }

    static byte @NotNull [] encodeFloor(final long floor) {
        return ByteBuffer.allocate(8).putLong(floor).array();
    }

    static long decodeFloor(final byte @NotNull [] raw) {
        return ByteBuffer.wrap(raw).getLong();
    }
}
