package org.openrtm.sdk.history;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One page of a history query, in the query's order. {@link #next()} fetches the following page. A page may hold
 * fewer than {@link HistoryQuery#pageSize()} messages and still have more after it (the server skipped messages not
 * meant for this user); only {@link #hasMore()} says whether the query is done. Immutable and thread-safe.
 *
 * <pre>{@code
 * HistoryPage page = client.history().query(HistoryQuery.peer("bob").build()).join();
 * while (true) {
 *     page.messages().forEach(m -> show(m));
 *     if (!page.hasMore()) break;
 *     page = page.next().join();
 * }
 * }</pre>
 */
public final class HistoryPage {

    private final History source;
    private final HistoryQuery query;
    private final List<HistoryMessage> messages;
    private final String cursor;

    /**
     * @param source   where {@link #next()} fetches from
     * @param query    the query of this page
     * @param messages the messages (copied)
     * @param cursor   where the next page starts, or null if this is the last page
     */
    public HistoryPage(final @NotNull History source, final @NotNull HistoryQuery query,
                       final @NotNull List<HistoryMessage> messages, final @Nullable String cursor) {
        this.source = Objects.requireNonNull(source, "source");
        this.query = Objects.requireNonNull(query, "query");
        this.messages = List.copyOf(messages);
        this.cursor = cursor;
    }

    /** The query this page answers. */
    public @NotNull HistoryQuery query() {
        return query;
    }

    /** The messages, in the query's order (unmodifiable). */
    public @NotNull List<HistoryMessage> messages() {
        return messages;
    }

    /** Where the next page starts (keep it to continue later with {@link HistoryQuery#at(String)}); null if none. */
    public @Nullable String cursor() {
        return cursor;
    }

    /** Whether there is a next page. */
    public boolean hasMore() {
        return cursor != null;
    }

    /**
     * Fetches the next page.
     *
     * @return the next page; fails like any request
     * @throws IllegalStateException if this is the last page ({@link #hasMore()} is false)
     */
    public @NotNull CompletableFuture<HistoryPage> next() {
        if (cursor == null) {
            throw new IllegalStateException("this is the last page of " + query + ": hasMore() is false");
        }
        return source.query(query.at(cursor));
    }

    @Override
    public String toString() {
        return "HistoryPage{" + messages.size() + " messages" + (cursor != null ? ", more" : "") + '}';
    }
}
