package org.openrtm.broker.peer;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectRestrictions;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.Bursts;
import org.openrtm.broker.testing.EmbeddedBroker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.mqtt5;

/**
 * Many senders to one recipient at once (fan-in): every message whose PUBACK said {@code delivered} or {@code cached}
 * reaches the recipient, once, in each sender's order. A burst of 100
 * senders x 20 messages used to leave about a quarter of the {@code delivered} messages undelivered: they were handed
 * to HiveMQ beyond what its queue for the client holds, and HiveMQ discards the excess silently.
 */
class FanInIT {

    private static final int SENDERS = 100;
    private static final int EACH = 20;

    @RegisterExtension
    // an offline cache smaller than the window: a burst that waits for the recipient is well beyond it, and nothing
    // handed to the session may be dropped to make room
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of("offline.max-messages", "50"));

    @Test
    void burstOfManySenders_everyAcceptedMessageArrives_onceAndInEachSendersOrder() throws Exception {
        // QoS 1: at QoS 0 the client library itself drops what its application is slow to take (HiveMQ's Java client
        // did so on a loaded machine), so only the broker's side of QoS 0 is tested (MailboxesOrderTest)
        final MqttQos subscriptionQos = MqttQos.AT_LEAST_ONCE;
        final String sink = "sink" + subscriptionQos.getCode();
        // a recipient that takes fewer messages at a time than 100 senders send (Receive Maximum 10 and a slow reader,
        // as a small device or a busy app): most of the burst has to wait in its mailbox
        final Mqtt5BlockingClient recipient = mqtt5(broker, sink);
        recipient.connectWith().restrictions(Mqtt5ConnectRestrictions.builder().receiveMaximum(10).build())
                .simpleAuth().password(broker.token(sink).getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
        final ConcurrentLinkedQueue<Mqtt5Publish> received = new ConcurrentLinkedQueue<>();
        recipient.toAsync().subscribeWith().topicFilter("rtm/user/" + sink + "/inbox/+").qos(subscriptionQos)
                .callback(p -> {
                    received.add(p);
                    Bursts.readSlowly(5);
                }).send().join();

        final List<Mqtt5BlockingClient> senders = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            senders.add(connect(broker, sink + "-s" + s));
        }
        final Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
        final List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            done.add(sendInSequence(senders.get(s).toAsync(), sink, s, 0, statuses));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        final int accepted = statuses.getOrDefault("delivered", new AtomicInteger()).get()
                + statuses.getOrDefault("cached", new AtomicInteger()).get();
        assertThat(accepted).as("statuses %s", statuses).isEqualTo(SENDERS * EACH);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(received).hasSize(SENDERS * EACH));
        Bursts.assertEachSendersOrder(received);
        for (final Mqtt5BlockingClient c : senders) {
            c.disconnect();
        }
        recipient.disconnect();
    }


    private static CompletableFuture<Void> sendInSequence(final Mqtt5AsyncClient c, final String sink, final int s,
                                                          final int i, final Map<String, AtomicInteger> statuses) {
        if (i == EACH) {
            return CompletableFuture.completedFuture(null);
        }
        return c.publish(Mqtt5Publish.builder().topic("rtm/user/" + sink + "/inbox/" + sink + "-s" + s)
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload(Bursts.payload("s" + s, i)).build())
                .thenCompose(r -> {
                    final String status = Bursts.status(r);
                    statuses.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
                    return sendInSequence(c, sink, s, i + 1, statuses);
                });
    }
}
