package org.openrtm.sdk.channel;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Channels: {@link org.openrtm.sdk.RtmClient#channels()}. Thread-safe: call from any thread; futures complete and
 * listeners run on the client's callback executor.
 *
 * <p><b>Membership.</b> Joining is a subscription to the channel's messages (with No Local, so this client does not
 * get its own messages back), plus, by default, to its member list and count. The client keeps its channels across
 * reconnects: when the server still has the session they are still there; otherwise the client joins them again
 * before it reports {@code CONNECTED}. The server keeps a member that lost its connection in its channels for its
 * presence grace period (30 s by default), so a prompt reconnect causes no leave/join for the other members.
 * {@code logout()} leaves every channel.
 *
 * <p><b>Sending.</b> Channel messages go through the outbox like peer messages: they wait while the client
 * reconnects, and one whose connection dropped before the server's answer is sent again with the same client
 * message id. Only members may send; the server refuses anyone else with
 * {@link org.openrtm.sdk.ForbiddenException}. Channel messages are not kept for members that are offline.
 */
public interface Channels {

    /** Most channels in one {@link #count(Collection)}. */
    int MAX_COUNT_QUERY = 32;
    /** Most members on one page of {@link #members(String, int, String)}. */
    int MAX_PAGE = 100;

    /**
     * Joins a channel with the default options (member events and count updates on).
     *
     * @param channel the channel id
     * @return see {@link #join(String, JoinOptions)}
     * @throws IllegalArgumentException if the channel id is invalid
     */
    @NotNull CompletableFuture<Void> join(@NotNull String channel);

    /**
     * Joins a channel. Joining a channel already joined changes nothing (but may turn on member events or counts).
     *
     * @param channel the channel id: 1 to 64 characters of {@code A-Z a-z 0-9 _ - . @ : ~}
     * @param options what to follow besides messages
     * @return completes when the server confirmed the join; fails with
     *         {@link org.openrtm.sdk.LimitExceededException} ({@code CHANNELS_JOINED}) when the client is in as many
     *         channels as the server allows (50 by default), {@link org.openrtm.sdk.ForbiddenException},
     *         {@link org.openrtm.sdk.RtmTimeoutException} after the request timeout (then the client is not in the
     *         channel, also if the server answers later), {@link org.openrtm.sdk.NotLoggedInException}
     * @throws IllegalArgumentException if the channel id is invalid
     */
    @NotNull CompletableFuture<Void> join(@NotNull String channel, @NotNull JoinOptions options);

    /**
     * Leaves a channel: no message or event about it comes any more, from the moment of the call. Leaving a channel
     * not joined only waits for the server's confirmation.
     *
     * @param channel the channel id
     * @return completes when the server confirmed; fails with {@link org.openrtm.sdk.RtmTimeoutException} if it did
     *         not in time (the client still leaves as soon as it is connected), {@link org.openrtm.sdk.NotLoggedInException}
     * @throws IllegalArgumentException if the channel id is invalid
     */
    @NotNull CompletableFuture<Void> leave(@NotNull String channel);

    /**
     * The channels this client is in, or is joining (an unmodifiable snapshot). A {@link #join(String)} or
     * {@link #leave(String)} shows here as soon as the client has taken it, a moment after the call returns.
     */
    @NotNull Set<String> joined();

    /**
     * Sends a text message (UTF-8, marked as text) to every other member.
     *
     * @param channel the channel id
     * @param text    the message
     * @return see {@link #send(String, byte[], ChannelSendOptions)}
     * @throws IllegalArgumentException if the channel id is invalid
     */
    @NotNull CompletableFuture<ChannelSendResult> send(@NotNull String channel, @NotNull String text);

    /**
     * Sends a text message (UTF-8, marked as text).
     *
     * @param channel the channel id
     * @param text    the message
     * @param options a whitelist or blacklist, timeout, properties
     * @return see {@link #send(String, byte[], ChannelSendOptions)}
     * @throws IllegalArgumentException if the channel id is invalid
     */
    @NotNull CompletableFuture<ChannelSendResult> send(@NotNull String channel, @NotNull String text,
                                                       @NotNull ChannelSendOptions options);

    /**
     * Sends a binary message.
     *
     * @param channel the channel id
     * @param payload the message (copied)
     * @param options a whitelist or blacklist, timeout, properties
     * @return the server's answer, with the number of recipients; fails with
     *         {@link org.openrtm.sdk.ForbiddenException} if this client is not a member,
     *         {@link org.openrtm.sdk.PayloadTooLargeException}, {@link org.openrtm.sdk.RateLimitedException} (only when the
     *         timeout ends while a send refused as rate_limited waits to be sent again: the SDK paces itself),
     *         {@link org.openrtm.sdk.InvalidRequestException}, {@link org.openrtm.sdk.RtmTimeoutException},
     *         {@link org.openrtm.sdk.OutboxFullException}, {@link org.openrtm.sdk.NotLoggedInException}
     * @throws IllegalArgumentException if the channel id is invalid
     */
    @NotNull CompletableFuture<ChannelSendResult> send(@NotNull String channel, byte @NotNull [] payload,
                                                       @NotNull ChannelSendOptions options);

    /**
     * The first page (up to {@value #MAX_PAGE}) of a channel's members ({@code channel.members}). Anyone may ask, not
     * only members.
     *
     * @param channel the channel id
     * @return the page; fails like any request
     * @throws IllegalArgumentException if the channel id is invalid
     */
    @NotNull CompletableFuture<MemberPage> members(@NotNull String channel);

    /**
     * One page of a channel's members.
     *
     * @param channel the channel id
     * @param limit   1 to {@value #MAX_PAGE} members per page
     * @param cursor  null for the first page, else {@link MemberPage#cursor()} of the previous page
     * @return the page; fails like any request ({@link org.openrtm.sdk.InvalidRequestException} for a cursor the
     *         server did not give)
     * @throws IllegalArgumentException if the channel id or the limit is invalid
     */
    @NotNull CompletableFuture<MemberPage> members(@NotNull String channel, int limit, @Nullable String cursor);

    /**
     * Every member of a channel, fetched page by page.
     *
     * @param channel the channel id
     * @return the members in uid order (unmodifiable); fails like any request
     * @throws IllegalArgumentException if the channel id is invalid
     */
    @NotNull CompletableFuture<List<String>> allMembers(@NotNull String channel);

    /**
     * The member count of one channel ({@code channel.count}).
     *
     * @param channel the channel id
     * @return the number of members (0 for a channel nobody is in); fails like any request
     * @throws IllegalArgumentException if the channel id is invalid
     */
    @NotNull CompletableFuture<Integer> count(@NotNull String channel);

    /**
     * The member counts of several channels ({@code channel.count}).
     *
     * @param channels 1 to {@value #MAX_COUNT_QUERY} channel ids
     * @return each channel's count (unmodifiable); fails like any request
     * @throws IllegalArgumentException if the list is empty, too long or holds an invalid id
     */
    @NotNull CompletableFuture<Map<String, Integer>> count(@NotNull Collection<String> channels);

    /**
     * The channels this user is in, as the server knows it ({@code channel.joined}).
     *
     * @return the channel ids, sorted (unmodifiable); fails like any request
     */
    @NotNull CompletableFuture<List<String>> joinedOnServer();

    /**
     * The channels another user is in ({@code channel.joined}; membership is public).
     *
     * @param uid the user
     * @return the channel ids, sorted (unmodifiable); fails like any request
     * @throws IllegalArgumentException if the uid is invalid
     */
    @NotNull CompletableFuture<List<String>> joinedOnServer(@NotNull String uid);

    /**
     * Adds a listener. Listeners added before {@link #join(String)} see the initial member list and count.
     *
     * @param listener the listener
     */
    void addListener(@NotNull ChannelListener listener);

    /**
     * Removes a listener; does nothing if it is not there.
     *
     * @param listener the listener
     */
    void removeListener(@NotNull ChannelListener listener);
}
