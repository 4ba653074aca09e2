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
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.prop;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.subscribe;
import static org.openrtm.broker.testing.Clients.text;

/** A channel of 1,000 members (the 10,000-member run is the fan-out benchmark in bench/). */
class LargeChannelIT {

    private static final int MEMBERS = 1_000;

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    @Test
    void joinStorm_countListingAndOneSendReachingEveryone() throws Exception {
        final Set<String> received = ConcurrentHashMap.newKeySet();
        final List<Mqtt5AsyncClient> members = new ArrayList<>();
        final List<CompletableFuture<?>> joins = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            final String uid = String.format("big-%04d", i);
            final Mqtt5AsyncClient c = MqttClient.builder().useMqttVersion5().identifier(uid).serverHost("127.0.0.1")
                    .serverPort(broker.port()).buildAsync();
            members.add(c);
            joins.add(c.connectWith().simpleAuth().password(broker.token(uid).getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth().send()
                    .thenCompose(ack -> c.subscribeWith().topicFilter("rtm/channel/big/msg/+").qos(MqttQos.AT_LEAST_ONCE)
                            .callback(p -> received.add(uid)).send()));
        }
        CompletableFuture.allOf(joins.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);

        final Mqtt5BlockingClient observer = connect(broker, "big-observer");
        final BlockingQueue<Mqtt5Publish> count = subscribe(observer, "rtm/channel/big/count");
        await().atMost(Duration.ofSeconds(10)).until(() -> text(next(count)).equals(Integer.toString(MEMBERS)));

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
        assertThat(pages).isEqualTo(MEMBERS / 100);

        final Mqtt5BlockingClient sender = members.get(0).toBlocking();
        final Mqtt5PubAck ack = publish(sender, "rtm/channel/big/msg/big-0000", "to all");
        assertThat(prop(ack, "rtm-recipients")).isEqualTo(Integer.toString(MEMBERS - 1));
        await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == MEMBERS);

        final List<CompletableFuture<?>> gone = new ArrayList<>();
        members.forEach(c -> gone.add(c.disconnect()));
        CompletableFuture.allOf(gone.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> text(next(count)).equals("0"));
        observer.disconnect();
    }
}
