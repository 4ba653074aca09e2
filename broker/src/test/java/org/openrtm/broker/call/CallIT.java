package org.openrtm.broker.call;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;

import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.poll;
import static org.openrtm.broker.testing.Clients.prop;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.reason;
import static org.openrtm.broker.testing.Clients.subscribe;
import static org.openrtm.broker.testing.Clients.text;

class CallIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of(
            "call.offline-timeout", "2s", "call.ack-timeout", "1s", "call.answer-timeout", "1s",
            "call.max-content-bytes", "100"));

    /** A user with its call and event subscriptions. */
    private static final class Side {
        final String uid;
        final Mqtt5BlockingClient client;
        final BlockingQueue<Mqtt5Publish> calls;
        final BlockingQueue<Mqtt5Publish> events;

        Side(final String uid, final boolean autoAck) {
            this.uid = uid;
            this.client = connect(broker, uid);
            this.events = subscribe(client, "rtm/user/" + uid + "/event");
            if (autoAck) {
                this.calls = subscribe(client, "rtm/user/" + uid + "/call/+");
            } else {
                this.calls = new LinkedBlockingQueue<>();
                client.toAsync().subscribeWith().topicFilter("rtm/user/" + uid + "/call/+").qos(MqttQos.AT_LEAST_ONCE)
                        .callback(calls::add).manualAcknowledgement(true).send().join();
            }
        }

        Mqtt5PubAck send(final Side to, final String json) {
            return publish(client, "rtm/user/" + to.uid + "/call/" + uid, json);
        }

        JsonObject event() throws InterruptedException {
            return JsonParser.parseString(text(next(events))).getAsJsonObject();
        }

        void close() {
            client.disconnect();
        }
    }

    private static String msg(final String id, final String action) {
        return "{\"id\":\"" + id + "\",\"action\":\"" + action + "\"}";
    }

    private static void assertState(final JsonObject event, final String id, final String caller, final String callee,
                                     final String state) {
        assertThat(event.get("type").getAsString()).isEqualTo("call");
        assertThat(event.get("id").getAsString()).isEqualTo(id);
        assertThat(event.get("caller").getAsString()).isEqualTo(caller);
        assertThat(event.get("callee").getAsString()).isEqualTo(callee);
        assertThat(event.get("state").getAsString()).as(event.toString()).isEqualTo(state);
    }

    private static void assertRefused(final Mqtt5PubAck ack, final Mqtt5PubAckReasonCode code, final String status,
                                      final String reasonPart) {
        assertThat(ack.getReasonCode()).as(reason(ack)).isEqualTo(code);
        assertThat(prop(ack, "rtm-status")).isEqualTo(status);
        assertThat(reason(ack)).contains(reasonPart);
    }

    @Test
    void invite_isHandedStampedAndReceived_thenAccepted_andBothSidesAreTold() throws Exception {
        final Side phone = new Side("phone1", true);
        final Side watch = new Side("watch1", true);
        final String invite = "{\"id\":\"c1\",\"action\":\"invite\",\"content\":\"video?\",\"channel\":\"room-1\"}";
        final Mqtt5PubAck ack = phone.send(watch, invite);
        assertThat(ack.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(prop(ack, "rtm-status")).isEqualTo("delivered");
        final Mqtt5Publish got = next(watch.calls);
        assertThat(got.getTopic().toString()).isEqualTo("rtm/user/watch1/call/phone1");
        assertThat(text(got)).isEqualTo(invite);
        assertThat(prop(got, "rtm-id")).isEqualTo(prop(ack, "rtm-id"));
        assertThat(prop(got, "rtm-ts")).isNotNull();

        assertState(phone.event(), "c1", "phone1", "watch1", "received");
        assertState(watch.event(), "c1", "phone1", "watch1", "received");

        final String accept = "{\"id\":\"c1\",\"action\":\"accept\",\"response\":\"ok!\"}";
        final Mqtt5PubAck accepted = watch.send(phone, accept);
        assertThat(prop(accepted, "rtm-status")).isEqualTo("delivered");
        final Mqtt5Publish answer = next(phone.calls);
        assertThat(answer.getTopic().toString()).isEqualTo("rtm/user/phone1/call/watch1");
        assertThat(text(answer)).isEqualTo(accept);
        assertThat(prop(answer, "rtm-id")).isEqualTo(prop(accepted, "rtm-id"));
        assertState(phone.event(), "c1", "phone1", "watch1", "accepted");
        assertState(watch.event(), "c1", "phone1", "watch1", "accepted");

        // a second answer, or a cancel after the answer, is out of order and changes nothing
        assertRefused(watch.send(phone, msg("c1", "refuse")), Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR,
                "conflict", "there is no active invitation 'c1' from 'phone1' to you");
        assertRefused(phone.send(watch, msg("c1", "cancel")), Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR,
                "conflict", "you have no active invitation 'c1' to 'watch1'");
        assertThat(poll(phone.events, 300)).isEmpty();
        assertThat(poll(watch.calls, 0)).isEmpty();
        // the id is free again once the call is over
        assertThat(prop(phone.send(watch, msg("c1", "invite")), "rtm-status")).isEqualTo("delivered");
        assertState(phone.event(), "c1", "phone1", "watch1", "received");
        assertThat(prop(watch.send(phone, msg("c1", "refuse")), "rtm-status")).isEqualTo("delivered");
        assertState(phone.event(), "c1", "phone1", "watch1", "refused");
        phone.close();
        watch.close();
    }

    @Test
    void refuse_andCancel_endTheCall_andLaterActionsAreConflicts() throws Exception {
        final Side a = new Side("a2", true);
        final Side b = new Side("b2", true);
        a.send(b, msg("r1", "invite"));
        next(b.calls);
        assertState(a.event(), "r1", "a2", "b2", "received");
        final Mqtt5PubAck refused = b.send(a, "{\"id\":\"r1\",\"action\":\"refuse\",\"response\":\"busy\"}");
        assertThat(prop(refused, "rtm-status")).isEqualTo("delivered");
        assertThat(text(next(a.calls))).contains("busy");
        assertState(a.event(), "r1", "a2", "b2", "refused");

        a.send(b, msg("k1", "invite"));
        next(b.calls);
        assertState(a.event(), "k1", "a2", "b2", "received");
        assertThat(prop(a.send(b, msg("k1", "cancel")), "rtm-status")).isEqualTo("delivered");
        final Mqtt5Publish cancel = next(b.calls);
        assertThat(text(cancel)).isEqualTo(msg("k1", "cancel"));
        b.event(); // received (r1)
        b.event(); // refused (r1)
        b.event(); // received (k1)
        assertState(b.event(), "k1", "a2", "b2", "canceled");
        assertState(a.event(), "k1", "a2", "b2", "canceled");
        assertRefused(b.send(a, msg("k1", "accept")), Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "conflict",
                "no active invitation 'k1'");
        assertThat(poll(a.events, 300)).isEmpty();
        a.close();
        b.close();
    }

    @Test
    void offlineCallee_failsWithPeerOffline_andLearnsItFromItsEventMailbox() throws Exception {
        final Side a = new Side("a3", true);
        final Mqtt5PubAck ack = publish(a.client, "rtm/user/b3/call/a3", msg("o1", "invite"));
        assertThat(ack.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(prop(ack, "rtm-status")).isEqualTo("cached");
        assertThat(reason(ack)).contains("call.offline-timeout");
        final long sent = System.nanoTime();
        final JsonObject failed = a.event();
        assertState(failed, "o1", "a3", "b3", "failed");
        assertThat(failed.get("reason").getAsString()).isEqualTo("peer_offline");
        assertThat((System.nanoTime() - sent) / 1_000_000).isGreaterThan(1500);
        // the callee was told too, through its event mailbox
        final Side b = new Side("b3", true);
        final JsonObject told = b.event();
        assertState(told, "o1", "a3", "b3", "failed");
        assertThat(told.get("reason").getAsString()).isEqualTo("peer_offline");
        assertThat(poll(b.calls, 300)).isEmpty();
        a.close();
        b.close();
    }

    @Test
    void calleeThatComesOnlineInTime_getsTheInvite() throws Exception {
        final Side a = new Side("a4", true);
        assertThat(prop(publish(a.client, "rtm/user/b4/call/a4", msg("w1", "invite")), "rtm-status")).isEqualTo("cached");
        // connected but not subscribed to the call topic is not enough
        final Mqtt5BlockingClient bare = connect(broker, "b4");
        final BlockingQueue<Mqtt5Publish> events = subscribe(bare, "rtm/user/b4/event");
        assertThat(poll(events, 300)).isEmpty();
        final BlockingQueue<Mqtt5Publish> calls = subscribe(bare, "rtm/user/b4/#");
        Mqtt5Publish invite = next(calls);
        // the retained presence of b4 matches the filter too and may come first
        while (invite.getTopic().toString().equals("rtm/user/b4/presence")) {
            invite = next(calls);
        }
        assertThat(invite.getTopic().toString()).isEqualTo("rtm/user/b4/call/a4");
        assertState(a.event(), "w1", "a4", "b4", "received");
        a.close();
        bare.disconnect();
    }

    @Test
    void unacknowledgedInvite_failsWithNoResponse() throws Exception {
        final Side a = new Side("a5", true);
        final Side b = new Side("b5", false);
        assertThat(prop(a.send(b, msg("n1", "invite")), "rtm-status")).isEqualTo("delivered");
        final Mqtt5Publish invite = next(b.calls);
        assertThat(invite.getTopic().toString()).isEqualTo("rtm/user/b5/call/a5");
        final JsonObject failed = a.event();
        assertState(failed, "n1", "a5", "b5", "failed");
        assertThat(failed.get("reason").getAsString()).isEqualTo("no_response");
        // a late acknowledgement changes nothing (and lets the test client deliver what it queued behind the invite)
        invite.acknowledge();
        assertThat(b.event().get("reason").getAsString()).isEqualTo("no_response");
        assertThat(poll(a.events, 300)).isEmpty();
        assertRefused(b.send(a, msg("n1", "accept")), Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "conflict",
                "no active invitation 'n1'");
        a.close();
        b.close();
    }

    @Test
    void receivedButUnanswered_failsWithExpired() throws Exception {
        final Side a = new Side("a6", true);
        final Side b = new Side("b6", true);
        a.send(b, msg("e1", "invite"));
        assertState(a.event(), "e1", "a6", "b6", "received");
        final long received = System.nanoTime();
        final JsonObject failed = a.event();
        assertState(failed, "e1", "a6", "b6", "failed");
        assertThat(failed.get("reason").getAsString()).isEqualTo("expired");
        assertThat((System.nanoTime() - received) / 1_000_000).isGreaterThan(700);
        a.close();
        b.close();
    }

    @Test
    void malformedForgedAndOutOfOrderActions_areRefused_andChangeNothing() throws Exception {
        final Side a = new Side("a7", true);
        final Side b = new Side("b7", true);
        final Side c = new Side("c7", true);
        assertRefused(a.send(b, "not json"), Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID, "invalid", "not valid JSON");
        assertRefused(a.send(b, "[1]"), Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID, "invalid", "JSON object");
        assertRefused(a.send(b, msg("bad id", "invite")), Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID, "invalid",
                "invitation id must be 1 to 64 characters");
        assertRefused(a.send(b, "{\"action\":\"invite\"}"), Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID, "invalid",
                "invitation id must be 1 to 64 characters");
        assertRefused(a.send(b, msg("x1", "ring")), Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID, "invalid",
                "action must be invite, cancel, accept or refuse, but was 'ring'");
        assertRefused(a.send(b, "{\"id\":\"x1\",\"action\":\"invite\",\"content\":\"" + "x".repeat(101) + "\"}"),
                Mqtt5PubAckReasonCode.QUOTA_EXCEEDED, "too_large",
                "content is 101 bytes; the limit is 100 bytes (call.max-content-bytes)");
        assertRefused(a.send(b, "{\"id\":\"x1\",\"action\":\"invite\",\"content\":5}"),
                Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID, "invalid", "content must be a string");
        assertRefused(a.send(a, msg("x1", "invite")), Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID, "invalid",
                "you cannot call yourself");
        assertRefused(publish(a.client, "rtm/user/b7/call/c7", msg("x1", "invite")), Mqtt5PubAckReasonCode.NOT_AUTHORIZED,
                "forbidden", "must be your own uid 'a7'");
        // an answer to an id nobody sent
        assertRefused(b.send(a, msg("x1", "accept")), Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "conflict",
                "there is no active invitation 'x1' from 'a7' to you");
        assertThat(poll(b.calls, 300)).isEmpty();

        assertThat(prop(a.send(b, msg("x1", "invite")), "rtm-status")).isEqualTo("delivered");
        next(b.calls);
        assertState(a.event(), "x1", "a7", "b7", "received");
        // the same id again while the call is active
        assertRefused(a.send(b, msg("x1", "invite")), Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "conflict",
                "your invitation 'x1' to 'b7' is still active; use another id");
        assertRefused(a.send(c, msg("x1", "invite")), Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "conflict",
                "still active");
        // somebody else cancels, or answers, a7's call: conflicts
        assertRefused(c.send(b, msg("x1", "cancel")), Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "conflict",
                "you have no active invitation 'x1' to 'b7'");
        assertRefused(c.send(a, msg("x1", "accept")), Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "conflict",
                "there is no active invitation 'x1' from 'a7' to you");
        // the callee cannot cancel, the caller cannot answer its own call
        assertRefused(b.send(a, msg("x1", "cancel")), Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "conflict",
                "you have no active invitation 'x1' to 'a7'");
        assertRefused(a.send(b, msg("x1", "accept")), Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "conflict",
                "there is no active invitation 'x1' from 'b7' to you");
        assertThat(poll(b.calls, 200)).isEmpty();
        assertThat(poll(a.calls, 0)).isEmpty();
        // the call is intact: the callee can still accept it
        assertThat(prop(b.send(a, msg("x1", "accept")), "rtm-status")).isEqualTo("delivered");
        assertState(a.event(), "x1", "a7", "b7", "accepted");
        a.close();
        b.close();
        c.close();
    }

    @Test
    void usersCannotReadOthersCallTopics() {
        final Mqtt5BlockingClient eve = connect(broker, "eve8");
        final Mqtt5SubAckException refused = catchThrowableOfType(Mqtt5SubAckException.class,
                () -> eve.subscribeWith().topicFilter("rtm/user/bob8/call/+").qos(MqttQos.AT_LEAST_ONCE).send());
        assertThat(refused.getMqttMessage().getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        assertThat(refused.getMqttMessage().getReasonString().map(Object::toString).orElse(""))
                .contains("you may read only your own call invitations");
        eve.disconnect();
    }
}
