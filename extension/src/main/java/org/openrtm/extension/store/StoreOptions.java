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
 * @param checkpointCpu      the share of one core, in percent, a checkpoint may take while writing into MapDB (100:
 *                           as fast as it can); the final checkpoint at close is never held back
 */
public record StoreOptions(
        @NotNull Sync sync,
        @NotNull Duration syncInterval,
        @NotNull Duration checkpointInterval,
        int checkpointEntries,
        int checkpointCpu) {

    public StoreOptions {
        if (checkpointCpu < 1 || checkpointCpu > 100) {
            throw new IllegalArgumentException("checkpointCpu must be 1 to 100 %, was " + checkpointCpu);
        }
    }

    /** Options whose checkpoints run as fast as they can. */
    public StoreOptions(final @NotNull Sync sync, final @NotNull Duration syncInterval,
                        final @NotNull Duration checkpointInterval, final int checkpointEntries) {
        this(sync, syncInterval, checkpointInterval, checkpointEntries, 100);
    }

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

    /** The defaults: sync every 200 ms, checkpoint every 5 s or 100,000 changes, at most half a core. */
    public static @NotNull StoreOptions defaults() {
        return new StoreOptions(Sync.INTERVAL, Duration.ofMillis(200), Duration.ofSeconds(5), 100_000, 50);
    }
}
