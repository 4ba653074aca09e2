package org.openrtm.extension.store;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.util.List;
import java.util.NavigableMap;

/**
 * Writes one keyspace's checkpointed changes into MapDB its own way, instead of one MapDB entry per key. A keyspace
 * of many small, append-mostly records (history) uses it to store them as a few large blocks: MapDB's cost is per
 * entry written, so blocks make a checkpoint an order of magnitude cheaper.
 *
 * <p>Such a keyspace has two layouts: its journal and in-memory layers hold the keys as written, its MapDB map holds
 * whatever the writer puts there. {@link Store#scan} merges both by key, so its reader must understand both (and
 * {@link Store#get} only sees keys the writer stores as they are). The values of such a keyspace are kept outside
 * MapDB's B-tree nodes, as suits large values.
 *
 * <p>Called on the store's checkpoint thread, once for each of the store's two MapDB copies (see {@link Copies}), with
 * the same changes: a copy counts as whole again only after all of them and the journal position they cover are
 * committed, so a checkpoint cut short is redone from the journal. The result must depend only on the changes and the
 * copy's content. Must not block on anything but MapDB, and must not call the store.
 */
@FunctionalInterface
public interface CheckpointWriter {

    /**
     * One key's final state in the layer being checkpointed.
     *
     * @param key   the key as written
     * @param value its value, or {@code null} if it was removed
     */
    record Change(byte @NotNull [] key, byte @Nullable [] value) {
    }

    /**
     * Applies a layer's changes to the keyspace's MapDB map.
     *
     * @param changes the changes, sorted by key (unsigned bytes)
     * @param base    the keyspace's MapDB map, to read and write
     */
    void checkpoint(@NotNull List<Change> changes, @NotNull NavigableMap<byte[], byte[]> base);

    /**
     * Whether the keyspace's keys name a group in their first bytes, up to and including the first 0 byte, and are
     * written mostly in ascending order within their group (history: a conversation, then the time). The in-memory
     * layers then hold each group as a sorted array, so that such a write costs a hash lookup and an append instead of
     * a skip-list descent through every group's keys.
     */
    default boolean groupsByPrefix() {
        return false;
    }
}
