package org.openrtm.gateway.internal.mqtt;

import com.hivemq.client.internal.mqtt.MqttClientConnectionConfig;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientConnectionConfig;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserPropertiesBuilder;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.unsuback.Mqtt5UnsubAck;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.Props;
import org.openrtm.protocol.ViaProof;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The MQTT 5 side of one device session: a connection opened as the device's uid with the device's token and the
 * CONNECT user property {@code rtm-via: coap}, so the server applies every rule to it exactly as to any other client.
 *
 * <p>Built on HiveMQ's asynchronous client; every client of the gateway shares the library's one Netty event loop
 * group, so a session costs a socket and a few kilobytes, not a thread. Callbacks ({@code onMessage}, {@code onClosed})
 * run on that event loop and must not block. Thread-safe.
 */
public final class MqttLink {

    private static final Logger log = LoggerFactory.getLogger(MqttLink.class);

    /** How a link ended. */
    public enum End {
        /** The gateway ended it (logout: DISCONNECT; lost session: the socket closed without DISCONNECT). */
        LOCAL,
        /** The broker took the session over: the same uid logged in elsewhere. */
        TAKEN_OVER,
        /** The broker closed it, or the connection failed. */
        REMOTE
    }

    /** Receives what the broker sends; called on the client's event loop, must not block. */
    public interface Listener {
        /** A message for one of the link's subscriptions (QoS 1 ones must be acknowledged with {@code acknowledge()}). */
        void onMessage(@NotNull Mqtt5Publish publish);

        /** The link is gone; {@code reason} says why for people. */
        void onClosed(@NotNull End end, @NotNull String reason);
    }

    /**
     * Where and how links connect. {@code viaKey} ({@link ViaProof#key} of the deployment secret) makes the proof
     * with which the server accepts {@code rtm-via: coap}; without it the links are shown as {@code via: mqtt}.
     */
    public record Settings(@NotNull String host, int port, @NotNull Duration keepAlive, int receiveMaximum,
                           @NotNull Duration connectTimeout, byte @Nullable [] viaKey) {
    }

    private final Mqtt5AsyncClient client;
    private volatile boolean closedLocally;
    private volatile boolean established;

    private MqttLink(final Mqtt5AsyncClient client) {
        this.client = client;
    }

    /**
     * Opens a link. The future completes with the link after a successful CONNACK, or exceptionally with the
     * client's exception (a {@code Mqtt5ConnAckException} carries the broker's reason code and string).
     */
    public static @NotNull CompletableFuture<MqttLink> connect(final @NotNull Settings settings, final @NotNull String uid,
                                                               final @NotNull String token, final @NotNull Listener listener) {
        final MqttLink[] self = new MqttLink[1];
        final Mqtt5AsyncClient client = MqttClient.builder()
                .useMqttVersion5()
                .identifier(uid)
                .serverHost(settings.host())
                .serverPort(settings.port())
                .transportConfig().mqttConnectTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .socketConnectTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS).applyTransportConfig()
                .addDisconnectedListener(ctx -> {
                    final MqttLink link = self[0];
                    if (link != null && link.established) {
                        listener.onClosed(link.closedLocally ? End.LOCAL : endOf(ctx), describe(ctx));
                    }
                })
                .buildAsync();
        final MqttLink link = new MqttLink(client);
        self[0] = link;
        client.publishes(MqttGlobalPublishFilter.ALL, listener::onMessage, true);
        // rtm-via: coap counts only with the proof, made from the deployment secret (see docs/protocol.md)
        final Mqtt5UserPropertiesBuilder via = Mqtt5UserProperties.builder().add(Props.VIA, "coap");
        if (settings.viaKey() != null) {
            via.add(Props.VIA_PROOF, ViaProof.of(settings.viaKey(), uid));
        }
        final CompletableFuture<Mqtt5ConnAck> connack = client.connectWith()
                .cleanStart(true)
                .sessionExpiryInterval(0)
                .keepAlive((int) Math.min(65535, settings.keepAlive().toSeconds()))
                .restrictions().receiveMaximum(settings.receiveMaximum()).applyRestrictions()
                .userProperties(via.build())
                .simpleAuth().password(token.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .send();
        return connack.thenApply(ack -> {
            link.established = true;
            return link;
        });
    }

    private static End endOf(final MqttClientDisconnectedContext ctx) {
        if (ctx.getCause() instanceof Mqtt5DisconnectException) {
            final Mqtt5DisconnectException e = (Mqtt5DisconnectException) ctx.getCause();
            if (e.getMqttMessage().getReasonCode() == Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER) {
                return End.TAKEN_OVER;
            }
        }
        return End.REMOTE;
    }

    private static String describe(final MqttClientDisconnectedContext ctx) {
        final Throwable cause = ctx.getCause();
        if (cause instanceof Mqtt5DisconnectException) {
            final var d = ((Mqtt5DisconnectException) cause).getMqttMessage();
            return "the broker closed the session (" + d.getReasonCode() + d.getReasonString().map(r -> ": " + r).orElse("")
                    + ")";
        }
        return "the connection to the broker ended: " + cause.getMessage();
    }

    /** Publishes; the future has the PUBACK (QoS 1) or completes when sent (QoS 0). */
    public @NotNull CompletableFuture<Mqtt5PublishResult> publish(final @NotNull Mqtt5Publish publish) {
        return client.publish(publish);
    }

    /** The broker's answer to a subscription: the SUBACK reason code (0x80 when it failed) and reason string. */
    public record Granted(int code, @org.jetbrains.annotations.Nullable String reason) {
    }

    /** Subscribes to one filter at QoS 1; never completes exceptionally. */
    public @NotNull CompletableFuture<Granted> subscribe(final @NotNull String filter) {
        return subscribe(filter, false);
    }

    /**
     * Subscribes to one filter at QoS 1; never completes exceptionally.
     *
     * @param noLocal MQTT 5 No Local: the device's own publishes on the filter are not sent back to it
     */
    public @NotNull CompletableFuture<Granted> subscribe(final @NotNull String filter, final boolean noLocal) {
        return client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).noLocal(noLocal).send()
                .handle((ack, error) -> granted(filter, ack, error));
    }

    private Granted granted(final String filter, final Mqtt5SubAck ack, final Throwable error) {
        Mqtt5SubAck a = ack;
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof Mqtt5SubAckException) {
            a = ((Mqtt5SubAckException) cause).getMqttMessage();
            cause = null;
        }
        if (cause != null || a == null) {
            log.debug("Subscription of {} to {} failed: {}", uid(), filter, String.valueOf(cause));
            return new Granted(0x80, "the broker did not answer the subscription");
        }
        return new Granted(a.getReasonCodes().get(0).getCode(), a.getReasonString().map(Object::toString).orElse(null));
    }

    /** Unsubscribes from one filter. */
    public @NotNull CompletableFuture<Mqtt5UnsubAck> unsubscribe(final @NotNull String filter) {
        return client.unsubscribeWith().topicFilter(filter).send();
    }

    /** Ends the link with a DISCONNECT packet: the broker sees a clean logout (presence offline). */
    public void disconnect() {
        closedLocally = true;
        client.disconnect().whenComplete((ok, error) -> {
            if (error != null) {
                log.debug("DISCONNECT of {} failed: {}", uid(), error.toString());
            }
        });
    }

    /**
     * Ends the link without a DISCONNECT packet, by closing its socket: the broker sees a lost connection (presence
     * unreachable, then offline after its grace period), exactly as for an MQTT device whose network went away.
     *
     * <p>HiveMQ's client has no public call for this; the socket is reached through the connection configuration of
     * the client's internal API (pinned client version). If that ever fails, the link falls back to DISCONNECT with
     * reason code 0x04 and says so in the log.
     */
    public void abort() {
        closedLocally = true;
        try {
            final Optional<Mqtt5ClientConnectionConfig> config = client.getConfig().getConnectionConfig();
            if (config.isPresent() && config.get() instanceof MqttClientConnectionConfig) {
                // getChannel() returns a Netty channel; called reflectively so that Netty stays a runtime dependency
                final Object channel = MqttClientConnectionConfig.class.getMethod("getChannel").invoke(config.get());
                final Method close = channel.getClass().getMethod("close");
                close.invoke(channel);
                return;
            }
            if (!client.getState().isConnected()) {
                return;
            }
        } catch (final ReflectiveOperationException | RuntimeException e) {
            log.warn("Could not drop the MQTT connection of {} without DISCONNECT: {}", uid(), e.toString());
        }
        client.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();
    }

    /** Whether the link is connected now. */
    public boolean isConnected() {
        return client.getState().isConnected();
    }

    private String uid() {
        return client.getConfig().getClientIdentifier().map(Object::toString).orElse("?");
    }
}
