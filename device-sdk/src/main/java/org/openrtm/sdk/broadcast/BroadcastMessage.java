package org.openrtm.sdk.broadcast;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** A broadcast this client received. Immutable: {@link #payload()} returns a copy. */
public final class BroadcastMessage {

    private final String from;
    private final String messageId;
    private final long serverTimeMillis;
    private final byte[] payload;
    private final boolean text;
    private final String contentType;
    private final Map<String, String> properties;

    /**
     * @param from             the sending service's uid
     * @param messageId        the server's id ({@code rtm-id})
     * @param serverTimeMillis when the server received it, ms since the epoch; 0 if unknown
     * @param payload          the payload (copied)
     * @param text             whether the sender marked the payload as UTF-8 text
     * @param contentType      the sender's content type, or null
     * @param properties       the sender's own user properties
     */
    public BroadcastMessage(final @NotNull String from, final @NotNull String messageId, final long serverTimeMillis,
                            final byte @NotNull [] payload, final boolean text, final @Nullable String contentType,
                            final @NotNull Map<String, String> properties) {
        this.from = Objects.requireNonNull(from, "from");
        this.messageId = Objects.requireNonNull(messageId, "messageId");
        this.serverTimeMillis = serverTimeMillis;
        this.payload = payload.clone();
        this.text = text;
        this.contentType = contentType;
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /** The sending service's uid. */
    public @NotNull String from() {
        return from;
    }

    /** The server's id of the message ({@code rtm-id}). */
    public @NotNull String messageId() {
        return messageId;
    }

    /** When the server received it; the epoch if the server did not say. */
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

    /** The sender's own user properties (unmodifiable). */
    public @NotNull Map<String, String> properties() {
        return properties;
    }

    @Override
    public String toString() {
        return "BroadcastMessage{" + messageId + " from " + from + ", " + payload.length + " bytes}";
    }
}
