package org.openrtm.broker.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.protocol.Role;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.connectPersistent;
import static org.openrtm.broker.testing.Clients.connectWithToken;
import static org.openrtm.broker.testing.Clients.mqtt5;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.poll;
import static org.openrtm.broker.testing.Clients.prop;
import static org.openrtm.broker.testing.Clients.props;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.reason;
import static org.openrtm.broker.testing.Clients.subscribe;
import static org.openrtm.broker.testing.Clients.text;

class ChannelIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of(
            "channel.max-joined", "3", "channel.count-interval", "1s", "presence.grace", "2s"));

    private static JsonObject rpc(final Mqtt5BlockingClient c, final BlockingQueue<Mqtt5Publish> events,
                                  final String method, final String body) throws InterruptedException {
        publish(c, "rtm/rpc/" + method, body);
        return JsonParser.parseString(text(next(events))).getAsJsonObject();
    }

    private static Mqtt5SubAck trySubscribe(final Mqtt5BlockingClient c, final String filter) {
        try {
            return c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send();
        } catch (final Mqtt5SubAckException e) {
            return e.getMqttMessage();
        }
    }

    @Test
    void joinAndLeave_areSeenByAThirdClient_asMarkersAndCounts() throws Exception {
        final Mqtt5BlockingClient observer = connect(broker, "obs1");
        final BlockingQueue<Mqtt5Publish> markers = subscribe(observer, "rtm/channel/room1/member/+");
        final BlockingQueue<Mqtt5Publish> count = subscribe(observer, "rtm/channel/room1/count");

        final Mqtt5BlockingClient ann = connect(broker, "ann1");
        subscribe(ann, "rtm/channel/room1/msg/+");
        final Mqtt5Publish joined = next(markers);
        assertThat(joined.getTopic().toString()).isEqualTo("rtm/channel/room1/member/ann1");
        assertThat(JsonParser.parseString(text(joined)).getAsJsonObject().get("since").getAsLong()).isPositive();
        assertThat(text(next(count))).isEqualTo("1");

        final Mqtt5BlockingClient ben = connect(broker, "ben1");
        subscribe(ben, "rtm/channel/room1/msg/#");
        assertThat(next(markers).getTopic().toString()).isEqualTo("rtm/channel/room1/member/ben1");
        assertThat(text(next(count))).isEqualTo("2");

        ann.unsubscribeWith().topicFilter("rtm/channel/room1/msg/+").send();
        final Mqtt5Publish leftByUnsubscribe = next(markers);
        assertThat(leftByUnsubscribe.getTopic().toString()).isEqualTo("rtm/channel/room1/member/ann1");
        assertThat(leftByUnsubscribe.getPayloadAsBytes()).isEmpty();
        assertThat(text(next(count))).isEqualTo("1");

        ben.disconnect();
        final Mqtt5Publish leftByDisconnect = next(markers);
        assertThat(leftByDisconnect.getTopic().toString()).isEqualTo("rtm/channel/room1/member/ben1");
        assertThat(leftByDisconnect.getPayloadAsBytes()).isEmpty();
        assertThat(text(next(count))).isEqualTo("0");

        // a late observer sees the retained state: nobody, count 0
        final Mqtt5BlockingClient late = connect(broker, "late1");
        assertThat(poll(subscribe(late, "rtm/channel/room1/member/+"), 300)).isEmpty();
        assertThat(text(next(subscribe(late, "rtm/channel/room1/count")))).isEqualTo("0");
        late.disconnect();
        ann.disconnect();
        observer.disconnect();
    }

    @Test
    void aRetriedChannelMessage_withTheSameCid_isAnsweredAgain_butReachesNobodyTwice() throws Exception {
        final Mqtt5BlockingClient ann = connect(broker, "ann-dup");
        subscribe(ann, "rtm/channel/room-dup/msg/+");
        final Mqtt5BlockingClient ben = connect(broker, "ben-dup");
        final BlockingQueue<Mqtt5Publish> benGets = subscribe(ben, "rtm/channel/room-dup/msg/+");
        final Mqtt5BlockingClient cat = connect(broker, "cat-dup");
        final BlockingQueue<Mqtt5Publish> catGets = subscribe(cat, "rtm/channel/room-dup/msg/+");

        final Mqtt5PubAck first = publish(ann, "rtm/channel/room-dup/msg/ann-dup", "once", Map.of("rtm-cid", "c-1"));
        final Mqtt5PubAck retry = publish(ann, "rtm/channel/room-dup/msg/ann-dup", "once", Map.of("rtm-cid", "c-1"));
        assertThat(prop(first, "rtm-status")).isEqualTo("delivered");
        assertThat(prop(retry, "rtm-status")).isEqualTo("delivered");
        assertThat(prop(retry, "rtm-id")).isEqualTo(prop(first, "rtm-id"));
        assertThat(prop(retry, "rtm-recipients")).isEqualTo("2");
        // a whitelist send is retried the same way
        final Mqtt5PubAck only = publish(ann, "rtm/channel/room-dup/msg/ann-dup", "to ben",
                Map.of("rtm-cid", "c-2", "rtm-only", "ben-dup"));
        final Mqtt5PubAck onlyRetry = publish(ann, "rtm/channel/room-dup/msg/ann-dup", "to ben",
                Map.of("rtm-cid", "c-2", "rtm-only", "ben-dup"));
        assertThat(prop(onlyRetry, "rtm-id")).isEqualTo(prop(only, "rtm-id"));
        // a new cid is a new message
        publish(ann, "rtm/channel/room-dup/msg/ann-dup", "next", Map.of("rtm-cid", "c-3"));

        assertThat(text(next(benGets))).isEqualTo("once");
        assertThat(text(next(benGets))).isEqualTo("to ben");
        assertThat(text(next(benGets))).isEqualTo("next");
        assertThat(text(next(catGets))).isEqualTo("once");
        assertThat(text(next(catGets))).isEqualTo("next");
        assertThat(poll(benGets, 300)).isEmpty();
        assertThat(poll(catGets, 300)).isEmpty();
        ann.disconnect();
        ben.disconnect();
        cat.disconnect();
    }

    @Test
    void countUpdates_areCoalescedToOnePerSecond() throws Exception {
        final Mqtt5BlockingClient observer = connect(broker, "obs2");
        final BlockingQueue<long[]> arrivals = new java.util.concurrent.LinkedBlockingQueue<>();
        observer.toAsync().subscribeWith().topicFilter("rtm/channel/room2/count").qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> arrivals.add(new long[] {System.nanoTime(), Long.parseLong(text(p))})).send().join();
        final List<Mqtt5BlockingClient> joiners = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            final Mqtt5BlockingClient c = connect(broker, "j2-" + i);
            subscribe(c, "rtm/channel/room2/msg/+");
            joiners.add(c);
        }
        final List<long[]> seen = new ArrayList<>();
        do {
            final long[] a = arrivals.poll(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(a).as("count updates " + seen.size()).isNotNull();
            seen.add(a);
        } while (seen.get(seen.size() - 1)[1] != 6);
        // six joins in quick succession: a few updates at most, spaced by the 1 s interval (less up to 250 ms of
        // delivery jitter on a busy machine, measured here at the receiver), ending at 6
        assertThat(seen.size()).isLessThanOrEqualTo(3);
        for (int i = 1; i < seen.size(); i++) {
            assertThat((seen.get(i)[0] - seen.get(i - 1)[0]) / 1_000_000).as("gap before update " + i)
                    .isGreaterThanOrEqualTo(750);
        }
        joiners.forEach(Mqtt5BlockingClient::disconnect);
        observer.disconnect();
    }

    @Test
    void channelMessage_reachesMembers_stamped_andOnlyMembersMaySend() throws Exception {
        final Mqtt5BlockingClient ann = connect(broker, "ann3");
        final BlockingQueue<Mqtt5Publish> annGets = subscribe(ann, "rtm/channel/room3/msg/+");
        final Mqtt5BlockingClient ben = connect(broker, "ben3");
        final BlockingQueue<Mqtt5Publish> benGets = subscribe(ben, "rtm/channel/room3/msg/+");
        final Mqtt5BlockingClient cat = connect(broker, "cat3");
        final BlockingQueue<Mqtt5Publish> catGets = subscribe(cat, "rtm/channel/room3/msg/+");

        final Mqtt5PubAck ack = publish(ann, "rtm/channel/room3/msg/ann3", "hello room", Map.of("app", "1"));
        assertThat(ack.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(prop(ack, "rtm-status")).isEqualTo("delivered");
        assertThat(prop(ack, "rtm-recipients")).isEqualTo("2");
        for (final BlockingQueue<Mqtt5Publish> q : List.of(benGets, catGets)) {
            final Mqtt5Publish got = next(q);
            assertThat(text(got)).isEqualTo("hello room");
            assertThat(prop(got, "rtm-id")).isEqualTo(prop(ack, "rtm-id"));
            assertThat(prop(got, "rtm-ts")).isNotNull();
            assertThat(prop(got, "app")).isEqualTo("1");
            assertThat(got.isRetain()).isFalse();
        }
        next(annGets); // plain MQTT: the sender gets its own message unless it subscribed with No Local

        final Mqtt5BlockingClient outsider = connect(broker, "out3");
        final Mqtt5PubAck notMember = publish(outsider, "rtm/channel/room3/msg/out3", "let me in");
        assertThat(notMember.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertThat(reason(notMember)).contains("not a member of channel 'room3'");
        final Mqtt5PubAck spoof = publish(ben, "rtm/channel/room3/msg/ann3", "as ann");
        assertThat(prop(spoof, "rtm-status")).isEqualTo("forbidden");
        assertThat(poll(catGets, 300)).isEmpty();

        final Mqtt5PubAck alone = publish(connectAndJoin("solo3", "room3-solo"), "rtm/channel/room3-solo/msg/solo3", "x");
        assertThat(alone.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(prop(alone, "rtm-recipients")).isEqualTo("0");
        for (final Mqtt5BlockingClient c : List.of(ann, ben, cat, outsider)) {
            c.disconnect();
        }
    }

    private static Mqtt5BlockingClient connectAndJoin(final String uid, final String cid) {
        final Mqtt5BlockingClient c = connect(broker, uid);
        subscribe(c, "rtm/channel/" + cid + "/msg/+");
        return c;
    }

    @Test
    void whitelistAndBlacklist_chooseTheRecipients_andAreStripped() throws Exception {
        final Map<String, BlockingQueue<Mqtt5Publish>> inbox = new HashMap<>();
        final List<Mqtt5BlockingClient> clients = new ArrayList<>();
        for (final String uid : List.of("t4", "m4a", "m4b", "m4c", "m4d")) {
            final Mqtt5BlockingClient c = connect(broker, uid);
            inbox.put(uid, subscribe(c, "rtm/channel/room4/msg/+"));
            clients.add(c);
        }
        final Mqtt5BlockingClient teacher = clients.get(0);

        final Mqtt5PubAck only = publish(teacher, "rtm/channel/room4/msg/t4", "moderators only",
                Map.of("rtm-only", "m4a,m4b,nobody4"));
        assertThat(prop(only, "rtm-recipients")).isEqualTo("2");
        for (final String uid : List.of("m4a", "m4b")) {
            final Mqtt5Publish got = next(inbox.get(uid));
            assertThat(text(got)).isEqualTo("moderators only");
            assertThat(got.getTopic().toString()).isEqualTo("rtm/channel/room4/msg/t4");
            assertThat(props(got)).doesNotContainKeys("rtm-only", "rtm-except").containsKey("rtm-id");
        }
        assertThat(poll(inbox.get("m4c"), 300)).isEmpty();
        assertThat(poll(inbox.get("t4"), 10)).isEmpty();

        final Mqtt5PubAck except = publish(teacher, "rtm/channel/room4/msg/t4", "not for c",
                Map.of("rtm-except", "m4c"));
        assertThat(prop(except, "rtm-recipients")).isEqualTo("3");
        for (final String uid : List.of("m4a", "m4b", "m4d")) {
            assertThat(text(next(inbox.get(uid)))).isEqualTo("not for c");
        }
        assertThat(poll(inbox.get("m4c"), 300)).isEmpty();

        final StringBuilder tooMany = new StringBuilder();
        for (int i = 0; i < 129; i++) {
            tooMany.append(i == 0 ? "" : ",").append("u").append(i);
        }
        final Mqtt5PubAck over = publish(teacher, "rtm/channel/room4/msg/t4", "x", Map.of("rtm-except", tooMany.toString()));
        assertThat(over.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID);
        assertThat(prop(over, "rtm-status")).isEqualTo("invalid");
        assertThat(reason(over)).isEqualTo("rtm-except may list at most 128 uids, but listed 129");
        final Mqtt5PubAck both = publish(teacher, "rtm/channel/room4/msg/t4", "x",
                Map.of("rtm-only", "m4a", "rtm-except", "m4b"));
        assertThat(reason(both)).contains("not both");
        final Mqtt5PubAck badUid = publish(teacher, "rtm/channel/room4/msg/t4", "x", Map.of("rtm-only", "m4a,bad uid"));
        assertThat(reason(badUid)).contains("rtm-only must be a comma-separated list of uids").contains("'bad uid'");
        assertThat(poll(inbox.get("m4a"), 300)).isEmpty();
        clients.forEach(Mqtt5BlockingClient::disconnect);
    }

    @Test
    void whitelistedMessage_arrivesOnTheChannelTopic_atTheJoinsQos_evenRightAfterAJoin_andNotAfterLeaving() throws Exception {
        final Mqtt5BlockingClient sender = connect(broker, "t7");
        subscribe(sender, "rtm/channel/room7/msg/+");
        final Mqtt5BlockingClient member = connect(broker, "m7");
        final BlockingQueue<Mqtt5Publish> got = new LinkedBlockingQueue<>();
        member.toAsync().subscribeWith().topicFilter("rtm/channel/room7/msg/+").qos(MqttQos.AT_MOST_ONCE)
                .callback(got::add).send().join();
        // at once after the SUBACK: the internal subscription may not be in place yet, and the message still arrives
        final Mqtt5PubAck first = publish(sender, "rtm/channel/room7/msg/t7", "one", Map.of("rtm-only", "m7"));
        assertThat(prop(first, "rtm-recipients")).isEqualTo("1");
        final Mqtt5Publish one = next(got);
        assertThat(one.getTopic().toString()).isEqualTo("rtm/channel/room7/msg/t7");
        assertThat(one.getQos()).isEqualTo(MqttQos.AT_MOST_ONCE);
        for (int i = 0; i < 20; i++) {
            final Mqtt5PubAck ack = publish(sender, "rtm/channel/room7/msg/t7", "m" + i, Map.of("rtm-only", "m7,t7"));
            assertThat(prop(ack, "rtm-recipients")).isEqualTo("2");
            final Mqtt5Publish p = next(got);
            assertThat(text(p)).isEqualTo("m" + i);
            assertThat(p.getTopic().toString()).isEqualTo("rtm/channel/room7/msg/t7");
            assertThat(p.getQos()).isEqualTo(MqttQos.AT_MOST_ONCE);
            assertThat(props(p)).doesNotContainKeys("rtm-only").containsKeys("rtm-id", "rtm-ts");
        }
        member.unsubscribeWith().topicFilter("rtm/channel/room7/msg/+").send();
        await().atMost(Duration.ofSeconds(5)).until(() -> "0".equals(prop(
                publish(sender, "rtm/channel/room7/msg/t7", "gone", Map.of("rtm-only", "m7")), "rtm-recipients")));
        assertThat(poll(got, 300)).isEmpty();
        sender.disconnect();
        member.disconnect();
    }

    @Test
    void theInternalDirectTopics_areClosedToClients() {
        final Mqtt5BlockingClient c = connect(broker, "m8");
        assertThat(trySubscribe(c, "rtm/direct/m8/room8/+").getReasonCodes().get(0))
                .isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        subscribe(c, "rtm/channel/room8/msg/+");
        final Mqtt5PubAck forged = publish(c, "rtm/direct/m8/room8/someone", "forged");
        assertThat(forged.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        c.disconnect();
    }

    @Test
    void joinLimit_isEnforced_andLeavingFreesASlot() {
        final Mqtt5BlockingClient c = connect(broker, "joiner5");
        for (int i = 0; i < 3; i++) {
            subscribe(c, "rtm/channel/lim5-" + i + "/msg/+");
        }
        subscribe(c, "rtm/channel/lim5-0/msg/#"); // already a member: no new slot needed
        final Mqtt5SubAck refused = trySubscribe(c, "rtm/channel/lim5-3/msg/+");
        assertThat(refused.getReasonCodes().get(0)).isEqualTo(Mqtt5SubAckReasonCode.QUOTA_EXCEEDED);
        assertThat(refused.getReasonString().orElseThrow().toString()).contains("channel.max-joined = 3");
        c.unsubscribeWith().topicFilter("rtm/channel/lim5-2/msg/+").send();
        subscribe(c, "rtm/channel/lim5-3/msg/+");
        c.disconnect();
    }

    @Test
    void subscribingToOneSenderOrAllChannels_isNotAJoin_andRefused() {
        final Mqtt5BlockingClient c = connect(broker, "peek6");
        assertThat(trySubscribe(c, "rtm/channel/room6/msg/ann").getReasonCodes().get(0))
                .isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        assertThat(trySubscribe(c, "rtm/channel/+/msg/+").getReasonCodes().get(0))
                .isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        assertThat(trySubscribe(c, "rtm/channel/+/count").getReasonCodes().get(0))
                .isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        c.disconnect();
    }

    @Test
    void broadcast_isForServicesOnly_andReachesEveryListener() throws Exception {
        final Mqtt5BlockingClient listener = connect(broker, "listener7");
        final BlockingQueue<Mqtt5Publish> all = subscribe(listener, "rtm/all/+");
        final Mqtt5BlockingClient service = mqtt5(broker, "svc7");
        connectWithToken(service, broker.token("svc7", Role.SERVICE));
        final Mqtt5PubAck ack = publish(service, "rtm/all/svc7", "maintenance at noon");
        assertThat(prop(ack, "rtm-status")).isEqualTo("delivered");
        assertThat(Integer.parseInt(prop(ack, "rtm-recipients"))).isGreaterThanOrEqualTo(1);
        final Mqtt5Publish got = next(all);
        assertThat(text(got)).isEqualTo("maintenance at noon");
        assertThat(prop(got, "rtm-id")).isEqualTo(prop(ack, "rtm-id"));

        final Mqtt5BlockingClient user = connect(broker, "user7");
        final Mqtt5PubAck refused = publish(user, "rtm/all/user7", "everyone listen");
        assertThat(refused.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertThat(reason(refused)).contains("needs role service or admin");
        assertThat(poll(all, 300)).isEmpty();
        user.disconnect();
        service.disconnect();
        listener.disconnect();
    }

    @Test
    void channelRpcs_pageMembers_countAndListJoinedChannels() throws Exception {
        final List<Mqtt5BlockingClient> members = new ArrayList<>();
        for (final String uid : List.of("p8-e", "p8-a", "p8-d", "p8-b", "p8-c")) {
            members.add(connectAndJoin(uid, "room8"));
        }
        subscribe(members.get(0), "rtm/channel/room8-other/msg/+");
        final Mqtt5BlockingClient asker = connect(broker, "asker8");
        final BlockingQueue<Mqtt5Publish> events = subscribe(asker, "rtm/user/asker8/event");

        JsonObject page = rpc(asker, events, "channel.members", "{\"cid\":\"room8\",\"limit\":2}").getAsJsonObject("result");
        final List<String> seen = new ArrayList<>();
        while (true) {
            final JsonArray list = page.getAsJsonArray("members");
            list.forEach(e -> seen.add(e.getAsString()));
            if (page.get("cursor").isJsonNull()) {
                break;
            }
            assertThat(list.size()).isEqualTo(2);
            page = rpc(asker, events, "channel.members", "{\"cid\":\"room8\",\"limit\":2,\"cursor\":\""
                    + page.get("cursor").getAsString() + "\"}").getAsJsonObject("result");
        }
        assertThat(seen).containsExactly("p8-a", "p8-b", "p8-c", "p8-d", "p8-e");

        final JsonObject counts = rpc(asker, events, "channel.count", "{\"cids\":[\"room8\",\"room8-other\",\"empty8\"]}")
                .getAsJsonObject("result");
        assertThat(counts.get("room8").getAsInt()).isEqualTo(5);
        assertThat(counts.get("room8-other").getAsInt()).isEqualTo(1);
        assertThat(counts.get("empty8").getAsInt()).isZero();

        final JsonObject joined = rpc(asker, events, "channel.joined", "{\"uid\":\"p8-e\"}").getAsJsonObject("result");
        assertThat(joined.getAsJsonArray("channels").toString()).isEqualTo("[\"room8\",\"room8-other\"]");
        assertThat(rpc(asker, events, "channel.joined", "{}").getAsJsonObject("result").getAsJsonArray("channels"))
                .isEmpty();

        final JsonObject tooBig = rpc(asker, events, "channel.members", "{\"cid\":\"room8\",\"limit\":101}");
        assertThat(tooBig.getAsJsonObject("error").get("message").getAsString())
                .isEqualTo("limit must be a whole number between 1 and 100, but was 101");
        final JsonObject badCursor = rpc(asker, events, "channel.members", "{\"cid\":\"room8\",\"cursor\":\"!!\"}");
        assertThat(badCursor.getAsJsonObject("error").get("code").getAsString()).isEqualTo("invalid");
        final StringBuilder cids = new StringBuilder("{\"cids\":[");
        for (int i = 0; i < 33; i++) {
            cids.append(i == 0 ? "" : ",").append("\"c").append(i).append('"');
        }
        assertThat(rpc(asker, events, "channel.count", cids.append("]}").toString()).getAsJsonObject("error")
                .get("message").getAsString()).isEqualTo("cids may list at most 32 channels, but listed 33");
        members.forEach(Mqtt5BlockingClient::disconnect);
        asker.disconnect();
    }

    @Test
    void persistentSession_rejoinsItsChannels_whenItReconnects() throws Exception {
        final Mqtt5BlockingClient observer = connect(broker, "obs9");
        final BlockingQueue<Mqtt5Publish> markers = subscribe(observer, "rtm/channel/room9/member/+");
        Mqtt5BlockingClient dev = connectPersistent(broker, "dev9");
        subscribe(dev, "rtm/channel/room9/msg/+");
        assertThat(text(next(markers))).contains("since");
        dev.disconnect(); // clean: offline, leaves the channel, but the broker keeps the session
        assertThat(next(markers).getPayloadAsBytes()).isEmpty();
        dev = connectPersistent(broker, "dev9");
        final Mqtt5Publish rejoined = next(markers);
        assertThat(rejoined.getTopic().toString()).isEqualTo("rtm/channel/room9/member/dev9");
        assertThat(text(rejoined)).contains("since");
        dev.disconnect();
        observer.disconnect();
    }

    @Test
    void freshSessionThatDoesNotResubscribe_leavesAfterTheGracePeriod() throws Exception {
        final Mqtt5BlockingClient observer = connect(broker, "obs10");
        final BlockingQueue<Mqtt5Publish> markers = subscribe(observer, "rtm/channel/room10/member/+");
        try (var proxy = new org.openrtm.broker.testing.TcpProxy(broker.port())) {
            final Mqtt5BlockingClient dev = org.openrtm.broker.testing.Clients.connectVia(broker, proxy.port(), "dev10");
            subscribe(dev, "rtm/channel/room10/msg/+");
            assertThat(text(next(markers))).contains("since");
            proxy.cutAll();
        }
        final Mqtt5BlockingClient back = connect(broker, "dev10"); // fresh session, no subscription
        final long reconnected = System.currentTimeMillis();
        final Mqtt5Publish left = next(markers);
        assertThat(left.getPayloadAsBytes()).isEmpty();
        assertThat(System.currentTimeMillis() - reconnected).isGreaterThanOrEqualTo(1_500);
        back.disconnect();
        observer.disconnect();
    }
}
