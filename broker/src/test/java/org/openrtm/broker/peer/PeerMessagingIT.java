package org.openrtm.broker.peer;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.protocol.RtmIds;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.poll;
import static org.openrtm.broker.testing.Clients.prop;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.reason;
import static org.openrtm.broker.testing.Clients.subscribe;
import static org.openrtm.broker.testing.Clients.text;

class PeerMessagingIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of("offline.max-messages", "5"));

    @Test
    void onlinePeer_getsTheMessageStamped_andSenderSeesDelivered() throws Exception {
        final Mqtt5BlockingClient bob = connect(broker, "bob1");
        final BlockingQueue<Mqtt5Publish> inbox = subscribe(bob, "rtm/user/bob1/inbox/+");
        final Mqtt5BlockingClient alice = connect(broker, "alice1");

        final Mqtt5PubAck ack = publish(alice, "rtm/user/bob1/inbox/alice1", "hello",
                Map.of("app", "x", "rtm-id", "forged", "rtm-offline", "true"));

        assertThat(ack.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(prop(ack, "rtm-status")).isEqualTo("delivered");
        final String id = prop(ack, "rtm-id");
        assertThat(RtmIds.isValid(id)).isTrue();
        final Mqtt5Publish got = next(inbox);
        assertThat(got.getTopic().toString()).isEqualTo("rtm/user/bob1/inbox/alice1");
        assertThat(text(got)).isEqualTo("hello");
        assertThat(prop(got, "rtm-id")).isEqualTo(id);
        assertThat(Long.parseLong(prop(got, "rtm-ts"))).isCloseTo(System.currentTimeMillis(),
                org.assertj.core.data.Offset.offset(10_000L));
        assertThat(prop(got, "app")).isEqualTo("x");
        assertThat(prop(got, "rtm-offline")).isNull();
        assertThat(got.getUserProperties().asList()).filteredOn(u -> u.getName().toString().equals("rtm-id")).hasSize(1);
        bob.disconnect();
        alice.disconnect();
    }

    @Test
    void offlinePeer_isCachedAndDeliveredInOrderOnSubscribe_withOfflineFlag() throws Exception {
        final Mqtt5BlockingClient alice = connect(broker, "alice2");
        final List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            final Mqtt5PubAck ack = publish(alice, "rtm/user/bob2/inbox/alice2", "m" + i);
            assertThat(ack.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            assertThat(prop(ack, "rtm-status")).isEqualTo("cached");
            assertThat(reason(ack)).contains("offline");
            ids.add(prop(ack, "rtm-id"));
        }
        final Mqtt5BlockingClient bob = connect(broker, "bob2");
        final BlockingQueue<Mqtt5Publish> inbox = subscribe(bob, "rtm/user/bob2/inbox/#");
        for (int i = 0; i < 3; i++) {
            final Mqtt5Publish got = next(inbox);
            assertThat(text(got)).isEqualTo("m" + i);
            assertThat(prop(got, "rtm-id")).isEqualTo(ids.get(i));
            assertThat(prop(got, "rtm-offline")).isEqualTo("true");
        }
        assertThat(poll(inbox, 300)).isEmpty();
        // acknowledged: a new session does not get them again
        bob.disconnect();
        final Mqtt5BlockingClient bobAgain = connect(broker, "bob2");
        assertThat(poll(subscribe(bobAgain, "rtm/user/bob2/inbox/+"), 500)).isEmpty();
        bobAgain.disconnect();
        alice.disconnect();
    }

    @Test
    void offlineCache_keepsOnlyTheNewest_whenFull() throws Exception {
        final Mqtt5BlockingClient alice = connect(broker, "alice3");
        for (int i = 0; i < 8; i++) {
            assertThat(prop(publish(alice, "rtm/user/bob3/inbox/alice3", "m" + i), "rtm-status")).isEqualTo("cached");
        }
        final Mqtt5BlockingClient bob = connect(broker, "bob3");
        final BlockingQueue<Mqtt5Publish> inbox = subscribe(bob, "rtm/user/bob3/inbox/+");
        for (int i = 3; i < 8; i++) {
            assertThat(text(next(inbox))).isEqualTo("m" + i);
        }
        assertThat(poll(inbox, 300)).isEmpty();
        bob.disconnect();
        alice.disconnect();
    }

    @Test
    void offlinePeer_withOfflineFalseOrZeroExpiry_isUnreachable() {
        final Mqtt5BlockingClient alice = connect(broker, "alice4");
        final Mqtt5PubAck noCache = publish(alice, "rtm/user/bob4/inbox/alice4", "x", Map.of("rtm-offline", "false"));
        assertThat(noCache.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
        assertThat(prop(noCache, "rtm-status")).isEqualTo("unreachable");
        assertThat(prop(noCache, "rtm-id")).isNotNull();

        final Mqtt5PubAck expired = publish(alice, Mqtt5Publish.builder().topic("rtm/user/bob4/inbox/alice4")
                .qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(0).payload("y".getBytes(StandardCharsets.UTF_8)).build());
        assertThat(prop(expired, "rtm-status")).isEqualTo("unreachable");

        final Mqtt5PubAck bad = publish(alice, "rtm/user/bob4/inbox/alice4", "z", Map.of("rtm-offline", "maybe"));
        assertThat(bad.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID);
        assertThat(prop(bad, "rtm-status")).isEqualTo("invalid");
        assertThat(reason(bad)).contains("rtm-offline must be true or false").contains("'maybe'");
        alice.disconnect();
    }

    @Test
    void spoofedSender_isForbidden_andNothingIsDelivered() throws Exception {
        final Mqtt5BlockingClient bob = connect(broker, "bob5");
        final BlockingQueue<Mqtt5Publish> inbox = subscribe(bob, "rtm/user/bob5/inbox/+");
        final Mqtt5BlockingClient mallory = connect(broker, "mallory5");
        final Mqtt5PubAck ack = publish(mallory, "rtm/user/bob5/inbox/alice5", "I am alice");
        assertThat(ack.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertThat(prop(ack, "rtm-status")).isEqualTo("forbidden");
        assertThat(reason(ack)).contains("sender level").contains("'mallory5'").contains("'alice5'");
        assertThat(poll(inbox, 300)).isEmpty();
        bob.disconnect();
        mallory.disconnect();
    }

    @Test
    void badInput_isRefusedWithTheProtocolsCodes() {
        final Mqtt5BlockingClient alice = connect(broker, "alice6");
        final Mqtt5PubAck big = publish(alice, "rtm/user/bob6/inbox/alice6", "x".repeat(8193));
        assertThat(big.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
        assertThat(prop(big, "rtm-status")).isEqualTo("too_large");
        assertThat(reason(big)).contains("8193 bytes").contains("8192 bytes").contains("limits.max-payload-bytes");
        assertThat(prop(publish(alice, "rtm/user/bob6/inbox/alice6", "x".repeat(8192)), "rtm-status")).isEqualTo("cached");

        final Mqtt5PubAck badLevel = publish(alice, "rtm/user/bo b6/inbox/alice6", "x");
        assertThat(badLevel.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.TOPIC_NAME_INVALID);
        assertThat(prop(badLevel, "rtm-status")).isEqualTo("invalid");
        assertThat(reason(badLevel)).contains("uid must be").contains("'bo b6'");

        final Mqtt5PubAck unknown = publish(alice, "rtm/secret/stuff", "x");
        assertThat(unknown.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertThat(reason(unknown)).contains("not part of the rtm/ topic tree");

        for (final String serverOnly : List.of("rtm/user/alice6/presence", "rtm/user/bob6/event",
                "rtm/channel/c1/member/alice6", "rtm/channel/c1/count")) {
            final Mqtt5PubAck ack = publish(alice, serverOnly, "x");
            assertThat(ack.getReasonCode()).as(serverOnly).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
            assertThat(reason(ack)).as(serverOnly).contains("written only by the server");
        }
        final Mqtt5PubAck longCid = publish(alice, "rtm/user/bob6/inbox/alice6", "x", Map.of("rtm-cid", "c".repeat(129)));
        assertThat(prop(longCid, "rtm-status")).isEqualTo("invalid");
        assertThat(reason(longCid)).contains("rtm-cid must be 1 to 128 characters");
        alice.disconnect();
    }

    @Test
    void repeatedClientId_isAnsweredWithTheFirstResult_andDeliveredOnce() throws Exception {
        final Mqtt5BlockingClient bob = connect(broker, "bob7");
        final BlockingQueue<Mqtt5Publish> inbox = subscribe(bob, "rtm/user/bob7/inbox/+");
        final Mqtt5BlockingClient alice = connect(broker, "alice7");
        final Mqtt5PubAck first = publish(alice, "rtm/user/bob7/inbox/alice7", "once", Map.of("rtm-cid", "msg-1"));
        final Mqtt5PubAck again = publish(alice, "rtm/user/bob7/inbox/alice7", "once", Map.of("rtm-cid", "msg-1"));
        assertThat(prop(again, "rtm-id")).isEqualTo(prop(first, "rtm-id"));
        assertThat(prop(again, "rtm-status")).isEqualTo("delivered");
        assertThat(text(next(inbox))).isEqualTo("once");
        assertThat(poll(inbox, 500)).isEmpty();
        // another client id is another message
        assertThat(prop(publish(alice, "rtm/user/bob7/inbox/alice7", "twice", Map.of("rtm-cid", "msg-2")), "rtm-id"))
                .isNotEqualTo(prop(first, "rtm-id"));
        assertThat(text(next(inbox))).isEqualTo("twice");
        bob.disconnect();
        alice.disconnect();
    }

    /** A peer message asks for a receipt with this property; without it there is none. */
    private static final Map<String, String> RECEIPT = Map.of("rtm-receipt", "true");

    @Test
    void recipientAcknowledgement_sendsAReceiptToTheSender_onlyWhenTheSenderAskedForOne() throws Exception {
        final Mqtt5BlockingClient alice = connect(broker, "alice8");
        final BlockingQueue<Mqtt5Publish> events = subscribe(alice, "rtm/user/alice8/event");
        final Mqtt5BlockingClient bob = connect(broker, "bob8");
        subscribe(bob, "rtm/user/bob8/inbox/+");
        // without rtm-receipt: true no receipt comes; the one for the second message is the first on the event topic
        prop(publish(alice, "rtm/user/bob8/inbox/alice8", "no receipt asked"), "rtm-id");
        final String id = prop(publish(alice, "rtm/user/bob8/inbox/alice8", "ping", RECEIPT), "rtm-id");
        final JsonObject receipt = JsonParser.parseString(text(next(events))).getAsJsonObject();
        assertThat(receipt.get("type").getAsString()).isEqualTo("receipt");
        assertThat(receipt.get("id").getAsString()).isEqualTo(id);
        assertThat(receipt.get("to").getAsString()).isEqualTo("bob8");
        assertThat(receipt.get("status").getAsString()).isEqualTo("received");
        bob.disconnect();
        alice.disconnect();
    }

    @Test
    void cachedMessage_givesItsReceiptWhenFinallyDelivered_evenToAnOfflineSender() throws Exception {
        final Mqtt5BlockingClient alice = connect(broker, "alice9");
        final String id = prop(publish(alice, "rtm/user/bob9/inbox/alice9", "later", RECEIPT), "rtm-id");
        alice.disconnect();
        final Mqtt5BlockingClient bob = connect(broker, "bob9");
        assertThat(text(next(subscribe(bob, "rtm/user/bob9/inbox/+")))).isEqualTo("later");
        final Mqtt5BlockingClient aliceBack = connect(broker, "alice9");
        final JsonObject receipt = JsonParser.parseString(text(next(subscribe(aliceBack, "rtm/user/alice9/event"))))
                .getAsJsonObject();
        assertThat(receipt.get("id").getAsString()).isEqualTo(id);
        bob.disconnect();
        aliceBack.disconnect();
    }

    @Test
    void messageHandedToASessionThatWasLostUnacknowledged_isDeliveredAgain() throws Exception {
        final Mqtt5BlockingClient alice = connect(broker, "alice10");
        final Mqtt5BlockingClient bob = connect(broker, "bob10");
        final BlockingQueue<Mqtt5Publish> unacked = new LinkedBlockingQueue<>();
        bob.toAsync().subscribeWith().topicFilter("rtm/user/bob10/inbox/+").qos(MqttQos.AT_LEAST_ONCE)
                .callback(unacked::add).manualAcknowledgement(true).send().join();
        assertThat(prop(publish(alice, "rtm/user/bob10/inbox/alice10", "important"), "rtm-status")).isEqualTo("delivered");
        assertThat(text(next(unacked))).isEqualTo("important");
        bob.disconnect(); // without acknowledging; clean session: the broker forgets its copy

        final Mqtt5BlockingClient bobAgain = connect(broker, "bob10");
        final Mqtt5Publish again = next(subscribe(bobAgain, "rtm/user/bob10/inbox/+"));
        assertThat(text(again)).isEqualTo("important");
        assertThat(prop(again, "rtm-offline")).isEqualTo("true");
        bobAgain.disconnect();
        alice.disconnect();
    }

    @Test
    void webSocketClient_onPathMqtt_exchangesPeerMessages() throws Exception {
        final Mqtt5BlockingClient bob = connect(broker, "bob-ws");
        final BlockingQueue<Mqtt5Publish> inbox = subscribe(bob, "rtm/user/bob-ws/inbox/+");
        final Mqtt5BlockingClient browser = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion5()
                .identifier("alice-ws").serverHost("127.0.0.1").serverPort(broker.wsPort())
                .webSocketConfig().serverPath("mqtt").applyWebSocketConfig().buildBlocking();
        browser.connectWith().simpleAuth().password(broker.token("alice-ws").getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
        assertThat(prop(publish(browser, "rtm/user/bob-ws/inbox/alice-ws", "over websocket"), "rtm-status"))
                .isEqualTo("delivered");
        assertThat(text(next(inbox))).isEqualTo("over websocket");
        browser.disconnect();
        bob.disconnect();
    }
}
