package org.openrtm.extension.history;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.store.WriteBatch;

import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Where the messaging services record accepted messages. Implementations are thread-safe and never block. The
 * message paths add a record to the batch that stores the message itself ({@link #addPeer}, {@link #addChannel}), so
 * that a crash never leaves a record without its message or the other way round; {@link #recordPeer} and
 * {@link #recordChannel} journal a record on its own (group-committed with other writes) and complete once durable.
 */
public interface HistoryRecorder {

    /** Records nothing. */
    HistoryRecorder NONE = new HistoryRecorder() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public @NotNull CompletableFuture<Void> recordPeer(final @NotNull String from, final @NotNull String to,
                                                           final @NotNull String rtmId, final long ts,
                                                           final byte @NotNull [] payload) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public boolean addPeer(final @NotNull WriteBatch batch, final @NotNull String from, final @NotNull String to,
                               final @NotNull String rtmId, final long ts, final byte @NotNull [] payload) {
            return false;
        }

        @Override
        public boolean addChannel(final @NotNull WriteBatch batch, final @NotNull String cid, final @NotNull String from,
                                  final @NotNull String rtmId, final long ts, final byte @NotNull [] payload,
                                  final @Nullable Set<String> only, final @Nullable Set<String> except) {
            return false;
        }

        @Override
        public @NotNull CompletableFuture<Void> recordChannel(final @NotNull String cid, final @NotNull String from,
                                                              final @NotNull String rtmId, final long ts,
                                                              final byte @NotNull [] payload,
                                                              final @Nullable Set<String> only,
                                                              final @Nullable Set<String> except) {
            return CompletableFuture.completedFuture(null);
        }
    };

    /** Whether messages are recorded at all. */
    boolean enabled();

    /**
     * Records a peer message.
     *
     * @param ts its {@code rtm-ts}
     * @return completes once durable; fails with the store's error
     */
    @NotNull CompletableFuture<Void> recordPeer(@NotNull String from, @NotNull String to, @NotNull String rtmId, long ts,
                                                byte @NotNull [] payload);

    /**
     * Adds a peer message's record to {@code batch}, so that it is journaled atomically with the batch's other changes
     * (the message's mailbox entry and its de-duplication record): after a crash either all of them are there or
     * none. The batch must be written to the store this recorder records into (the main store).
     *
     * @return whether anything was added (false when history is off)
     */
    boolean addPeer(@NotNull WriteBatch batch, @NotNull String from, @NotNull String to, @NotNull String rtmId, long ts,
                    byte @NotNull [] payload);

    /**
     * Adds a channel message's record, with its audience, to {@code batch} (see {@link #addPeer}).
     *
     * @return whether anything was added (false when history is off)
     */
    boolean addChannel(@NotNull WriteBatch batch, @NotNull String cid, @NotNull String from, @NotNull String rtmId,
                       long ts, byte @NotNull [] payload, @Nullable Set<String> only, @Nullable Set<String> except);

    /**
     * Records a channel message with its audience.
     *
     * @param only   the whitelist it was sent with, or {@code null}
     * @param except the blacklist it was sent with, or {@code null}
     * @return completes once durable; fails with the store's error
     */
    @NotNull CompletableFuture<Void> recordChannel(@NotNull String cid, @NotNull String from, @NotNull String rtmId, long ts,
                                                   byte @NotNull [] payload, @Nullable Set<String> only,
                                                   @Nullable Set<String> except);
}
