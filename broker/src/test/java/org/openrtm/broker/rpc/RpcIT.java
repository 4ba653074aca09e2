package org.openrtm.broker.rpc;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.connect3;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.prop;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.reason;
import static org.openrtm.broker.testing.Clients.subscribe;
import static org.openrtm.broker.testing.Clients.text;

class RpcIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    private static Mqtt5PubAck call(final Mqtt5BlockingClient c, final String method, final String body,
                                    final String responseTopic, final String correlation) {
        final var b = Mqtt5Publish.builder().topic("rtm/rpc/" + method).qos(MqttQos.AT_LEAST_ONCE)
                .payload(body.getBytes(StandardCharsets.UTF_8));
        if (responseTopic != null) {
            b.responseTopic(responseTopic);
        }
        if (correlation != null) {
            b.correlationData(correlation.getBytes(StandardCharsets.UTF_8));
        }
        return publish(c, b.build());
    }

    @Test
    void serverInfo_repliesOnTheResponseTopic_withTheCorrelationData() throws Exception {
        final Mqtt5BlockingClient c = connect(broker, "rpc-user");
        final BlockingQueue<Mqtt5Publish> events = subscribe(c, "rtm/user/rpc-user/event");
        final Mqtt5PubAck ack = call(c, "server.info", "{}", "rtm/user/rpc-user/event", "req-1");
        assertThat(ack.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        final Mqtt5Publish reply = next(events);
        assertThat(new String(reply.getCorrelationData().map(b -> {
            final byte[] a = new byte[b.remaining()];
            b.get(a);
            return a;
        }).orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("req-1");
        final JsonObject body = JsonParser.parseString(text(reply)).getAsJsonObject();
        assertThat(body.get("ok").getAsBoolean()).isTrue();
        final JsonObject result = body.getAsJsonObject("result");
        assertThat(result.get("uid").getAsString()).isEqualTo("rpc-user");
        assertThat(result.get("role").getAsString()).isEqualTo("user");
        assertThat(result.get("version").getAsString()).isNotEmpty();
        assertThat(result.getAsJsonObject("limits").get("maxPayloadBytes").getAsInt()).isEqualTo(8192);
        assertThat(result.getAsJsonObject("limits").get("ratePerSecond").getAsInt()).isEqualTo(100);
        assertThat(result.getAsJsonObject("limits").get("offlineMaxMessages").getAsInt()).isEqualTo(200);
        assertThat(result.getAsJsonObject("limits").get("maxRecipientList").getAsInt()).isEqualTo(128);
        c.disconnect();
    }

    @Test
    void responseTopicOfSomeoneElse_isForbidden_andNothingIsSentThere() throws Exception {
        final Mqtt5BlockingClient victim = connect(broker, "victim");
        final BlockingQueue<Mqtt5Publish> victimEvents = subscribe(victim, "rtm/user/victim/event");
        final Mqtt5BlockingClient c = connect(broker, "rpc-evil");
        final Mqtt5PubAck ack = call(c, "server.info", "{}", "rtm/user/victim/event", "x");
        assertThat(ack.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertThat(prop(ack, "rtm-status")).isEqualTo("forbidden");
        assertThat(reason(ack)).contains("response topic must be your own event topic rtm/user/rpc-evil/event");
        assertThat(victimEvents.poll(300, TimeUnit.MILLISECONDS)).isNull();
        c.disconnect();
        victim.disconnect();
    }

    @Test
    void malformedRequests_getAnInvalidPubackAndAnErrorReply() throws Exception {
        final Mqtt5BlockingClient c = connect(broker, "rpc-bad");
        final BlockingQueue<Mqtt5Publish> events = subscribe(c, "rtm/user/rpc-bad/event");

        final Mqtt5PubAck badJson = call(c, "server.info", "{nope", null, null);
        assertThat(badJson.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID);
        assertThat(prop(badJson, "rtm-status")).isEqualTo("invalid");
        JsonObject reply = JsonParser.parseString(text(next(events))).getAsJsonObject();
        assertThat(reply.get("ok").getAsBoolean()).isFalse();
        assertThat(reply.get("type").getAsString()).isEqualTo("rpc");
        assertThat(reply.getAsJsonObject("error").get("code").getAsString()).isEqualTo("invalid");

        final Mqtt5PubAck notObject = call(c, "server.info", "[1,2]", null, null);
        assertThat(reason(notObject)).isEqualTo("request body must be a JSON object");
        next(events);

        final Mqtt5PubAck unknown = call(c, "no.such", "{\"rid\":\"r9\"}", null, null);
        assertThat(prop(unknown, "rtm-status")).isEqualTo("invalid");
        reply = JsonParser.parseString(text(next(events))).getAsJsonObject();
        assertThat(reply.get("rid").getAsString()).isEqualTo("r9");
        assertThat(reply.get("method").getAsString()).isEqualTo("no.such");
        assertThat(reply.getAsJsonObject("error").get("code").getAsString()).isEqualTo("unknown_method");
        assertThat(reply.getAsJsonObject("error").get("message").getAsString()).contains("server.info");
        c.disconnect();
    }

    @Test
    void mqtt311Client_callsWithRid_andGetsTheReplyOnItsEventTopic() throws Exception {
        final Mqtt3BlockingClient c = connect3(broker, "rpc-v3");
        final BlockingQueue<Mqtt3Publish> events = new LinkedBlockingQueue<>();
        c.toAsync().subscribeWith().topicFilter("rtm/user/rpc-v3/event").qos(MqttQos.AT_LEAST_ONCE)
                .callback(events::add).send().join();
        c.publishWith().topic("rtm/rpc/server.info").qos(MqttQos.AT_LEAST_ONCE)
                .payload("{\"rid\":\"abc\"}".getBytes(StandardCharsets.UTF_8)).send();
        final Mqtt3Publish reply = events.poll(5, TimeUnit.SECONDS);
        assertThat(reply).isNotNull();
        final JsonObject body = JsonParser.parseString(new String(reply.getPayloadAsBytes(), StandardCharsets.UTF_8))
                .getAsJsonObject();
        assertThat(body.get("rid").getAsString()).isEqualTo("abc");
        assertThat(body.get("type").getAsString()).isEqualTo("rpc");
        assertThat(body.getAsJsonObject("result").get("uid").getAsString()).isEqualTo("rpc-v3");
        // an error is in the reply, and the 3.1.1 client stays connected (it has no negative PUBACK)
        c.publishWith().topic("rtm/rpc/server.info").qos(MqttQos.AT_LEAST_ONCE)
                .payload("not json".getBytes(StandardCharsets.UTF_8)).send();
        final Mqtt3Publish error = events.poll(5, TimeUnit.SECONDS);
        assertThat(new String(error.getPayloadAsBytes(), StandardCharsets.UTF_8)).contains("\"ok\":false");
        assertThat(c.getState().isConnected()).isTrue();
        c.disconnect();
    }
}
