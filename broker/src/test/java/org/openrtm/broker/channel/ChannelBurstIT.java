package org.openrtm.broker.channel;

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
 * A burst in a channel towards a member that reads slowly: every message whose PUBACK said {@code delivered} reaches
 * it, once, in each sender's order. Channel messages are routed by HiveMQ, whose queue per client held 1,000 messages
 * and discarded the rest silently (60 members sending 20 each left a slow member up to 6 short); the authenticator
 * raises it to {@code limits.client-queue} (5,000). With {@code limits.client-queue=1000} this test lost 681 of the
 * 2,000 messages (2026-12-07).
 */
class ChannelBurstIT {

    private static final int SENDERS = 20;
    private static final int EACH = 100;
    private static final String CHANNEL = "burst";

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    @Test
    void burstBeyondHiveMqsDefaultQueue_reachesASlowMember_completeAndInEachSendersOrder() throws Exception {
        // Receive Maximum 10 and 10 ms per message: the 2,000 messages of the burst wait in HiveMQ's queue for it
        final Mqtt5BlockingClient slow = mqtt5(broker, "slow-member");
        slow.connectWith().restrictions(Mqtt5ConnectRestrictions.builder().receiveMaximum(10).build())
                .simpleAuth().password(broker.token("slow-member").getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .send();
        final ConcurrentLinkedQueue<Mqtt5Publish> received = new ConcurrentLinkedQueue<>();
        slow.toAsync().subscribeWith().topicFilter("rtm/channel/" + CHANNEL + "/msg/+").qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> {
                    received.add(p);
                    Bursts.readSlowly(10);
                }).send().join();

        final List<Mqtt5BlockingClient> senders = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            final Mqtt5BlockingClient c = connect(broker, "burst-s" + s);
            // members (only members may send); they do not take their own messages back
            c.toAsync().subscribeWith().topicFilter("rtm/channel/" + CHANNEL + "/msg/+").qos(MqttQos.AT_LEAST_ONCE)
                    .noLocal(true).callback(p -> { }).send().join();
            senders.add(c);
        }
        final Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
        final List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            done.add(sendAll(senders.get(s).toAsync(), s, statuses));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        assertThat(statuses.getOrDefault("delivered", new AtomicInteger()).get()).as("statuses %s", statuses)
                .isEqualTo(SENDERS * EACH);

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(received).hasSize(SENDERS * EACH));
        Bursts.assertEachSendersOrder(received);
        for (final Mqtt5BlockingClient c : senders) {
            c.disconnect();
        }
        slow.disconnect();
    }


    /** All of a sender's messages at once (QoS 1 keeps their order on its connection), as fast as the broker takes them. */
    private static CompletableFuture<Void> sendAll(final Mqtt5AsyncClient c, final int s,
                                                   final Map<String, AtomicInteger> statuses) {
        final List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < EACH; i++) {
            all.add(c.publish(Mqtt5Publish.builder().topic("rtm/channel/" + CHANNEL + "/msg/burst-s" + s)
                            .qos(MqttQos.AT_LEAST_ONCE)
                            .payload(Bursts.payload("s" + s, i)).build())
                    .thenAccept(r -> {
                        final String status = Bursts.status(r);
                        statuses.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
                    }));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }
}
