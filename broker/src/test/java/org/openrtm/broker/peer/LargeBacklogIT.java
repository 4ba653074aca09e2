package org.openrtm.broker.peer;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectRestrictions;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.mqtt5;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.poll;
import static org.openrtm.broker.testing.Clients.prop;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.text;

/**
 * An offline cache larger than HiveMQ's queue for one client (1,000 messages, in-flight ones included): the whole
 * backlog arrives, in order, even when the client is slow to acknowledge and its session resumes. Handed to HiveMQ in
 * one go, the tail that did not fit in the client's queue was discarded by HiveMQ, and the mailbox, counting it as
 * handed to the session, did not hand it again (seen as messages missing after {@code CrashIT}'s 25-kill run).
 */
class LargeBacklogIT {

    private static final int BACKLOG = 2_500;

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of(
            "offline.max-messages", "10000",
            "limits.rate-per-second", "100000", "limits.rate-burst", "100000"));

    @Test
    void backlogLargerThanHiveMqsClientQueue_arrivesWhole_andInOrder_afterASlowSessionResumes() throws Exception {
        final Mqtt5BlockingClient alice = connect(broker, "alice");
        final List<CompletableFuture<Mqtt5PubAck>> acks = new ArrayList<>();
        for (int i = 0; i < BACKLOG; i++) {
            acks.add(alice.toAsync().publish(Mqtt5Publish.builder().topic("rtm/user/bob/inbox/alice")
                    .qos(MqttQos.AT_LEAST_ONCE).payload(("m" + i).getBytes(StandardCharsets.UTF_8)).build())
                    .thenApply(r -> ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck()));
        }
        for (final CompletableFuture<Mqtt5PubAck> ack : acks) {
            assertThat(prop(ack.get(60, TimeUnit.SECONDS), "rtm-status")).isEqualTo("cached");
        }

        // bob's device subscribes with a persistent session and a small Receive Maximum (as the device SDK does), gets
        // the first messages and acknowledges none of them: whatever the broker handed over waits in HiveMQ's queue
        final Mqtt5BlockingClient busy = mqtt5(broker, "bob");
        connectPersistent(busy);
        final BlockingQueue<Mqtt5Publish> unacknowledged = new LinkedBlockingQueue<>();
        busy.toAsync().subscribeWith().topicFilter("rtm/user/bob/inbox/+").qos(MqttQos.AT_LEAST_ONCE)
                .callback(unacknowledged::add).manualAcknowledgement(true).send().join();
        await().atMost(Duration.ofSeconds(30)).until(() -> !unacknowledged.isEmpty());
        busy.disconnect();

        // back with the same session: HiveMQ resends its queue, the broker the rest
        final Mqtt5BlockingClient bob = mqtt5(broker, "bob");
        final BlockingQueue<Mqtt5Publish> inbox = new LinkedBlockingQueue<>();
        bob.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox::add);
        assertThat(connectPersistent(bob).isSessionPresent()).isTrue();
        for (int i = 0; i < BACKLOG; i++) {
            final Mqtt5Publish got = next(inbox);
            assertThat(text(got)).as("message %d of %d", i, BACKLOG).isEqualTo("m" + i);
            assertThat(prop(got, "rtm-offline")).isEqualTo("true");
        }
        // a live message sent after the backlog comes after it
        assertThat(prop(publish(alice, "rtm/user/bob/inbox/alice", "live"), "rtm-status")).isEqualTo("delivered");
        assertThat(text(next(inbox))).isEqualTo("live");
        assertThat(poll(inbox, 300)).isEmpty();
        bob.disconnect();
        alice.disconnect();
    }

    private static Mqtt5ConnAck connectPersistent(final Mqtt5BlockingClient c) {
        return c.connectWith().cleanStart(false).sessionExpiryInterval(3600)
                .restrictions(Mqtt5ConnectRestrictions.builder().receiveMaximum(100).build())
                .simpleAuth().password(broker.token("bob").getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
    }
}
