package org.openrtm.extension.session;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.util.TokenBucket;
import org.openrtm.protocol.Role;
import org.openrtm.protocol.TopicFamily;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One MQTT connection of a user, from a successful authentication until it closes. Holds what the per-connection
 * interceptors share: the rate bucket, what each PUBACK to the client must carry, and which rtm-id each of the
 * client's unacknowledged QoS 1 deliveries has. Thread-safe.
 */
public final class Connection {

    /** How the user is attached. */
    public enum Via {
        MQTT("mqtt"), COAP("coap"), API("api");

        private final String wire;

        Via(final String wire) {
            this.wire = wire;
        }

        public @NotNull String wire() {
            return wire;
        }
    }

    /**
     * An unacknowledged QoS 1 delivery to the client.
     *
     * @param rtmId  its {@code rtm-id}
     * @param family the topic family it was delivered on
     */
    public record Delivery(@NotNull String rtmId, @NotNull TopicFamily family) {
    }

    /** What the PUBACK for one inbound publish must carry. */
    public record AckStamp(@NotNull String status, @Nullable String rtmId, @Nullable String reason,
                           @Nullable Map<String, String> extra) {
    }

    private final String uid;
    private final long number;
    private final Role role;
    private final Via via;
    private final boolean mqtt5;
    private final long sessionExpirySeconds;
    private final TokenBucket bucket;
    private final Map<Integer, AckStamp> ackStamps = new ConcurrentHashMap<>();
    private final Map<Integer, Delivery> deliveries = new ConcurrentHashMap<>();
    private volatile boolean sessionPresent;
    private volatile boolean closed;

    Connection(
            final @NotNull String uid,
            final long number,
            final @NotNull Role role,
            final @NotNull Via via,
            final boolean mqtt5,
            final long sessionExpirySeconds,
            final @NotNull TokenBucket bucket) {
        this.uid = uid;
        this.number = number;
        this.role = role;
        this.via = via;
        this.mqtt5 = mqtt5;
        this.sessionExpirySeconds = sessionExpirySeconds;
        this.bucket = bucket;
    }

    /** The user (MQTT client id). */
    public @NotNull String uid() {
        return uid;
    }

    /** A number unique among connections since the broker started; tells a user's successive connections apart. */
    public long number() {
        return number;
    }

    public @NotNull Role role() {
        return role;
    }

    public @NotNull Via via() {
        return via;
    }

    /** Whether the client speaks MQTT 5 (otherwise 3.1.1 or 3.1). */
    public boolean isMqtt5() {
        return mqtt5;
    }

    /** The session expiry the client asked for (0: the session ends with the connection). */
    public long sessionExpirySeconds() {
        return sessionExpirySeconds;
    }

    public @NotNull TokenBucket bucket() {
        return bucket;
    }

    /** Whether the broker resumed an existing session for this connection. */
    public boolean sessionPresent() {
        return sessionPresent;
    }

    void sessionPresent(final boolean present) {
        this.sessionPresent = present;
    }

    public boolean isClosed() {
        return closed;
    }

    void markClosed() {
        closed = true;
    }

    /** Remembers what the PUBACK for the client's publish with this packet id must carry. */
    public void stampAck(final int packetId, final @NotNull AckStamp stamp) {
        ackStamps.put(packetId, stamp);
    }

    /** Takes (and forgets) what the PUBACK for this packet id must carry. */
    public @Nullable AckStamp takeAckStamp(final int packetId) {
        return ackStamps.remove(packetId);
    }

    /** Remembers which message the outbound QoS 1 publish with this packet id is. */
    public void trackDelivery(final int packetId, final @NotNull Delivery delivery) {
        deliveries.put(packetId, delivery);
    }

    /** Takes (and forgets) which message the outbound publish with this packet id was. */
    public @Nullable Delivery takeDelivery(final int packetId) {
        return deliveries.remove(packetId);
    }

    @Override
    public String toString() {
        return "Connection{" + uid + " #" + number + " " + role.wire() + " " + via.wire() + (mqtt5 ? " mqtt5" : " mqtt3")
                + '}';
    }
}
