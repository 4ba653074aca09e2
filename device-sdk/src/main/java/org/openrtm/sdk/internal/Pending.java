package org.openrtm.sdk.internal;

import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.openrtm.sdk.RateLimitedException;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One operation in the outbox: a peer message, a channel message, a broadcast or a request, from acceptance until its
 * future completes. Touched only on the engine thread (the future is completed through the callback executor).
 */
final class Pending {

    /** What kind of operation: a peer message, a request, a channel message, a broadcast, a call action. */
    enum Kind { PEER, RPC, CHANNEL, BROADCAST, CALL }

    final Kind kind;
    /** Acceptance order; the outbox sends in this order, retries included. */
    final long seq;
    final String topic;
    final byte[] payload;
    final boolean text;
    final List<UserProperty> properties;
    final Long expirySeconds;
    /** The client message id ({@code rtm-cid}) of a message; the correlation id of a request. */
    final String id;
    final String method;
    final CompletableFuture<Object> future = new CompletableFuture<>();

    /** A peer message that asked for a receipt ({@code rtm-receipt: true}). */
    boolean receipt;
    /** The MQTT QoS of the publish: 1, or 0 for a channel message sent at most once. */
    int qos = 1;
    /**
     * Whether it may be sent again after its connection dropped before the answer; if not (a conditional write), it
     * fails then with an unknown outcome.
     */
    boolean retryable = true;
    ScheduledFuture<?> timer;
    /** Sent at least once (then a timeout's outcome is unknown). */
    int sends;
    /** The connection it was last sent on. */
    Link link;
    /** Its last answer: refused as rate_limited (it waits to be sent again); null once it is sent again. */
    RateLimitedException rateLimited;
    /** A request whose PUBACK arrived: waiting for the reply on the event topic. */
    boolean awaitingReply;
    boolean done;

    Pending(final Kind kind, final long seq, final String topic, final byte[] payload, final boolean text,
            final List<UserProperty> properties, final Long expirySeconds, final String id, final String method) {
        this.kind = kind;
        this.seq = seq;
        this.topic = topic;
        this.payload = payload;
        this.text = text;
        this.properties = properties;
        this.expirySeconds = expirySeconds;
        this.id = id;
        this.method = method;
    }

    @Override
    public String toString() {
        return kind + "#" + seq + " " + topic + " (" + id + ")";
    }
}
