package org.openrtm.broker.access;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.protocol.Role;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.connectWithToken;
import static org.openrtm.broker.testing.Clients.mqtt5;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.poll;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.subscribe;

/** Who may subscribe to what under rtm/, as the protocol's table says. */
class SubscriptionAccessIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    static Mqtt5BlockingClient user;
    static Mqtt5BlockingClient service;

    @BeforeAll
    static void connectClients() {
        user = connect(broker, "uma");
        service = mqtt5(broker, "svc");
        connectWithToken(service, broker.token("svc", Role.SERVICE));
    }

    @AfterAll
    static void disconnect() {
        user.disconnect();
        service.disconnect();
    }

    private static Mqtt5SubAck sub(final Mqtt5BlockingClient c, final String filter) {
        try {
            return c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send();
        } catch (final Mqtt5SubAckException e) {
            return e.getMqttMessage();
        }
    }

    private static String reason(final Mqtt5SubAck ack) {
        return ack.getReasonString().map(Object::toString).orElse("");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rtm/user/uma/inbox/+", "rtm/user/uma/inbox/#", "rtm/user/uma/inbox/bob",
            "rtm/user/uma/event", "rtm/user/uma/#", "home/kitchen/#", "+/+/+"})
    void user_mayReadItsOwnPrivateTopicsAndOrdinaryTopics(final String filter) {
        final Mqtt5SubAck ack = sub(user, filter);
        assertThat(ack.getReasonCodes().get(0).isError()).as(filter + ": " + reason(ack)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"rtm/user/bob/inbox/+", "rtm/user/bob/event", "rtm/user/+/inbox/#", "rtm/user/bob/#",
            "rtm/#", "#", "+/user/+/inbox/+", "rtm/+/bob/inbox/+"})
    void user_mayNotReadOthersPrivateTopics(final String filter) {
        final Mqtt5SubAck ack = sub(user, filter);
        assertThat(ack.getReasonCodes().get(0)).as(filter).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        assertThat(reason(ack)).as(filter).isNotEmpty();
    }

    @Test
    void nobody_subscribesToRpc_andUnknownRtmTopicsAreRefused() {
        assertThat(sub(user, "rtm/rpc/#").getReasonCodes().get(0)).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        assertThat(sub(service, "rtm/rpc/server.info").getReasonCodes().get(0))
                .isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        final Mqtt5SubAck unknown = sub(user, "rtm/secret/#");
        assertThat(unknown.getReasonCodes().get(0)).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        assertThat(reason(unknown)).contains("matches nothing in the rtm/ topic tree");
    }

    @Test
    void badIdInFilter_isRefusedAsInvalid() {
        final Mqtt5SubAck ack = sub(user, "rtm/user/bad uid/presence");
        assertThat(ack.getReasonCodes().get(0)).isEqualTo(Mqtt5SubAckReasonCode.TOPIC_FILTER_INVALID);
        assertThat(reason(ack)).contains("uid must be").contains("'bad uid'");
    }

    @Test
    void sharedSubscriptions_cannotReadRtmAsUser() {
        final Mqtt5SubAck ack = sub(user, "$share/g/rtm/user/uma/inbox/+");
        assertThat(ack.getReasonCodes().get(0)).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        assertThat(reason(ack)).contains("shared subscriptions");
    }

    @Test
    void service_mayMonitorEveryInbox_butCannotSendAsSomeoneElse() throws Exception {
        final var all = subscribe(service, "rtm/user/+/inbox/#");
        final Mqtt5BlockingClient alice = connect(broker, "alice-acc");
        publish(alice, "rtm/user/uma/inbox/alice-acc", "watched");
        assertThat(new String(next(all).getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("watched");
        assertThat(publish(service, "rtm/user/uma/inbox/alice-acc", "spoof").getReasonCode().isError()).isTrue();
        assertThat(poll(all, 300)).isEmpty();
        alice.disconnect();
    }
}
