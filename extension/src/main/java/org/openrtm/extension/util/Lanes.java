package org.openrtm.extension.util;

import org.jetbrains.annotations.NotNull;

import java.util.concurrent.Executor;

/**
 * A fixed set of {@link SerialExecutor}s; a key (a uid, a channel id) always maps to the same one. Everything about
 * one key then runs in order without a lane object per key (a fleet of 100,000 users needs no 100,000 queues).
 * Thread-safe.
 */
public final class Lanes {

    private final SerialExecutor[] lanes;

    public Lanes(final @NotNull Executor executor, final int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, but was " + count);
        }
        lanes = new SerialExecutor[count];
        for (int i = 0; i < count; i++) {
            lanes[i] = new SerialExecutor(executor);
        }
    }

    /** The lane of a key. */
    public @NotNull SerialExecutor of(final @NotNull String key) {
        return lanes[Math.floorMod(key.hashCode(), lanes.length)];
    }
}
