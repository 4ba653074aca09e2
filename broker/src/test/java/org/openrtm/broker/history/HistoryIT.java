package org.openrtm.broker.history;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.protocol.Role;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.connectWithToken;
import static org.openrtm.broker.testing.Clients.mqtt5;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.prop;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.rpc;
import static org.openrtm.broker.testing.Clients.subscribe;

class HistoryIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of(
            "history.max-per-conversation", "20", "history.sweep-interval", "1s"));

    /** A connected user with its event subscription, for RPCs. */
    private record User(String uid, Mqtt5BlockingClient client, BlockingQueue<Mqtt5Publish> events) {

        static User connected(final String uid) {
            final Mqtt5BlockingClient c = connect(broker, uid);
            return new User(uid, c, subscribe(c, "rtm/user/" + uid + "/event"));
        }

        static User service(final String uid) {
            final Mqtt5BlockingClient c = mqtt5(broker, uid);
            connectWithToken(c, broker.token(uid, Role.SERVICE));
            return new User(uid, c, subscribe(c, "rtm/user/" + uid + "/event"));
        }

        JsonObject query(final String body) throws InterruptedException {
            return rpc(client, events, "history.query", body);
        }

        JsonObject page(final String body) throws InterruptedException {
            final JsonObject reply = query(body);
            assertThat(reply.get("ok").getAsBoolean()).as(reply.toString()).isTrue();
            return reply.getAsJsonObject("result");
        }

        /** Every message of a query, following cursors; checks each page's size. */
        List<JsonObject> all(final String fields, final int limit) throws InterruptedException {
            final List<JsonObject> out = new ArrayList<>();
            String cursor = null;
            do {
                final JsonObject page = page("{" + fields + ",\"limit\":" + limit
                        + (cursor == null ? "" : ",\"cursor\":\"" + cursor + "\"") + "}");
                final JsonArray messages = page.getAsJsonArray("messages");
                assertThat(messages.size()).isLessThanOrEqualTo(limit);
                for (final JsonElement e : messages) {
                    out.add(e.getAsJsonObject());
                }
                cursor = page.get("cursor").isJsonNull() ? null : page.get("cursor").getAsString();
                assertThat(cursor == null || messages.size() == limit).as("a page with a cursor is full").isTrue();
            } while (cursor != null);
            return out;
        }

        String error(final String body) throws InterruptedException {
            final JsonObject reply = query(body);
            assertThat(reply.get("ok").getAsBoolean()).as(reply.toString()).isFalse();
            return reply.getAsJsonObject("error").get("code").getAsString() + ": "
                    + reply.getAsJsonObject("error").get("message").getAsString();
        }

        void close() {
            client.disconnect();
        }
    }

    private static List<String> ids(final List<JsonObject> messages) {
        final List<String> out = new ArrayList<>();
        messages.forEach(m -> out.add(m.get("id").getAsString()));
        return out;
    }

    private static String send(final Mqtt5BlockingClient c, final String topic, final String text,
                               final Map<String, String> props) {
        final Mqtt5PubAck ack = publish(c, topic, text, props);
        assertThat(prop(ack, "rtm-status")).isIn("delivered", "cached");
        return prop(ack, "rtm-id");
    }

    @Test
    void peerConversation_isPagedInBothOrders_byBothSides_acrossARestart() throws Exception {
        final User alice = User.connected("alice1");
        final List<String> sent = new ArrayList<>();
        for (int i = 0; i < 6; i++) { // bob is offline: cached, and recorded
            sent.add(send(alice.client(), "rtm/user/bob1/inbox/alice1", "m" + i, Map.of()));
        }
        send(alice.client(), "rtm/user/bob1/inbox/alice1", "secret", Map.of("rtm-history", "false"));
        // not cacheable and bob offline: unreachable, so not recorded
        assertThat(prop(publish(alice.client(), "rtm/user/bob1/inbox/alice1", "lost", Map.of("rtm-offline", "false")),
                "rtm-status")).isEqualTo("unreachable");
        final Mqtt5BlockingClient bob = connect(broker, "bob1");
        final BlockingQueue<Mqtt5Publish> inbox = subscribe(bob, "rtm/user/bob1/inbox/+");
        for (int i = 0; i < 7; i++) {
            next(inbox);
        }
        for (int i = 6; i < 10; i++) {
            sent.add(send(alice.client(), "rtm/user/bob1/inbox/alice1", "m" + i, Map.of()));
        }
        sent.add(send(alice.client(), "rtm/user/bob1/inbox/alice1", "live only", Map.of("rtm-offline", "false")));
        sent.add(send(bob, "rtm/user/alice1/inbox/bob1", "reply", Map.of()));
        final Mqtt5PubAck binary = publish(alice.client(), Mqtt5Publish.builder().topic("rtm/user/bob1/inbox/alice1")
                .qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {(byte) 0xff, 0, (byte) 0xfe}).build());
        sent.add(prop(binary, "rtm-id"));

        final List<JsonObject> newestFirst = alice.all("\"peer\":\"bob1\"", 4);
        final List<String> reversed = new ArrayList<>(sent);
        Collections.reverse(reversed);
        assertThat(ids(newestFirst)).containsExactlyElementsOf(reversed);
        final JsonObject bin = newestFirst.get(0);
        assertThat(bin.get("from").getAsString()).isEqualTo("alice1");
        assertThat(bin.get("to").getAsString()).isEqualTo("bob1");
        assertThat(bin.get("encoding").getAsString()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(bin.get("payload").getAsString())).containsExactly(0xff, 0, 0xfe);
        final JsonObject reply = newestFirst.get(1);
        assertThat(reply.get("from").getAsString()).isEqualTo("bob1");
        assertThat(reply.get("to").getAsString()).isEqualTo("alice1");
        assertThat(reply.get("payload").getAsString()).isEqualTo("reply");
        assertThat(reply.get("encoding").getAsString()).isEqualTo("utf8");
        assertThat(reply.get("ts").getAsLong()).isLessThanOrEqualTo(bin.get("ts").getAsLong());
        assertThat(ids(alice.all("\"peer\":\"bob1\",\"order\":\"asc\"", 5))).containsExactlyElementsOf(sent);
        final JsonObject firstPage = alice.page("{\"peer\":\"bob1\",\"order\":\"asc\",\"limit\":3}");
        final String cursor = firstPage.get("cursor").getAsString();
        assertThat(alice.page("{\"peer\":\"carol1\"}").getAsJsonArray("messages")).isEmpty();
        alice.close();
        bob.disconnect();

        broker.restart();

        final User bobAgain = User.connected("bob1");
        assertThat(ids(bobAgain.all("\"peer\":\"alice1\"", 100))).containsExactlyElementsOf(reversed);
        assertThat(ids(bobAgain.all("\"peer\":\"alice1\",\"order\":\"asc\"", 7))).containsExactlyElementsOf(sent);
        // a cursor from before the restart still names the same place
        final JsonObject second = bobAgain.page("{\"peer\":\"alice1\",\"order\":\"asc\",\"limit\":3,\"cursor\":\""
                + cursor + "\"}");
        assertThat(ids(jsonList(second.getAsJsonArray("messages")))).containsExactlyElementsOf(sent.subList(3, 6));
        bobAgain.close();
    }

    private static List<JsonObject> jsonList(final JsonArray a) {
        final List<JsonObject> out = new ArrayList<>();
        a.forEach(e -> out.add(e.getAsJsonObject()));
        return out;
    }

    @Test
    void timeRange_startIsInclusive_endIsExclusive() throws Exception {
        final User a = User.connected("a2");
        for (int i = 0; i < 6; i++) {
            send(a.client(), "rtm/user/b2/inbox/a2", "t" + i, Map.of());
        }
        final List<JsonObject> all = a.all("\"peer\":\"b2\",\"order\":\"asc\"", 100);
        final long start = all.get(2).get("ts").getAsLong();
        final long end = all.get(4).get("ts").getAsLong();
        final List<String> expected = new ArrayList<>();
        for (final JsonObject m : all) {
            final long ts = m.get("ts").getAsLong();
            if (ts >= start && ts < end) {
                expected.add(m.get("id").getAsString());
            }
        }
        assertThat(expected).isNotEmpty();
        assertThat(ids(a.all("\"peer\":\"b2\",\"order\":\"asc\",\"start\":" + start + ",\"end\":" + end, 100)))
                .containsExactlyElementsOf(expected);
        Collections.reverse(expected);
        assertThat(ids(a.all("\"peer\":\"b2\",\"start\":" + start + ",\"end\":" + end, 1)))
                .containsExactlyElementsOf(expected);
        a.close();
    }

    @Test
    void channelHistory_isForCurrentMembers_andRespectsEachMessagesAudience() throws Exception {
        final User teacher = User.connected("t3");
        final User s1 = User.connected("s1-3");
        final User s2 = User.connected("s2-3");
        for (final User u : List.of(teacher, s1, s2)) {
            subscribe(u.client(), "rtm/channel/class3/msg/+");
        }
        final String all = send(teacher.client(), "rtm/channel/class3/msg/t3", "hello all", Map.of());
        final String onlyS1 = send(teacher.client(), "rtm/channel/class3/msg/t3", "for s1", Map.of("rtm-only", "s1-3"));
        final String notS2 = send(teacher.client(), "rtm/channel/class3/msg/t3", "not s2", Map.of("rtm-except", "s2-3"));
        send(s2.client(), "rtm/channel/class3/msg/s2-3", "off the record", Map.of("rtm-history", "false"));
        final String fromS2 = send(s2.client(), "rtm/channel/class3/msg/s2-3", "question", Map.of("rtm-only", "t3"));

        final List<JsonObject> teacherView = teacher.all("\"cid\":\"class3\",\"order\":\"asc\"", 2);
        assertThat(ids(teacherView)).containsExactly(all, onlyS1, notS2, fromS2);
        assertThat(teacherView.get(0).get("cid").getAsString()).isEqualTo("class3");
        assertThat(teacherView.get(0).get("from").getAsString()).isEqualTo("t3");
        assertThat(teacherView.get(0).has("to")).isFalse();
        assertThat(ids(s1.all("\"cid\":\"class3\",\"order\":\"asc\"", 100))).containsExactly(all, onlyS1, notS2);
        // s2 was left out of two messages, and sees its own message to the teacher
        assertThat(ids(s2.all("\"cid\":\"class3\",\"order\":\"asc\"", 1))).containsExactly(all, fromS2);

        // a member who joins later sees what was sent before, within its audience
        final User late = User.connected("late3");
        assertThat(late.error("{\"cid\":\"class3\"}")).startsWith("forbidden: you are not a member of channel 'class3'");
        subscribe(late.client(), "rtm/channel/class3/msg/+");
        assertThat(ids(late.all("\"cid\":\"class3\",\"order\":\"asc\"", 100))).containsExactly(all, notS2);
        // who leaves loses access
        late.client().unsubscribeWith().topicFilter("rtm/channel/class3/msg/+").send();
        await().atMost(Duration.ofSeconds(5)).until(() -> late.error("{\"cid\":\"class3\"}").startsWith("forbidden"));

        // services read any channel in full, without joining
        final User svc = User.service("svc3");
        assertThat(ids(svc.all("\"cid\":\"class3\",\"order\":\"asc\"", 100))).containsExactly(all, onlyS1, notS2, fromS2);
        for (final User u : List.of(teacher, s1, s2, late, svc)) {
            u.close();
        }
    }

    @Test
    void othersConversations_areForbidden_butServicesMayReadThem() throws Exception {
        final User alice = User.connected("alice4");
        final String id = send(alice.client(), "rtm/user/bob4/inbox/alice4", "private", Map.of());
        final User carol = User.connected("carol4");
        assertThat(carol.error("{\"peer\":\"bob4\",\"uid\":\"alice4\"}"))
                .startsWith("forbidden: you may read only your own conversations; uid 'alice4' is someone else's");
        // carol's own conversation with bob is empty: nothing leaks
        assertThat(carol.page("{\"peer\":\"bob4\"}").getAsJsonArray("messages")).isEmpty();
        final User svc = User.service("svc4");
        assertThat(ids(svc.all("\"peer\":\"bob4\",\"uid\":\"alice4\"", 100))).containsExactly(id);
        for (final String bad : List.of("{}", "{\"peer\":\"bob4\",\"cid\":\"room\"}", "{\"peer\":\"bob4\",\"limit\":101}",
                "{\"peer\":\"bob4\",\"limit\":0}", "{\"peer\":\"bob4\",\"order\":\"up\"}",
                "{\"peer\":\"bob4\",\"cursor\":\"zz\"}", "{\"peer\":\"bob4\",\"start\":\"yesterday\"}",
                "{\"peer\":\"bob 4\"}", "{\"cid\":\"room\",\"uid\":\"x\"}", "{\"peer\":\"bob4\",\"since\":1}")) {
            assertThat(carol.error(bad)).as(bad).startsWith("invalid: ");
        }
        alice.close();
        carol.close();
        svc.close();
    }

    @Test
    void conversationsOverTheCap_loseTheirOldestMessages_inTheBackground() throws Exception {
        final User a = User.connected("a5");
        final List<String> sent = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            sent.add(send(a.client(), "rtm/user/b5/inbox/a5", "c" + i, Map.of()));
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(ids(a.all("\"peer\":\"b5\",\"order\":\"asc\"", 100)))
                        .containsExactlyElementsOf(sent.subList(5, 25)));
        assertThat(broker.broker().runtime().history().sweepStats().capped()).isGreaterThanOrEqualTo(5);
        a.close();
    }
}
