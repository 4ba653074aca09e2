package org.openrtm.broker.peer;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.poll;
import static org.openrtm.broker.testing.Clients.prop;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.subscribe;
import static org.openrtm.broker.testing.Clients.text;

/** A peer message keeps its MQTT 5 properties whether delivered at once, from the offline cache, or after a restart. */
class PeerOfflinePropertiesIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    private static final byte[] CORRELATION = {0, 7, (byte) 0xFE, 42};

    /** A request from {@code from} to {@code to} whose reply should come back to {@code from}'s inbox. */
    private static Mqtt5Publish request(final String from, final String to, final String body) {
        return Mqtt5Publish.builder().topic("rtm/user/" + to + "/inbox/" + from).qos(MqttQos.AT_LEAST_ONCE)
                .payload(body.getBytes(StandardCharsets.UTF_8))
                .correlationData(CORRELATION)
                .responseTopic("rtm/user/" + from + "/inbox/" + to)
                .contentType("application/vnd.openrtm.test+json")
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                .messageExpiryInterval(600)
                .userProperties(Mqtt5UserProperties.builder().add("trace", "t-1").add("ünï", "cödé").build())
                .build();
    }

    private static void assertKeepsProperties(final Mqtt5Publish got, final String from, final String to,
                                              final String body, final boolean offline) {
        assertThat(text(got)).isEqualTo(body);
        assertThat(got.getCorrelationData()).hasValueSatisfying(b -> {
            final byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            assertThat(bytes).isEqualTo(CORRELATION);
        });
        assertThat(got.getResponseTopic().map(Object::toString)).hasValue("rtm/user/" + from + "/inbox/" + to);
        assertThat(got.getContentType().map(Object::toString)).hasValue("application/vnd.openrtm.test+json");
        assertThat(got.getPayloadFormatIndicator()).hasValue(Mqtt5PayloadFormatIndicator.UTF_8);
        assertThat(got.getMessageExpiryInterval()).isPresent();
        assertThat(got.getMessageExpiryInterval().getAsLong()).isBetween(1L, 600L);
        assertThat(prop(got, "trace")).isEqualTo("t-1");
        assertThat(prop(got, "ünï")).isEqualTo("cödé");
        assertThat(prop(got, "rtm-id")).isNotNull();
        assertThat(prop(got, "rtm-offline")).isEqualTo(offline ? "true" : null);
    }

    @Test
    void liveDelivery_keepsCorrelationResponseTopicContentTypeAndUserProperties() throws Exception {
        final Mqtt5BlockingClient bob = connect(broker, "bob-live");
        final BlockingQueue<Mqtt5Publish> inbox = subscribe(bob, "rtm/user/bob-live/inbox/+");
        final Mqtt5BlockingClient alice = connect(broker, "alice-live");
        assertThat(prop(publish(alice, request("alice-live", "bob-live", "now")), "rtm-status")).isEqualTo("delivered");
        assertKeepsProperties(next(inbox), "alice-live", "bob-live", "now", false);
        alice.disconnect();
        bob.disconnect();
    }

    @Test
    void offlineCache_keepsThemOnReconnect_andAfterABrokerRestart() throws Exception {
        final Mqtt5BlockingClient alice = connect(broker, "alice-off");
        assertThat(prop(publish(alice, request("alice-off", "bob-off", "cached")), "rtm-status")).isEqualTo("cached");
        assertThat(prop(publish(alice, request("alice-off", "carol-off", "kept over restart")), "rtm-status"))
                .isEqualTo("cached");
        alice.disconnect();

        // the recipient comes online later: delivered from the offline cache
        final Mqtt5BlockingClient bob = connect(broker, "bob-off");
        final BlockingQueue<Mqtt5Publish> bobInbox = subscribe(bob, "rtm/user/bob-off/inbox/+");
        assertKeepsProperties(next(bobInbox), "alice-off", "bob-off", "cached", true);
        assertThat(poll(bobInbox, 300)).isEmpty();
        bob.disconnect();

        // the recipient comes online only after a restart: read back from the journal / checkpoint
        broker.restart();
        final Mqtt5BlockingClient carol = connect(broker, "carol-off");
        final BlockingQueue<Mqtt5Publish> carolInbox = subscribe(carol, "rtm/user/carol-off/inbox/+");
        assertKeepsProperties(next(carolInbox), "alice-off", "carol-off", "kept over restart", true);
        assertThat(poll(carolInbox, 300)).isEmpty();
        carol.disconnect();
    }
}
