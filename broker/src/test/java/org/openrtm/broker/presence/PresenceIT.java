package org.openrtm.broker.presence;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.broker.testing.TcpProxy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.connectVia;
import static org.openrtm.broker.testing.Clients.mqtt5;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.poll;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.subscribe;
import static org.openrtm.broker.testing.Clients.text;

class PresenceIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of(
            "presence.grace", "2s", "presence.max-subscriptions", "3"));

    private static JsonObject json(final Mqtt5Publish p) {
        return JsonParser.parseString(text(p)).getAsJsonObject();
    }

    private static String state(final Mqtt5Publish p) {
        return json(p).get("state").getAsString();
    }

    @Test
    void neverSeenUser_hasNoPresence_thenOnline_thenOfflineOnCleanDisconnect() throws Exception {
        final Mqtt5BlockingClient watcher = connect(broker, "watcher1");
        final BlockingQueue<Mqtt5Publish> presence = subscribe(watcher, "rtm/user/dev1/presence");
        assertThat(poll(presence, 300)).isEmpty();

        final long before = System.currentTimeMillis();
        final Mqtt5BlockingClient dev = connect(broker, "dev1");
        final Mqtt5Publish online = next(presence);
        assertThat(state(online)).isEqualTo("online");
        assertThat(json(online).get("via").getAsString()).isEqualTo("mqtt");
        assertThat(json(online).get("ts").getAsLong()).isGreaterThanOrEqualTo(before);

        dev.disconnect();
        assertThat(state(next(presence))).isEqualTo("offline");
        // a late subscriber gets the current value at once
        final Mqtt5BlockingClient late = connect(broker, "late1");
        final Mqtt5Publish retained = next(subscribe(late, "rtm/user/dev1/presence"));
        assertThat(retained.isRetain()).isTrue();
        assertThat(state(retained)).isEqualTo("offline");
        late.disconnect();
        watcher.disconnect();
    }

    @Test
    void viaCoap_claimedByAnOrdinaryMqttClient_isShownAsMqtt_andOnlyTheGatewaysProofMakesItCoap() throws Exception {
        final byte[] key = org.openrtm.protocol.ViaProof.key(EmbeddedBroker.SECRET.getBytes(StandardCharsets.UTF_8));
        final String[][] cases = {
            {"claims-1", null}, // rtm-via: coap alone
            {"claims-2", org.openrtm.protocol.ViaProof.of(key, "someone-else")}, // another uid's proof
            {"claims-3", "0".repeat(64)}, // a guess
            {"gateway-1", org.openrtm.protocol.ViaProof.of(key, "gateway-1")}, // what the gateway sends
        };
        for (final String[] c : cases) {
            final Mqtt5BlockingClient watcher = connect(broker, "watch-" + c[0]);
            final BlockingQueue<Mqtt5Publish> presence = subscribe(watcher, "rtm/user/" + c[0] + "/presence");
            final Mqtt5BlockingClient client = mqtt5(broker, c[0]);
            final var props = com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties.builder().add("rtm-via", "coap");
            if (c[1] != null) {
                props.add("rtm-via-proof", c[1]);
            }
            client.connectWith().userProperties(props.build()).simpleAuth()
                    .password(broker.token(c[0]).getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
            final Mqtt5Publish online = next(presence);
            assertThat(state(online)).isEqualTo("online");
            assertThat(json(online).get("via").getAsString()).as(c[0]).isEqualTo(c[0].startsWith("gateway") ? "coap" : "mqtt");
            client.disconnect();
            watcher.disconnect();
        }
    }

    @Test
    void lostConnection_isUnreachable_thenOfflineAfterTheGracePeriod() throws Exception {
        final Mqtt5BlockingClient watcher = connect(broker, "watcher2");
        final BlockingQueue<Mqtt5Publish> presence = subscribe(watcher, "rtm/user/dev2/presence");
        try (TcpProxy proxy = new TcpProxy(broker.port())) {
            connectVia(broker, proxy.port(), "dev2");
            assertThat(state(next(presence))).isEqualTo("online");
            final long cut = System.currentTimeMillis();
            proxy.cutAll();
            assertThat(state(next(presence))).isEqualTo("unreachable");
            final Mqtt5Publish offline = next(presence);
            assertThat(state(offline)).isEqualTo("offline");
            assertThat(System.currentTimeMillis() - cut).isGreaterThanOrEqualTo(1_900);
        }
        watcher.disconnect();
    }

    @Test
    void reconnectWithinGrace_goesStraightBackOnline_withoutChannelChurn() throws Exception {
        final Mqtt5BlockingClient watcher = connect(broker, "watcher3");
        final BlockingQueue<Mqtt5Publish> presence = subscribe(watcher, "rtm/user/dev3/presence");
        final BlockingQueue<Mqtt5Publish> markers = subscribe(watcher, "rtm/channel/room3/member/+");
        try (TcpProxy proxy = new TcpProxy(broker.port())) {
            final Mqtt5BlockingClient dev = connectVia(broker, proxy.port(), "dev3");
            subscribe(dev, "rtm/channel/room3/msg/+");
            assertThat(state(next(presence))).isEqualTo("online");
            assertThat(text(next(markers))).contains("since");
            proxy.cutAll();
            assertThat(state(next(presence))).isEqualTo("unreachable");
            final Mqtt5BlockingClient back = connect(broker, "dev3");
            subscribe(back, "rtm/channel/room3/msg/+");
            assertThat(state(next(presence))).isEqualTo("online");
            assertThat(poll(presence, 2_500)).as("no offline after the grace period").isEmpty();
            assertThat(poll(markers, 100)).as("no leave/join churn").isEmpty();
            back.disconnect();
        }
        watcher.disconnect();
    }

    @Test
    void sessionTakeover_keepsTheUserOnline() throws Exception {
        final Mqtt5BlockingClient watcher = connect(broker, "watcher4");
        final BlockingQueue<Mqtt5Publish> presence = subscribe(watcher, "rtm/user/dev4/presence");
        final Mqtt5BlockingClient first = connect(broker, "dev4");
        assertThat(state(next(presence))).isEqualTo("online");
        final Mqtt5BlockingClient second = connect(broker, "dev4");
        assertThat(poll(presence, 2_500)).as("takeover publishes nothing").isEmpty();
        assertThat(second.getState().isConnected()).isTrue();
        assertThat(first.getState().isConnected()).isFalse();
        second.disconnect();
        assertThat(state(next(presence))).isEqualTo("offline");
        watcher.disconnect();
    }

    @Test
    void fastChurn_isSeenInOrder_andTheRetainedValueIsTheLastTransition() throws Exception {
        final List<String> uids = List.of("churn0", "churn1", "churn2");
        final int cycles = 40;
        final Mqtt5BlockingClient watcher = connect(broker, "churn-watcher");
        final Map<String, BlockingQueue<Mqtt5Publish>> seen = new HashMap<>();
        for (final String uid : uids) {
            seen.put(uid, subscribe(watcher, "rtm/user/" + uid + "/presence"));
        }
        // three users connect and disconnect as fast as they can, at the same time (so their lanes interleave)
        final ExecutorService churners = Executors.newFixedThreadPool(uids.size());
        try {
            final List<Future<?>> done = new ArrayList<>();
            for (final String uid : uids) {
                done.add(churners.submit(() -> {
                    for (int i = 0; i < cycles; i++) {
                        connect(broker, uid).disconnect();
                    }
                    return null;
                }));
            }
            for (final Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            churners.shutdownNow();
        }
        final Mqtt5BlockingClient late = connect(broker, "churn-late");
        for (final String uid : uids) {
            final Mqtt5Publish retained = next(subscribe(late, "rtm/user/" + uid + "/presence"));
            assertThat(state(retained)).as("retained presence of %s after the churn", uid).isEqualTo("offline");
            final long lastTs = json(retained).get("ts").getAsLong();
            // the watcher sees the transitions in order, never going back, ending with the retained value
            final List<JsonObject> got = new ArrayList<>();
            while (got.isEmpty() || got.get(got.size() - 1).get("ts").getAsLong() < lastTs) {
                got.add(json(next(seen.get(uid))));
            }
            assertThat(got.get(got.size() - 1)).as("last notification of %s", uid).isEqualTo(json(retained));
            for (int i = 0; i < got.size(); i++) {
                assertThat(got.get(i).get("state").getAsString()).as("notification %d of %s: %s", i, uid, got)
                        .isEqualTo(i % 2 == 0 ? "online" : "offline");
                if (i > 0) {
                    assertThat(got.get(i).get("ts").getAsLong()).as("ts of notification %d of %s: %s", i, uid, got)
                            .isGreaterThan(got.get(i - 1).get("ts").getAsLong());
                }
            }
            // normally 2 × cycles; a reconnect that HiveMQ takes for a takeover of the previous, not yet closed,
            // connection keeps the user online and publishes nothing for that pair (PROTOCOL.md: takeover stays online)
            assertThat(got.size()).as("notifications of %s: %s", uid, got).isEven().isBetween(2, 2 * cycles);
            assertThat(poll(seen.get(uid), 200)).as("nothing after the last transition of %s", uid).isEmpty();
        }
        late.disconnect();
        watcher.disconnect();
    }

    @Test
    void presenceQuery_reportsEveryState_andRefusesBadInput() throws Exception {
        final Mqtt5BlockingClient online = connect(broker, "q-online");
        final Mqtt5BlockingClient gone = connect(broker, "q-gone");
        gone.disconnect();
        final Mqtt5BlockingClient asker = connect(broker, "q-asker");
        final BlockingQueue<Mqtt5Publish> events = subscribe(asker, "rtm/user/q-asker/event");
        publish(asker, "rtm/rpc/presence.query", "{\"uids\":[\"q-online\",\"q-gone\",\"q-never\"],\"rid\":\"1\"}");
        final JsonObject result = json(next(events)).getAsJsonObject("result");
        assertThat(result.get("q-online").getAsString()).isEqualTo("online");
        assertThat(result.get("q-gone").getAsString()).isEqualTo("offline");
        assertThat(result.get("q-never").getAsString()).isEqualTo("offline");

        final StringBuilder many = new StringBuilder("{\"uids\":[");
        for (int i = 0; i < 257; i++) {
            many.append(i == 0 ? "" : ",").append("\"u").append(i).append('"');
        }
        publish(asker, "rtm/rpc/presence.query", many.append("]}").toString());
        assertThat(json(next(events)).getAsJsonObject("error").get("message").getAsString())
                .isEqualTo("uids may list at most 256 users, but listed 257");
        publish(asker, "rtm/rpc/presence.query", "{\"uids\":[\"bad uid\"]}");
        assertThat(json(next(events)).getAsJsonObject("error").get("message").getAsString()).contains("'bad uid'");
        asker.disconnect();
        online.disconnect();
    }

    @Test
    void presenceSubscriptions_areLimitedPerClient() {
        final Mqtt5BlockingClient c = connect(broker, "many-watcher");
        for (int i = 0; i < 3; i++) {
            subscribe(c, "rtm/user/target" + i + "/presence");
        }
        // the same filter again does not count twice
        subscribe(c, "rtm/user/target0/presence");
        Mqtt5SubAck refused;
        try {
            refused = c.subscribeWith().topicFilter("rtm/user/target3/presence").qos(MqttQos.AT_LEAST_ONCE).send();
        } catch (final Mqtt5SubAckException e) {
            refused = e.getMqttMessage();
        }
        assertThat(refused.getReasonCodes().get(0)).isEqualTo(Mqtt5SubAckReasonCode.QUOTA_EXCEEDED);
        assertThat(refused.getReasonString().orElseThrow().toString())
                .contains("presence.max-subscriptions = 3");
        c.unsubscribeWith().topicFilter("rtm/user/target1/presence").send();
        subscribe(c, "rtm/user/target3/presence");
        c.disconnect();
    }

    @Test
    void usersCannotWritePresence_orWatchEveryone() throws Exception {
        final Mqtt5BlockingClient c = connect(broker, "forger");
        assertThat(publish(c, "rtm/user/forger/presence", "{\"state\":\"offline\"}").getReasonCode().isError()).isTrue();
        Mqtt5SubAck all;
        try {
            all = c.subscribeWith().topicFilter("rtm/user/+/presence").qos(MqttQos.AT_LEAST_ONCE).send();
        } catch (final Mqtt5SubAckException e) {
            all = e.getMqttMessage();
        }
        assertThat(all.getReasonCodes().get(0)).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        c.disconnect();
    }

    @Test
    void brokerRestart_leavesNoGhostOnline() throws Exception {
        final Mqtt5BlockingClient dev = connect(broker, "ghost");
        final Mqtt5BlockingClient w = connect(broker, "ghost-watcher");
        assertThat(state(next(subscribe(w, "rtm/user/ghost/presence")))).isEqualTo("online");
        broker.restart(); // the clients are cut off; they do not come back
        final Mqtt5BlockingClient after = connect(broker, "after-restart");
        final Mqtt5Publish p = next(subscribe(after, "rtm/user/ghost/presence"));
        assertThat(state(p)).isEqualTo("offline");
        final BlockingQueue<Mqtt5Publish> events = subscribe(after, "rtm/user/after-restart/event");
        publish(after, "rtm/rpc/presence.query", "{\"uids\":[\"ghost\",\"after-restart\"]}");
        final JsonObject result = json(next(events)).getAsJsonObject("result");
        assertThat(result.get("ghost").getAsString()).isEqualTo("offline");
        assertThat(result.get("after-restart").getAsString()).isEqualTo("online");
        after.disconnect();
        assertThat(dev.getState().isConnected()).isFalse();
        assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).contains("\"via\":\"mqtt\"");
        assertThat(w.getState().isConnected()).isFalse();
        assertThat(events.poll(10, TimeUnit.MILLISECONDS)).isNull();
    }
}
