package org.openrtm.sdk.channel;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A message another member sent to a channel this client is in. Immutable: {@link #payload()} returns a copy.
 */
public final class ChannelMessage {

    private final String channel;
    private final String from;
    private final String messageId;
    private final long serverTimeMillis;
    private final byte[] payload;
    private final boolean text;
    private final String contentType;
    private final Map<String, String> properties;

    /**
     * @param channel          the channel id
     * @param from             the sender's uid
     * @param messageId        the server's id ({@code rtm-id})
     * @param serverTimeMillis when the server received it, ms since the epoch ({@code rtm-ts}); 0 if unknown
     * @param payload          the payload (copied)
     * @param text             whether the sender marked the payload as UTF-8 text
     * @param contentType      the sender's content type, or null
     * @param properties       the sender's own user properties (not the protocol's {@code rtm-*} ones)
     */
    public ChannelMessage(final @NotNull String channel, final @NotNull String from, final @NotNull String messageId,
                          final long serverTimeMillis, final byte @NotNull [] payload, final boolean text,
                          final @Nullable String contentType, final @NotNull Map<String, String> properties) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.from = Objects.requireNonNull(from, "from");
        this.messageId = Objects.requireNonNull(messageId, "messageId");
        this.serverTimeMillis = serverTimeMillis;
        this.payload = payload.clone();
        this.text = text;
        this.contentType = contentType;
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /** The channel id. */
    public @NotNull String channel() {
        return channel;
    }

    /** The sender's uid (from the topic, so it cannot be spoofed). */
    public @NotNull String from() {
        return from;
    }

    /** The server's id of the message ({@code rtm-id}); unique and time-ordered. */
    public @NotNull String messageId() {
        return messageId;
    }

    /** When the server received the message ({@code rtm-ts}); the epoch if the server did not say. */
    public @NotNull Instant serverTime() {
        return Instant.ofEpochMilli(serverTimeMillis);
    }

    /** A copy of the payload. */
    public byte @NotNull [] payload() {
        return payload.clone();
    }

    /** The payload decoded as UTF-8. */
    public @NotNull String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** Whether the sender marked the payload as UTF-8 text. */
    public boolean isText() {
        return text;
    }

    /** The sender's MQTT content type, or null. */
    public @Nullable String contentType() {
        return contentType;
    }

    /** The sender's own user properties, in order (unmodifiable). */
    public @NotNull Map<String, String> properties() {
        return properties;
    }

    @Override
    public String toString() {
        return "ChannelMessage{" + messageId + " in " + channel + " from " + from + ", " + payload.length + " bytes}";
    }
}
