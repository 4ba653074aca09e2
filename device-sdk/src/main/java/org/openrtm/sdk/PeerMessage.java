package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A peer (1:1) message this client received. Immutable: {@link #payload()} returns a copy.
 */
public final class PeerMessage {

    private final String from;
    private final String to;
    private final String messageId;
    private final long serverTimeMillis;
    private final boolean offline;
    private final byte[] payload;
    private final boolean text;
    private final String contentType;
    private final Map<String, String> properties;

    /**
     * @param from             the sender's uid
     * @param to               the recipient's uid (this client)
     * @param messageId        the server's id ({@code rtm-id})
     * @param serverTimeMillis when the server received it, ms since the epoch ({@code rtm-ts}); 0 if unknown
     * @param offline          whether it came from the offline cache ({@code rtm-offline: true})
     * @param payload          the payload (copied)
     * @param text             whether the sender marked the payload as UTF-8 text
     * @param contentType      the sender's content type, or null
     * @param properties       the sender's own user properties (not the protocol's {@code rtm-*} ones)
     */
    public PeerMessage(final @NotNull String from, final @NotNull String to, final @NotNull String messageId,
                       final long serverTimeMillis, final boolean offline, final byte @NotNull [] payload,
                       final boolean text, final @Nullable String contentType,
                       final @NotNull Map<String, String> properties) {
        this.from = Objects.requireNonNull(from, "from");
        this.to = Objects.requireNonNull(to, "to");
        this.messageId = Objects.requireNonNull(messageId, "messageId");
        this.serverTimeMillis = serverTimeMillis;
        this.offline = offline;
        this.payload = payload.clone();
        this.text = text;
        this.contentType = contentType;
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /** The sender's uid (from the topic, so it cannot be spoofed). */
    public @NotNull String from() {
        return from;
    }

    /** The recipient: this client's uid. */
    public @NotNull String to() {
        return to;
    }

    /** The server's id of the message ({@code rtm-id}); unique and time-ordered. */
    public @NotNull String messageId() {
        return messageId;
    }

    /** When the server received the message ({@code rtm-ts}); the epoch if the server did not say. */
    public @NotNull Instant serverTime() {
        return Instant.ofEpochMilli(serverTimeMillis);
    }

    /** Whether the message waited in the offline cache (this client was offline when it was sent). */
    public boolean isOffline() {
        return offline;
    }

    /** A copy of the payload. */
    public byte @NotNull [] payload() {
        return payload.clone();
    }

    /** The payload decoded as UTF-8 (meaningful when {@link #isText()}, but always available). */
    public @NotNull String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** Whether the sender marked the payload as UTF-8 text (it was sent as text, not bytes). */
    public boolean isText() {
        return text;
    }

    /** The sender's MQTT content type, or null. */
    public @Nullable String contentType() {
        return contentType;
    }

    /** The sender's own user properties, in order (unmodifiable; never the protocol's {@code rtm-*} properties). */
    public @NotNull Map<String, String> properties() {
        return properties;
    }

    @Override
    public String toString() {
        return "PeerMessage{" + messageId + " from " + from + ", " + payload.length + " bytes"
                + (offline ? ", offline" : "") + '}';
    }
}
