package org.openrtm.bench.load;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientConnectionConfig;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5WillPublish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscription;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One simulated device: an MQTT 5 connection of HiveMQ's asynchronous client, on the generator's shared Netty event
 * loops. Every publish that reaches it goes to the handler set with {@link #onMessage}. The client's outgoing flow
 * control keeps at most the server's Receive Maximum of QoS 1 publishes in flight and queues the rest
 * ({@link #sendMaximum()} shows the value in force).
 *
 * <p>Thread-safe as the underlying client is; the handler is called on the client's threads and must be fast.
 */
public final class Device {

    private static final Consumer<Mqtt5Publish> IGNORE = p -> { };

    private final String uid;
    private final Mqtt5AsyncClient client;
    private final @Nullable String token;
    private volatile Consumer<Mqtt5Publish> handler = IGNORE;
    private volatile boolean noDelay;

    Device(final @NotNull String uid, final @NotNull Mqtt5AsyncClient client, final @Nullable String token) {
        this.uid = uid;
        this.client = client;
        this.token = token;
        // registered once, before connecting: also receives what a resumed session delivers right after CONNACK
        client.publishes(MqttGlobalPublishFilter.ALL, p -> handler.accept(p));
    }

    /** The client id (the RTM uid). */
    public @NotNull String uid() {
        return uid;
    }

    /** Sets where received publishes go (replacing the previous handler). */
    public void onMessage(final @NotNull Consumer<Mqtt5Publish> h) {
        this.handler = h;
    }

    /**
     * Connects.
     *
     * @param cleanStart            MQTT 5 Clean Start
     * @param sessionExpirySeconds  Session Expiry Interval (0: the session ends with the connection)
     * @return completes with the CONNACK once TCP_NODELAY is set; fails if the broker refuses
     */
    public @NotNull CompletableFuture<Mqtt5ConnAck> connect(final boolean cleanStart, final long sessionExpirySeconds) {
        return connect(cleanStart, sessionExpirySeconds, null);
    }

    /**
     * Connects with a Will message (what a plain MQTT device uses to announce that it went away).
     *
     * @param cleanStart            MQTT 5 Clean Start
     * @param sessionExpirySeconds  Session Expiry Interval (0: the session ends with the connection)
     * @param will                  the Will message, or null for none
     * @return completes with the CONNACK once TCP_NODELAY is set; fails if the broker refuses
     */
    public @NotNull CompletableFuture<Mqtt5ConnAck> connect(final boolean cleanStart, final long sessionExpirySeconds,
                                                            final @Nullable Mqtt5WillPublish will) {
        final Mqtt5ConnectBuilder.Send<CompletableFuture<Mqtt5ConnAck>> b = client.connectWith()
                .cleanStart(cleanStart).sessionExpiryInterval(sessionExpirySeconds).keepAlive(120);
        if (will != null) {
            b.willPublish(will);
        }
        final CompletableFuture<Mqtt5ConnAck> f = token == null ? b.send()
                : b.simpleAuth().password(token.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
        return f.thenApply(ack -> {
            noDelay = setNoDelay();
            return ack;
        });
    }

    /**
     * Sets TCP_NODELAY on the connection's socket. Netty enables it by default on Linux; setting it explicitly makes
     * the benchmark independent of that default (without it, QoS 1 round trips stall on delayed ACKs). HiveMQ's
     * client has no public option for it, so this reaches its channel through the internal connection config.
     */
    private boolean setNoDelay() {
        final Mqtt5ClientConnectionConfig cc = client.getConfig().getConnectionConfig().orElse(null);
        if (cc instanceof com.hivemq.client.internal.mqtt.MqttClientConnectionConfig) {
            final Channel ch = ((com.hivemq.client.internal.mqtt.MqttClientConnectionConfig) cc).getChannel();
            ch.config().setOption(ChannelOption.TCP_NODELAY, true);
            return Boolean.TRUE.equals(ch.config().getOption(ChannelOption.TCP_NODELAY));
        }
        return false;
    }

    /** Whether TCP_NODELAY was confirmed on the socket at the last connect. */
    public boolean noDelay() {
        return noDelay;
    }

    /** How many QoS 1 publishes the client may have in flight: the server's Receive Maximum (HiveMQ: 10), or 0. */
    public int sendMaximum() {
        return client.getConfig().getConnectionConfig().map(c -> c.getRestrictionsForClient().getSendMaximum()).orElse(0);
    }

    /**
     * Subscribes at QoS 1.
     *
     * @param filters the topic filters (none: completes at once)
     * @return completes when every filter was granted; fails naming a refused filter and the reason
     */
    public @NotNull CompletableFuture<Void> subscribe(final @NotNull List<String> filters) {
        return subscribe(filters, false);
    }

    /**
     * Subscribes at QoS 1, optionally with No Local (the broker does not send the device its own publishes: a channel
     * sender that must be a member but should not receive its own messages).
     *
     * @param filters the topic filters (none: completes at once)
     * @param noLocal the MQTT 5 No Local option of every filter
     * @return completes when every filter was granted; fails naming a refused filter and the reason
     */
    public @NotNull CompletableFuture<Void> subscribe(final @NotNull List<String> filters, final boolean noLocal) {
        if (filters.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        final List<Mqtt5Subscription> subs = new ArrayList<>();
        for (final String f : filters) {
            subs.add(Mqtt5Subscription.builder().topicFilter(f).qos(MqttQos.AT_LEAST_ONCE).noLocal(noLocal).build());
        }
        return client.subscribe(Mqtt5Subscribe.builder().addSubscriptions(subs).build()).thenAccept(ack -> check(ack, filters));
    }

    private void check(final Mqtt5SubAck ack, final List<String> filters) {
        final List<Mqtt5SubAckReasonCode> codes = ack.getReasonCodes();
        for (int i = 0; i < codes.size(); i++) {
            if (codes.get(i).isError()) {
                throw new IllegalStateException(uid + ": subscription to " + filters.get(i) + " refused: " + codes.get(i)
                        + " " + ack.getReasonString().map(Object::toString).orElse(""));
            }
        }
    }

    /** Publishes (the client queues beyond the Receive Maximum). */
    public @NotNull CompletableFuture<Mqtt5PublishResult> publish(final @NotNull Mqtt5Publish publish) {
        return client.publish(publish);
    }

    /**
     * Disconnects normally.
     *
     * @param endSession whether to set the Session Expiry Interval to 0 (a persistent session is discarded)
     * @return completes when the connection is closed; completes normally if it was not connected
     */
    public @NotNull CompletableFuture<Void> disconnect(final boolean endSession) {
        if (!client.getState().isConnected()) {
            return CompletableFuture.completedFuture(null);
        }
        final CompletableFuture<Void> f = endSession ? client.disconnectWith().sessionExpiryInterval(0).send()
                : client.disconnect();
        return f.exceptionally(e -> null);
    }

    /**
     * Disconnects with reason code 0x04 (Disconnect with Will Message): the broker publishes the Will as if the
     * connection had been lost, which is how a plain MQTT device announces a clean departure through its Will.
     *
     * @return completes when the connection is closed; completes normally if it was not connected
     */
    public @NotNull CompletableFuture<Void> disconnectWithWill() {
        if (!client.getState().isConnected()) {
            return CompletableFuture.completedFuture(null);
        }
        return client.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send()
                .exceptionally(e -> null);
    }

    /** Whether the client is connected now. */
    public boolean isConnected() {
        return client.getState().isConnected();
    }
}
