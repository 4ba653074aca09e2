package org.openrtm.sdk.broadcast;

import org.jetbrains.annotations.NotNull;

import java.util.Objects;

/** The outcome of a broadcast the server accepted. Immutable. */
public final class BroadcastResult {

    private final String messageId;
    private final String clientMessageId;
    private final int recipients;

    /**
     * @param messageId       the server's id ({@code rtm-id})
     * @param clientMessageId the client's id ({@code rtm-cid})
     * @param recipients      how many users listen to broadcasts, the sender not counted; -1 if the server did not say
     */
    public BroadcastResult(final @NotNull String messageId, final @NotNull String clientMessageId, final int recipients) {
        this.messageId = Objects.requireNonNull(messageId, "messageId");
        this.clientMessageId = Objects.requireNonNull(clientMessageId, "clientMessageId");
        this.recipients = recipients;
    }

    /** The server's id of the message ({@code rtm-id}). */
    public @NotNull String messageId() {
        return messageId;
    }

    /** The id this client gave the message ({@code rtm-cid}). */
    public @NotNull String clientMessageId() {
        return clientMessageId;
    }

    /** How many users listen to broadcasts, the sender not counted; -1 if the server did not say. */
    public int recipients() {
        return recipients;
    }

    @Override
    public String toString() {
        return "BroadcastResult{rtm-id " + messageId + ", recipients " + recipients + '}';
    }
}
