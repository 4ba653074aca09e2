package org.openrtm.sdk.history;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Limits;

import java.time.Instant;
import java.util.Objects;

/**
 * What to read from history: one conversation (with a peer, or of a channel), an optional time range, the order and
 * the page size. Immutable; start with {@link #peer(String)} or {@link #channel(String)}.
 *
 * <pre>{@code
 * HistoryQuery q = HistoryQuery.channel("class-7b")
 *         .between(lessonStart, Instant.now())
 *         .order(HistoryOrder.OLDEST_FIRST)
 *         .pageSize(50)
 *         .build();
 * }</pre>
 */
public final class HistoryQuery {

    /** Most messages on one page. */
    public static final int MAX_PAGE_SIZE = Limits.MAX_HISTORY_PAGE;

    private final String peer;
    private final String channel;
    private final String asUser;
    private final Instant start;
    private final Instant end;
    private final HistoryOrder order;
    private final int pageSize;
    private final String cursor;

    private HistoryQuery(final Builder b, final @Nullable String cursor) {
        this.peer = b.peer;
        this.channel = b.channel;
        this.asUser = b.asUser;
        this.start = b.start;
        this.end = b.end;
        this.order = b.order;
        this.pageSize = b.pageSize;
        this.cursor = cursor;
    }

    private HistoryQuery(final HistoryQuery q, final @Nullable String cursor) {
        this.peer = q.peer;
        this.channel = q.channel;
        this.asUser = q.asUser;
        this.start = q.start;
        this.end = q.end;
        this.order = q.order;
        this.pageSize = q.pageSize;
        this.cursor = cursor;
    }

    /**
     * The conversation with a peer (the messages both ways).
     *
     * @param uid the other side
     * @return a builder
     * @throws IllegalArgumentException if the uid is invalid
     */
    public static @NotNull Builder peer(final @NotNull String uid) {
        final String error = Ids.uidError(Objects.requireNonNull(uid, "uid"));
        if (error != null) {
            throw new IllegalArgumentException("peer: " + error);
        }
        final Builder b = new Builder();
        b.peer = uid;
        return b;
    }

    /**
     * The messages of a channel (this user must be a member, unless it has role service or admin).
     *
     * @param cid the channel id
     * @return a builder
     * @throws IllegalArgumentException if the channel id is invalid
     */
    public static @NotNull Builder channel(final @NotNull String cid) {
        final String error = Ids.cidError(Objects.requireNonNull(cid, "cid"));
        if (error != null) {
            throw new IllegalArgumentException("channel: " + error);
        }
        final Builder b = new Builder();
        b.channel = cid;
        return b;
    }

    /** The peer of a peer conversation, or null. */
    public @Nullable String peer() {
        return peer;
    }

    /** The channel, or null. */
    public @Nullable String channel() {
        return channel;
    }

    /** For services: whose conversation with {@link #peer()} is read (null: this user's). */
    public @Nullable String asUser() {
        return asUser;
    }

    /** The earliest server time included, or null for no bound. */
    public @Nullable Instant start() {
        return start;
    }

    /** The server time before which messages end (exclusive), or null for no bound. */
    public @Nullable Instant end() {
        return end;
    }

    /** The order. */
    public @NotNull HistoryOrder order() {
        return order;
    }

    /** Most messages per page. */
    public int pageSize() {
        return pageSize;
    }

    /** Where the page starts: null for the first page, else the cursor of the page before. */
    public @Nullable String cursor() {
        return cursor;
    }

    /**
     * This query continuing at a cursor (as {@link HistoryPage#cursor()} gave it; cursors stay valid across restarts).
     *
     * @param cursor the cursor, or null for the first page
     * @return the query for that page
     */
    public @NotNull HistoryQuery at(final @Nullable String cursor) {
        return new HistoryQuery(this, cursor);
    }

    @Override
    public String toString() {
        return "HistoryQuery{" + (peer != null ? "peer " + peer + (asUser != null ? " of " + asUser : "")
                : "channel " + channel) + (start != null ? ", from " + start : "") + (end != null ? ", until " + end : "")
                + ", " + order + ", " + pageSize + " per page" + (cursor != null ? ", at a cursor" : "") + '}';
    }

    /** Builds a {@link HistoryQuery}. Not thread-safe. Every setter validates its argument at once. */
    public static final class Builder {
        private String peer;
        private String channel;
        private String asUser;
        private Instant start;
        private Instant end;
        private HistoryOrder order = HistoryOrder.NEWEST_FIRST;
        private int pageSize = MAX_PAGE_SIZE;

        private Builder() {
        }

        /**
         * Only messages the server received at or after this time.
         *
         * @param start the earliest time, or null for no bound
         * @return this
         */
        public @NotNull Builder start(final @Nullable Instant start) {
            this.start = start;
            return this;
        }

        /**
         * Only messages the server received before this time.
         *
         * @param end the end (exclusive), or null for no bound
         * @return this
         */
        public @NotNull Builder end(final @Nullable Instant end) {
            this.end = end;
            return this;
        }

        /**
         * Only messages received in {@code [start, end)}.
         *
         * @param start inclusive
         * @param end   exclusive
         * @return this
         * @throws IllegalArgumentException if end is before start
         */
        public @NotNull Builder between(final @NotNull Instant start, final @NotNull Instant end) {
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(end, "end");
            if (end.isBefore(start)) {
                throw new IllegalArgumentException("end must not be before start, but was " + end + " < " + start);
            }
            this.start = start;
            this.end = end;
            return this;
        }

        /**
         * The order (default {@link HistoryOrder#NEWEST_FIRST}).
         *
         * @return this
         */
        public @NotNull Builder order(final @NotNull HistoryOrder order) {
            this.order = Objects.requireNonNull(order, "order");
            return this;
        }

        /**
         * Most messages per page (default and maximum {@value HistoryQuery#MAX_PAGE_SIZE}).
         *
         * @return this
         * @throws IllegalArgumentException if not between 1 and {@value HistoryQuery#MAX_PAGE_SIZE}
         */
        public @NotNull Builder pageSize(final int pageSize) {
            if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
                throw new IllegalArgumentException("pageSize must be between 1 and " + MAX_PAGE_SIZE + ", but was "
                        + pageSize);
            }
            this.pageSize = pageSize;
            return this;
        }

        /**
         * For roles service and admin: read the conversation of {@code uid} with the peer (not this user's).
         *
         * @param uid whose conversation
         * @return this
         * @throws IllegalArgumentException if the uid is invalid, or this is a channel query
         */
        public @NotNull Builder asUser(final @NotNull String uid) {
            if (channel != null) {
                throw new IllegalArgumentException("asUser applies to peer conversations, not to channel " + channel);
            }
            final String error = Ids.uidError(Objects.requireNonNull(uid, "uid"));
            if (error != null) {
                throw new IllegalArgumentException("asUser: " + error);
            }
            this.asUser = uid;
            return this;
        }

        /**
         * The query, for its first page.
         *
         * @throws IllegalArgumentException if the end is before the start
         */
        public @NotNull HistoryQuery build() {
            if (start != null && end != null && end.isBefore(start)) {
                throw new IllegalArgumentException("end must not be before start, but was " + end + " < " + start);
            }
            return new HistoryQuery(this, null);
        }
    }
}
