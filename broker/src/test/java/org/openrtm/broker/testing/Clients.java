package org.openrtm.broker.testing;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Real MQTT clients (HiveMQ's MQTT client) against a test broker, with small helpers for assertions. */
public final class Clients {

    private Clients() {
    }

    /** An MQTT 5 client for {@code uid}, not yet connected. */
    public static Mqtt5BlockingClient mqtt5(final EmbeddedBroker broker, final String uid) {
        return MqttClient.builder().useMqttVersion5().identifier(uid)
                .serverHost("127.0.0.1").serverPort(broker.port())
                .buildBlocking();
    }

    /** An MQTT 5 client for {@code uid} through a port other than the broker's (a {@link TcpProxy}), connected. */
    public static Mqtt5BlockingClient connectVia(final EmbeddedBroker broker, final int port, final String uid) {
        final Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(uid)
                .serverHost("127.0.0.1").serverPort(port).buildBlocking();
        c.connectWith().simpleAuth().password(broker.token(uid).getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
        return c;
    }

    /** An MQTT 5 client for {@code uid}, connected with a valid token and a clean session. */
    public static Mqtt5BlockingClient connect(final EmbeddedBroker broker, final String uid) {
        final Mqtt5BlockingClient c = mqtt5(broker, uid);
        c.connectWith().simpleAuth().password(broker.token(uid).getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
        return c;
    }

    /** An MQTT 5 client connected with a persistent session (expiry one hour, clean start false). */
    public static Mqtt5BlockingClient connectPersistent(final EmbeddedBroker broker, final String uid) {
        final Mqtt5BlockingClient c = mqtt5(broker, uid);
        c.connectWith().cleanStart(false).sessionExpiryInterval(3600)
                .simpleAuth().password(broker.token(uid).getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
        return c;
    }

    /** Connects with the given token and returns the CONNACK (or throws the client's exception on refusal). */
    public static Mqtt5ConnAck connectWithToken(final Mqtt5BlockingClient c, final String token) {
        return c.connectWith().simpleAuth().password(token.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
    }

    /** An MQTT 3.1.1 client for {@code uid}, connected with a valid token. */
    public static Mqtt3BlockingClient connect3(final EmbeddedBroker broker, final String uid) {
        final Mqtt3BlockingClient c = MqttClient.builder().useMqttVersion3().identifier(uid)
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        c.connectWith().simpleAuth().username(uid).password(broker.token(uid).getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
        return c;
    }

    /** Subscribes and returns a queue that receives every matching publish. */
    public static BlockingQueue<Mqtt5Publish> subscribe(final Mqtt5BlockingClient c, final String filter) {
        final BlockingQueue<Mqtt5Publish> q = new LinkedBlockingQueue<>();
        final Mqtt5SubAck ack = c.toAsync().subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE)
                .callback(q::add).send().join();
        if (ack.getReasonCodes().get(0).isError()) {
            throw new AssertionError("subscription to " + filter + " refused: " + ack.getReasonCodes().get(0) + " "
                    + ack.getReasonString().map(Object::toString).orElse(""));
        }
        return q;
    }

    /** Publishes at QoS 1 and returns the PUBACK. */
    public static Mqtt5PubAck publish(final Mqtt5BlockingClient c, final String topic, final String payload) {
        return publish(c, topic, payload, Map.of());
    }

    /** Publishes at QoS 1 with user properties and returns the PUBACK. */
    public static Mqtt5PubAck publish(final Mqtt5BlockingClient c, final String topic, final String payload,
                                      final Map<String, String> props) {
        final var b = Mqtt5Publish.builder().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8));
        final var up = com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties.builder();
        props.forEach(up::add);
        return publish(c, b.userProperties(up.build()).build());
    }

    /** Publishes a retained QoS 1 message with user properties and returns the PUBACK. */
    public static Mqtt5PubAck publishRetained(final Mqtt5BlockingClient c, final String topic, final byte[] payload,
                                              final Map<String, String> props) {
        final var up = com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties.builder();
        props.forEach(up::add);
        return publish(c, Mqtt5Publish.builder().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(true).payload(payload)
                .userProperties(up.build()).build());
    }

    /**
     * Calls an RPC method without a Response Topic (the reply comes as an event on the caller's event topic) and
     * returns the reply's JSON body. {@code events} must be the caller's subscription to its event topic.
     */
    public static JsonObject rpc(final Mqtt5BlockingClient c, final BlockingQueue<Mqtt5Publish> events,
                                 final String method, final String body) throws InterruptedException {
        publish(c, "rtm/rpc/" + method, body);
        while (true) {
            final JsonObject reply = JsonParser.parseString(text(next(events))).getAsJsonObject();
            if (reply.has("type") && reply.get("type").getAsString().equals("rpc")) {
                return reply;
            }
        }
    }

    /** Publishes a QoS 1 message and returns its PUBACK, also when the PUBACK carries an error code. */
    public static Mqtt5PubAck publish(final Mqtt5BlockingClient c, final Mqtt5Publish publish) {
        try {
            final Mqtt5PublishResult r = c.publish(publish);
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck();
        } catch (final com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException e) {
            return e.getMqttMessage();
        }
    }

    /** The first user property of that name on a PUBACK, or null. */
    public static String prop(final Mqtt5PubAck ack, final String name) {
        return first(ack.getUserProperties().asList(), name);
    }

    /** The first user property of that name on a publish, or null. */
    public static String prop(final Mqtt5Publish p, final String name) {
        return first(p.getUserProperties().asList(), name);
    }

    private static String first(final List<? extends com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperty> props,
                                final String name) {
        return props.stream().filter(u -> u.getName().toString().equals(name)).map(u -> u.getValue().toString())
                .findFirst().orElse(null);
    }

    /** All user properties of a publish as a map (first value wins). */
    public static Map<String, String> props(final Mqtt5Publish p) {
        return p.getUserProperties().asList().stream().collect(Collectors.toMap(u -> u.getName().toString(),
                u -> u.getValue().toString(), (a, b) -> a));
    }

    /** The payload as UTF-8 text. */
    public static String text(final Mqtt5Publish p) {
        return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    /** The reason string of a PUBACK, or "". */
    public static String reason(final Mqtt5PubAck ack) {
        return ack.getReasonString().map(Object::toString).orElse("");
    }

    /** Waits up to 5 s for the next message. */
    public static Mqtt5Publish next(final BlockingQueue<Mqtt5Publish> q) throws InterruptedException {
        final Mqtt5Publish p = q.poll(5, TimeUnit.SECONDS);
        if (p == null) {
            throw new AssertionError("no message within 5 s");
        }
        return p;
    }

    /** Waits briefly and returns a message if one arrives (for asserting that nothing arrives). */
    public static Optional<Mqtt5Publish> poll(final BlockingQueue<Mqtt5Publish> q, final long millis)
            throws InterruptedException {
        return Optional.ofNullable(q.poll(millis, TimeUnit.MILLISECONDS));
    }
}
