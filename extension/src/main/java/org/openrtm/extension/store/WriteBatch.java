package org.openrtm.extension.store;

import org.jetbrains.annotations.NotNull;

import java.util.ArrayList;
import java.util.List;

/**
 * Changes that a {@link Store} journals and applies together: after a crash either all of them are there or none.
 * Not thread-safe; build it on one thread and hand it to {@link Store#write(WriteBatch)}.
 */
public final class WriteBatch {

    static final byte PUT = 1;
    static final byte PUT_NEW = 2;
    static final byte REMOVE = 3;

    /** One change. */
    static final class Op {
        final byte type;
        final Keyspace keyspace;
        final byte[] key;
        final byte[] value;

        Op(final byte type, final Keyspace keyspace, final byte[] key, final byte[] value) {
            this.type = type;
            this.keyspace = keyspace;
            this.key = key;
            this.value = value;
        }

        int encodedSize() {
            return 1 + 2 + 4 + key.length + 4 + (value == null ? 0 : value.length);
        }
    }

    private final List<Op> ops = new ArrayList<>(4);

    /** Sets {@code key} to {@code value}. */
    public @NotNull WriteBatch put(final @NotNull Keyspace ks, final byte @NotNull [] key, final byte @NotNull [] value) {
        ops.add(new Op(PUT, ks, key, value));
        return this;
    }

    /**
     * Sets a key that the caller guarantees has never existed (for example one that ends in a fresh sequence number).
     * If the key is removed before the next checkpoint, neither change ever reaches the MapDB files.
     */
    public @NotNull WriteBatch putNew(final @NotNull Keyspace ks, final byte @NotNull [] key, final byte @NotNull [] value) {
        ops.add(new Op(PUT_NEW, ks, key, value));
        return this;
    }

    /** Removes {@code key} (no effect if absent). */
    public @NotNull WriteBatch remove(final @NotNull Keyspace ks, final byte @NotNull [] key) {
        ops.add(new Op(REMOVE, ks, key, null));
        return this;
    }

    /** Whether the batch has no changes. */
    public boolean isEmpty() {
        return ops.isEmpty();
    }

    /** Number of changes. */
    public int size() {
        return ops.size();
    }

    List<Op> ops() {
        return ops;
    }
}
