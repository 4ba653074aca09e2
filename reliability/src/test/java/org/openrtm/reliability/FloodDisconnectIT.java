package org.openrtm.reliability;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.connectWithToken;
import static org.openrtm.broker.testing.Clients.mqtt5;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.prop;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.subscribe;
import static org.openrtm.broker.testing.Clients.text;

/**
 * The flood policy with real clients: a client that keeps publishing over its rate limit gets {@code rate_limited},
 * then DISCONNECT 0x96 (Message rate too high) once {@code limits.flood-refusals} refusals fall within
 * {@code limits.flood-window}, then CONNACK 0x9F (Connection rate exceeded) until {@code limits.flood-ban} runs out;
 * a well-behaved pair on the same broker sends and receives all along.
 */
class FloodDisconnectIT {

    private static final int LIMIT = 5;
    private static final int REFUSALS = 10;
    private static final Duration BAN = Duration.ofSeconds(5);

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of(
            "limits.rate-per-second", Integer.toString(LIMIT), "limits.rate-burst", Integer.toString(LIMIT),
            "limits.flood-refusals", Integer.toString(REFUSALS), "limits.flood-window", "10s",
            "limits.flood-ban", BAN.toSeconds() + "s"));

    @Test
    void flooder_isRateLimitedThenDisconnectedAndRefusedForTheBan_whileAWellBehavedPairIsUnaffected() throws Exception {
        final Mqtt5BlockingClient alice = connect(broker, "fd-alice");
        final Mqtt5BlockingClient bob = connect(broker, "fd-bob");
        final BlockingQueue<Mqtt5Publish> bobInbox = subscribe(bob, "rtm/user/fd-bob/inbox/+");

        final CompletableFuture<Throwable> flooderGone = new CompletableFuture<>();
        final Mqtt5AsyncClient flooder = MqttClient.builder().useMqttVersion5().identifier("fd-flooder")
                .serverHost("127.0.0.1").serverPort(broker.port())
                .addDisconnectedListener(ctx -> flooderGone.complete(ctx.getCause())).buildAsync();
        flooder.connectWith().simpleAuth().password(broker.token("fd-flooder").getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send().get(10, TimeUnit.SECONDS);

        // the flood: far more than the burst, as fast as the client's in-flight window allows
        final List<CompletableFuture<String>> answers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            answers.add(flooder.publish(Mqtt5Publish.builder().topic("rtm/user/fd-nobody/inbox/fd-flooder")
                    .qos(MqttQos.AT_LEAST_ONCE).payload(("f" + i).getBytes(StandardCharsets.UTF_8))
                    .userProperties().add("rtm-offline", "false").applyUserProperties().build())
                    .handle((r, e) -> e == null ? "unreachable-or-delivered" : outcome(e)));
        }
        // the pair, meanwhile, within its own limit
        final List<CompletableFuture<Mqtt5PublishResult>> pair = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            pair.add(alice.toAsync().publish(Mqtt5Publish.builder().topic("rtm/user/fd-bob/inbox/fd-alice")
                    .qos(MqttQos.AT_LEAST_ONCE).payload(("m" + i).getBytes(StandardCharsets.UTF_8)).build()));
        }

        final Throwable cause = flooderGone.get(10, TimeUnit.SECONDS);
        assertThat(cause).isInstanceOf(Mqtt5DisconnectException.class);
        final var disconnect = ((Mqtt5DisconnectException) cause).getMqttMessage();
        assertThat(disconnect.getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.MESSAGE_RATE_TOO_HIGH);
        assertThat(disconnect.getReasonString().map(Object::toString).orElse(""))
                .contains(REFUSALS + " publishes refused as rate_limited", "limits.flood-refusals", "limits.flood-ban");

        // a flooder that comes straight back is refused until its ban runs out
        final Mqtt5BlockingClient again = mqtt5(broker, "fd-flooder");
        final Throwable refused = catchThrowable(() -> connectWithToken(again, broker.token("fd-flooder")));
        assertThat(refused).isInstanceOf(Mqtt5ConnAckException.class);
        final var connack = ((Mqtt5ConnAckException) refused).getMqttMessage();
        assertThat(connack.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.CONNECTION_RATE_EXCEEDED);
        assertThat(connack.getReasonString().map(Object::toString).orElse("")).contains("retry in", "limits.flood-ban");

        CompletableFuture.allOf(answers.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
        final long rateLimited = answers.stream().map(CompletableFuture::join).filter("rate_limited"::equals).count();
        final long accepted = answers.stream().map(CompletableFuture::join)
                .filter("unreachable-or-delivered"::equals).count();
        // the PUBACKs of the last refusals can lose the race with the DISCONNECT
        assertThat(rateLimited).as("rate_limited answers before the DISCONNECT").isBetween(1L, (long) REFUSALS);
        assertThat(accepted).as("accepted flood publishes (the burst, and what the rate refilled)")
                .isBetween(1L, (long) LIMIT * 3);
        assertThat(answers.stream().map(CompletableFuture::join)).as("every other publish died with the connection")
                .allMatch(s -> s.equals("rate_limited") || s.equals("unreachable-or-delivered") || s.equals("gone"));

        // the well-behaved pair: every message delivered, still connected, and every message arrived, in order
        for (int i = 0; i < LIMIT; i++) {
            final Mqtt5PubAck ack = ((Mqtt5PublishResult.Mqtt5Qos1Result) pair.get(i).get(10, TimeUnit.SECONDS))
                    .getPubAck();
            assertThat(prop(ack, "rtm-status")).as("pair message %d", i).isEqualTo("delivered");
        }
        assertThat(alice.getState().isConnected()).isTrue();
        assertThat(bob.getState().isConnected()).isTrue();
        for (int i = 0; i < LIMIT; i++) {
            assertThat(text(next(bobInbox))).isEqualTo("m" + i);
        }

        // ... and then welcome again
        await("the ban runs out").atMost(BAN.plusSeconds(8)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> !connectWithToken(again, broker.token("fd-flooder")).getReasonCode().isError());
        assertThat(prop(publish(again, "rtm/user/fd-bob/inbox/fd-flooder", "sorry"), "rtm-status")).isEqualTo("delivered");
        assertThat(text(next(bobInbox))).isEqualTo("sorry");
        again.disconnect();
        alice.disconnect();
        bob.disconnect();
    }

    private static String outcome(final Throwable e) {
        final Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof Mqtt5PubAckException) {
            final Mqtt5PubAck ack = ((Mqtt5PubAckException) cause).getMqttMessage();
            final String status = ack.getUserProperties().asList().stream()
                    .filter(p -> p.getName().toString().equals("rtm-status")).map(p -> p.getValue().toString())
                    .findFirst().orElse("none");
            return ack.getReasonCode() == Mqtt5PubAckReasonCode.QUOTA_EXCEEDED ? status : "code " + ack.getReasonCode();
        }
        return "gone";
    }
}
