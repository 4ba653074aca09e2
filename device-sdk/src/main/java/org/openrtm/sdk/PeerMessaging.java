package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;

import java.util.concurrent.CompletableFuture;

/**
 * Peer (1:1) messages: {@link RtmClient#peer()}. Thread-safe: call from any thread.
 *
 * <p>Every send gets a client message id ({@code rtm-cid}) and goes through the client's outbox: while the client is
 * connecting or reconnecting it waits there, and a send whose connection dropped before the server answered is sent
 * again with the same id, which the server recognises, so the peer gets each message exactly once and in send
 * order. The client paces its publishes under the server's rate limit (which the server states at login), and a send
 * the server refuses as {@code rate_limited} anyway waits and is sent again, with the same id, until its timeout. The
 * future completes (on the callback executor) with the server's answer, or fails with:
 * <ul>
 *   <li>{@link PayloadTooLargeException}, {@link ForbiddenException}, {@link InvalidRequestException},
 *       {@link ServerErrorException}: the server refused it (nothing delivered);</li>
 *   <li>{@link RateLimitedException}: the timeout ended while the send waited to be sent again after a
 *       {@code rate_limited} refusal (nothing delivered);</li>
 *   <li>{@link RtmTimeoutException}: no answer within the timeout (default 10 s, from the call);</li>
 *   <li>{@link OutboxFullException}: too many sends pending; {@link NotLoggedInException}: not logged in, or the
 *       client logged out or was aborted while the send was pending.</li>
 * </ul>
 * Cancelling the future before the message was sent removes it from the outbox.
 */
public interface PeerMessaging {

    /**
     * Sends a text message (UTF-8, marked as text) with the default options.
     *
     * @param to   the recipient's uid
     * @param text the message
     * @return the server's answer
     * @throws IllegalArgumentException if {@code to} is not a valid uid
     */
    @NotNull CompletableFuture<SendResult> send(@NotNull String to, @NotNull String text);

    /**
     * Sends a text message (UTF-8, marked as text).
     *
     * @param to      the recipient's uid
     * @param text    the message
     * @param options the options
     * @return the server's answer
     * @throws IllegalArgumentException if {@code to} is not a valid uid
     */
    @NotNull CompletableFuture<SendResult> send(@NotNull String to, @NotNull String text, @NotNull SendOptions options);

    /**
     * Sends a binary message with the default options.
     *
     * @param to      the recipient's uid
     * @param payload the message (copied)
     * @return the server's answer
     * @throws IllegalArgumentException if {@code to} is not a valid uid
     */
    @NotNull CompletableFuture<SendResult> send(@NotNull String to, byte @NotNull [] payload);

    /**
     * Sends a binary message.
     *
     * @param to      the recipient's uid
     * @param payload the message (copied)
     * @param options the options
     * @return the server's answer
     * @throws IllegalArgumentException if {@code to} is not a valid uid
     */
    @NotNull CompletableFuture<SendResult> send(@NotNull String to, byte @NotNull [] payload, @NotNull SendOptions options);

    /**
     * Adds a listener for incoming messages and receipts. Listeners added before {@code login()} see everything,
     * including messages that waited in the offline cache.
     *
     * @param listener the listener
     */
    void addListener(@NotNull PeerListener listener);

    /**
     * Removes a listener added with {@link #addListener(PeerListener)}; does nothing if it is not there.
     *
     * @param listener the listener
     */
    void removeListener(@NotNull PeerListener listener);
}
