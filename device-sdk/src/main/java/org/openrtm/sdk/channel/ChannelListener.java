package org.openrtm.sdk.channel;

import org.jetbrains.annotations.NotNull;
import org.openrtm.sdk.RtmException;

/**
 * Receives what happens in the channels this client is in. Every method has an empty default: implement the ones you
 * need. Called on the client's callback executor, one call at a time, in the order the server sent them.
 *
 * <p>Member events and counts come only for channels joined with {@link JoinOptions#memberEvents()} and
 * {@link JoinOptions#countUpdates()} (both on by default). They are about other members: this client's own join and
 * leave are the completion of {@link Channels#join(String)} and {@link Channels#leave(String)}.
 */
public interface ChannelListener {

    /**
     * Another member sent a message to the channel. Each message is passed once, even if the server delivers it again
     * after a reconnect. The message is acknowledged to the server after this method returns.
     *
     * @param message the message; never null
     */
    default void onMessage(@NotNull ChannelMessage message) {
    }

    /**
     * A member joined, or (with {@link MemberEvent#isInitial()}) was already there when this client joined.
     *
     * @param event the event; never null
     */
    default void onMemberJoined(@NotNull MemberEvent event) {
    }

    /**
     * A member left (it unsubscribed, logged out, or was unreachable longer than the server's grace period).
     *
     * @param event the event; never null
     */
    default void onMemberLeft(@NotNull MemberEvent event) {
    }

    /**
     * The member count, first when this client joins ({@link ChannelCount#isInitial()}), then when it changes. The
     * server sends at most one update per second per channel, so quick changes arrive as one.
     *
     * @param count the count; never null
     */
    default void onCountChanged(@NotNull ChannelCount count) {
    }

    /**
     * The client is no longer in a channel it had joined, without {@link Channels#leave(String)}: after a reconnect
     * with a fresh session the server refused to take it back (for example because its join limit was lowered).
     *
     * @param channel the channel id
     * @param error   the server's refusal
     */
    default void onJoinLost(@NotNull String channel, @NotNull RtmException error) {
    }
}
