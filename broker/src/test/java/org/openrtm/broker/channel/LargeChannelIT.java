package org.openrtm.broker.channel;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.openrtm.broker.testing.Clients.connectVia;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.prop;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.subscribe;
import static org.openrtm.broker.testing.Clients.text;

/**
 * A channel of 1,000 members in the suite. The same test checks a channel of 10,000 members when run by hand with
 * {@code -Drtm.it.channel-members=10000} (see docs/benchmarks.md); it logs how long each step took. 10,000 members
 * and the broker need more open files than one process may have here, so that run points the clients at a broker in
 * another process started with {@code RTM_SECRET} set to {@link EmbeddedBroker#SECRET}:
 * {@code -Drtm.it.external-port=PORT}. Deliveries per
 * second at that size are measured by the fan-out benchmark in bench/.
 */
class LargeChannelIT {

    private static final Logger log = LoggerFactory.getLogger(LargeChannelIT.class);
    private static final int MEMBERS = Integer.getInteger("rtm.it.channel-members", 1_000);
    private static final int ROUND = Math.max(1, MEMBERS / 1_000);
    private static final int EXTERNAL_PORT = Integer.getInteger("rtm.it.external-port", -1);

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    @Test
    void joinStorm_countListingAndOneSendReachingEveryone() throws Exception {
        final long t0 = System.nanoTime();
        final Set<String> received = ConcurrentHashMap.newKeySet();
        final List<Mqtt5AsyncClient> members = new ArrayList<>();
        final List<CompletableFuture<?>> joins = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            final String uid = String.format("big-%05d", i);
            final Mqtt5AsyncClient c = MqttClient.builder().useMqttVersion5().identifier(uid).serverHost("127.0.0.1")
                    .serverPort(port()).buildAsync();
            members.add(c);
            if (joins.size() >= 200) {
                // at most 200 logins in flight, as a fleet reconnecting would be paced
                joins.remove(0).get(120, TimeUnit.SECONDS);
            }
            joins.add(c.connectWith().simpleAuth().password(broker.token(uid).getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth().send()
                    .thenCompose(ack -> c.subscribeWith().topicFilter("rtm/channel/big/msg/+").qos(MqttQos.AT_LEAST_ONCE)
                            .callback(p -> received.add(uid)).send()));
        }
        CompletableFuture.allOf(joins.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
        final long joined = System.nanoTime();
        log.info("{} members connected and joined in {} ms", MEMBERS, (joined - t0) / 1_000_000);

        final Mqtt5BlockingClient observer = connectVia(broker, port(), "big-observer");
        final BlockingQueue<Mqtt5Publish> count = subscribe(observer, "rtm/channel/big/count");
        await().atMost(Duration.ofSeconds(10L * ROUND)).until(() -> text(next(count)).equals(Integer.toString(MEMBERS)));
        final long counted = System.nanoTime();
        log.info("retained count {} seen {} ms after the last join", MEMBERS, (counted - joined) / 1_000_000);

        final BlockingQueue<Mqtt5Publish> events = subscribe(observer, "rtm/user/big-observer/event");
        final Set<String> listed = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            publish(observer, "rtm/rpc/channel.members", "{\"cid\":\"big\"" + (cursor == null ? "" : ",\"cursor\":\""
                    + cursor + "\"") + "}");
            final JsonObject result = JsonParser.parseString(text(next(events))).getAsJsonObject().getAsJsonObject("result");
            result.getAsJsonArray("members").forEach(e -> listed.add(e.getAsString()));
            cursor = result.get("cursor").isJsonNull() ? null : result.get("cursor").getAsString();
            pages++;
        } while (cursor != null);
        assertThat(listed).hasSize(MEMBERS);
        assertThat(pages).isEqualTo((MEMBERS + 99) / 100);
        final long listedAt = System.nanoTime();
        log.info("{} members listed in {} pages in {} ms", listed.size(), pages, (listedAt - counted) / 1_000_000);

        final Mqtt5BlockingClient sender = members.get(0).toBlocking();
        final long sent = System.nanoTime();
        final Mqtt5PubAck ack = publish(sender, "rtm/channel/big/msg/big-00000", "to all");
        assertThat(prop(ack, "rtm-recipients")).isEqualTo(Integer.toString(MEMBERS - 1));
        await().atMost(Duration.ofSeconds(30 * ROUND)).until(() -> received.size() == MEMBERS);
        log.info("one message reached all {} members in {} ms", MEMBERS, (System.nanoTime() - sent) / 1_000_000);

        final List<CompletableFuture<?>> gone = new ArrayList<>();
        members.forEach(c -> gone.add(c.disconnect()));
        CompletableFuture.allOf(gone.toArray(new CompletableFuture<?>[0])).get(60L * ROUND, TimeUnit.SECONDS);
        final long left = System.nanoTime();
        await().atMost(Duration.ofSeconds(10L * ROUND)).until(() -> text(next(count)).equals("0"));
        log.info("all left; retained count 0 seen {} ms after the last disconnect", (System.nanoTime() - left) / 1_000_000);
        observer.disconnect();
    }

    private static int port() {
        return EXTERNAL_PORT > 0 ? EXTERNAL_PORT : broker.port();
    }
}
