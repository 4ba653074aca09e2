package org.openrtm.sdk.channel;

import org.jetbrains.annotations.NotNull;

import java.util.Objects;

/** The outcome of a channel message the server accepted. Immutable. */
public final class ChannelSendResult {

    private final String channel;
    private final String messageId;
    private final String clientMessageId;
    private final int recipients;

    /**
     * @param channel         the channel id
     * @param messageId       the server's id for the message ({@code rtm-id})
     * @param clientMessageId the client's id for the message ({@code rtm-cid})
     * @param recipients      how many members the message was addressed to ({@code rtm-recipients}); -1 if the
     *                        server did not say
     */
    public ChannelSendResult(final @NotNull String channel, final @NotNull String messageId,
                             final @NotNull String clientMessageId, final int recipients) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.messageId = Objects.requireNonNull(messageId, "messageId");
        this.clientMessageId = Objects.requireNonNull(clientMessageId, "clientMessageId");
        this.recipients = recipients;
    }

    /** The channel id. */
    public @NotNull String channel() {
        return channel;
    }

    /** The server's id of the message ({@code rtm-id}), as the members see it. */
    public @NotNull String messageId() {
        return messageId;
    }

    /** The id this client gave the message ({@code rtm-cid}). */
    public @NotNull String clientMessageId() {
        return clientMessageId;
    }

    /**
     * How many members the message went to ({@code rtm-recipients}), the sender not counted: every other member
     * without a list; with {@code only}/{@code except}, the members it was actually handed to. -1 if the server did
     * not say.
     */
    public int recipients() {
        return recipients;
    }

    @Override
    public String toString() {
        return "ChannelSendResult{" + channel + ", rtm-id " + messageId + ", rtm-cid " + clientMessageId + ", recipients "
                + recipients + '}';
    }
}
