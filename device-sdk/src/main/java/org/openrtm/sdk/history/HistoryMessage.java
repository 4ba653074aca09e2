package org.openrtm.sdk.history;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * One recorded message: a peer message ({@link #to()} set) or a channel message ({@link #channel()} set). Immutable
 * and thread-safe.
 */
public final class HistoryMessage {

    private final String messageId;
    private final String from;
    private final String to;
    private final String channel;
    private final Instant serverTime;
    private final byte[] payload;
    private final boolean text;

    /**
     * @param messageId  the server's message id ({@code rtm-id})
     * @param from       the sender
     * @param to         the recipient of a peer message, or null
     * @param channel    the channel of a channel message, or null
     * @param serverTime when the server received it
     * @param payload    the payload (copied)
     * @param text       whether the payload is UTF-8 text
     */
    public HistoryMessage(final @NotNull String messageId, final @NotNull String from, final @Nullable String to,
                          final @Nullable String channel, final @NotNull Instant serverTime, final byte @NotNull [] payload,
                          final boolean text) {
        this.messageId = Objects.requireNonNull(messageId, "messageId");
        this.from = Objects.requireNonNull(from, "from");
        this.to = to;
        this.channel = channel;
        this.serverTime = Objects.requireNonNull(serverTime, "serverTime");
        this.payload = Objects.requireNonNull(payload, "payload").clone();
        this.text = text;
    }

    /** The server's message id ({@code rtm-id}; the same as {@code SendResult.messageId()} and the live message's). */
    public @NotNull String messageId() {
        return messageId;
    }

    /** The sender. */
    public @NotNull String from() {
        return from;
    }

    /** The recipient of a peer message; null for a channel message. */
    public @Nullable String to() {
        return to;
    }

    /** The channel of a channel message; null for a peer message. */
    public @Nullable String channel() {
        return channel;
    }

    /** When the server received the message. */
    public @NotNull Instant serverTime() {
        return serverTime;
    }

    /** The payload (a copy). */
    public byte @NotNull [] payload() {
        return payload.clone();
    }

    /** Whether the payload is UTF-8 text (the server says so: it stores the text, or base64 for other bytes). */
    public boolean isText() {
        return text;
    }

    /** The payload as UTF-8 text (invalid bytes become U+FFFD for a binary payload). */
    public @NotNull String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "HistoryMessage{" + messageId + " from " + from + (to != null ? " to " + to : " in " + channel) + " at "
                + serverTime + ", " + payload.length + " bytes}";
    }
}
