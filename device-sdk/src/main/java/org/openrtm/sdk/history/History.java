package org.openrtm.sdk.history;

import org.jetbrains.annotations.NotNull;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Message history: {@link org.openrtm.sdk.RtmClient#history()}. The server records accepted peer messages and channel
 * messages (unless sent with {@code history(false)}) for its retention time (7 days by default). A user reads its own
 * peer conversations and the channels it is a member of (a member who joined late reads what was said before; a
 * channel message sent to a whitelist or blacklist is shown to its audience only). Thread-safe; futures complete on
 * the client's callback executor.
 *
 * <p>Queries are read-only requests: sent again after a reconnect if needed. Errors: {@link org.openrtm.sdk.ForbiddenException}
 * (a channel this user is not in, another user's conversation, history turned off on the server),
 * {@link org.openrtm.sdk.InvalidRequestException} (a cursor the server did not give), and those of any request.
 */
public interface History {

    /**
     * Fetches the page a query names (the first page, or the one at its cursor).
     *
     * @param query what to read
     * @return the page; fails like any request
     */
    @NotNull CompletableFuture<HistoryPage> query(@NotNull HistoryQuery query);

    /**
     * Fetches every page of a query, up to a number of messages.
     *
     * @param query       what to read (from its first page, or its cursor)
     * @param maxMessages stop after this many messages
     * @return the messages in the query's order (unmodifiable); fails if any page fails
     * @throws IllegalArgumentException if maxMessages is not positive
     */
    @NotNull CompletableFuture<List<HistoryMessage>> all(@NotNull HistoryQuery query, int maxMessages);

    /**
     * Iterates over every message of a query, fetching a page whenever the one before is used up. The iterator blocks
     * the thread that calls {@code hasNext()} while it waits for a page: use it on your own thread, never on the
     * client's callback executor (the page it waits for would complete behind it). {@code hasNext()} and
     * {@code next()} throw the request's {@link org.openrtm.sdk.RtmException} if a page fails, and an
     * {@link org.openrtm.sdk.RtmTimeoutException} if a page takes longer than {@code pageTimeout}.
     *
     * @param query       what to read
     * @param pageTimeout how long to wait for one page
     * @return a single-use iterator; not thread-safe
     * @throws IllegalArgumentException if the timeout is not positive
     */
    @NotNull Iterator<HistoryMessage> iterate(@NotNull HistoryQuery query, @NotNull Duration pageTimeout);
}
