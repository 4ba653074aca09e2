package org.openrtm.extension.store;

import org.jetbrains.annotations.NotNull;

/**
 * A named, ordered map of byte-array keys to byte-array values inside a {@link Store}. Keys sort as unsigned bytes.
 * Obtain one from {@link Store#keyspace(String)}. Immutable and thread-safe.
 */
public final class Keyspace {

    private final String name;
    private final int index;

    Keyspace(final @NotNull String name, final int index) {
        this.name = name;
        this.index = index;
    }

    public @NotNull String name() {
        return name;
    }

    int index() {
        return index;
    }

    @Override
    public String toString() {
        return name;
    }
}
