package org.openrtm.gateway.internal.session;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.TopicFamily;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One topic filter a device session reads from the broker: the MQTT subscription, the device's current observation
 * of it, and the messages the broker handed that the device has not acknowledged yet. Guarded by the owning
 * {@link DeviceSession}'s monitor; methods that need it say so.
 */
public final class Feed {

    /** The device-facing end of an observation; implemented by the CoAP resource that holds the relation. */
    public interface Sink {
        /** Sends the feed's in-flight message as a notification (asynchronously; never called under the lock). */
        void notifyDevice();

        /** Drops the observation without telling the device (it has moved on, or is gone). */
        void cancelQuietly();

        /** Ends the observation with a final error notification, e.g. 4.01 when the session was taken over. */
        void terminate(int codeClass, int codeDetail, @NotNull String reason);

        /** Whether this observation was registered with the CoAP token {@code token} (for deregistration). */
        boolean hasToken(byte @NotNull [] token);
    }

    final String filter;
    final @Nullable TopicFamily family;
    boolean subscribed;
    @Nullable CompletableFuture<Integer> subscribing;
    @Nullable Sink current;
    boolean currentReady;
    final Deque<Mqtt5Publish> pending = new ArrayDeque<>();
    @Nullable Mqtt5Publish inflight;
    @Nullable Sink inflightSink;
    /**
     * Whether notifications wait for the device's next request with its session id: set when the acknowledgement of
     * a plain-CoAP notification could have been forged (see {@link DeviceSession#untrusted}).
     */
    boolean suspended;
    final List<CompletableFuture<Mqtt5Publish>> readers = new ArrayList<>();

    Feed(final @NotNull String filter, final @Nullable TopicFamily family) {
        this.filter = filter;
        this.family = family;
    }

    /** The MQTT topic filter. */
    public @NotNull String filter() {
        return filter;
    }

    /** The family the filter reads, when it reads exactly one. */
    public @Nullable TopicFamily family() {
        return family;
    }

    /**
     * Whether the broker keeps what this feed reads in the device's mailbox until acknowledged (inbox, event): such
     * messages are never acknowledged for a device that did not acknowledge them.
     */
    public boolean isMailbox() {
        return family == TopicFamily.INBOX || family == TopicFamily.EVENT;
    }

    /** The message being notified to {@code sink} now, or null. Called under the session's lock. */
    @Nullable Mqtt5Publish inflightFor(final @NotNull Sink sink) {
        return inflightSink == sink ? inflight : null;
    }

    boolean idle() {
        return current == null && pending.isEmpty() && inflight == null && readers.isEmpty() && subscribing == null;
    }
}
