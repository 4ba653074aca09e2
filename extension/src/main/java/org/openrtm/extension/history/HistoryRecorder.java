package org.openrtm.extension.history;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Where the messaging services record accepted messages. Implementations are thread-safe and never block: a record
 * is journaled asynchronously (group-committed with other records) and the returned future completes once it is
 * durable.
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
        public void retractPeer(final @NotNull String from, final @NotNull String to, final @NotNull String rtmId,
                                final long ts) {
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

    /** Removes a peer message recorded with {@link #recordPeer} whose send failed afterwards. */
    void retractPeer(@NotNull String from, @NotNull String to, @NotNull String rtmId, long ts);

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
