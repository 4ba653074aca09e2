package org.openrtm.extension.store;

import org.jetbrains.annotations.NotNull;

import java.time.Duration;

/**
 * How a {@link Store} trades durability for latency.
 *
 * @param sync               when the journal is forced to disk
 * @param syncInterval       with {@link Sync#INTERVAL}: how often
 * @param checkpointInterval how often journaled changes are written into MapDB
 * @param checkpointEntries  checkpoint early once this many changes wait in memory
 */
public record StoreOptions(
        @NotNull Sync sync,
        @NotNull Duration syncInterval,
        @NotNull Duration checkpointInterval,
        int checkpointEntries) {

    /** When the journal is forced to disk. */
    public enum Sync {
        /** Before a write completes (group commit): survives power loss. */
        ALWAYS,
        /** Periodically: survives a process crash; a power cut loses at most the interval. */
        INTERVAL,
        /** Never explicitly: survives a process crash; a power cut loses what the OS had not written. */
        NEVER;

        /** Parses {@code always}, {@code interval} or {@code never}. */
        public static @NotNull Sync of(final @NotNull String word) {
            return valueOf(word.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** The defaults: sync every 200 ms, checkpoint every 5 s or 100,000 changes. */
    public static @NotNull StoreOptions defaults() {
        return new StoreOptions(Sync.INTERVAL, Duration.ofMillis(200), Duration.ofSeconds(5), 100_000);
    }
}
