package org.openrtm.broker.access;

import com.google.gson.JsonObject;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.extension.auth.Tokens;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Role;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.connect3;
import static org.openrtm.broker.testing.Clients.connectWithToken;
import static org.openrtm.broker.testing.Clients.mqtt5;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.prop;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.publishRetained;
import static org.openrtm.broker.testing.Clients.reason;
import static org.openrtm.broker.testing.Clients.rpc;
import static org.openrtm.broker.testing.Clients.subscribe;
import static org.openrtm.broker.testing.Clients.text;

/**
 * The access matrix: for every topic family and RPC, a user ({@code eve}) tries what the protocol forbids. Each attempt
 * must be refused with the protocol's reason code and {@code rtm-status}, and must leave no trace: nothing reaches the
 * victims ({@code bob}, {@code alice}) or a service that watches the whole tree, no retained message appears or
 * changes, no member marker, no history record.
 *
 * <p>Every attack payload carries a unique marker ({@code ATTACKnnnnn}); the no-trace checks look for that marker.
 */
class AccessMatrixIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    private static final AtomicInteger MARKERS = new AtomicInteger();
    private static final String ROOM = "room";
    private static final String LONG_ID = "x".repeat(65);

    static Mqtt5BlockingClient eve;
    static Mqtt5BlockingClient bob;
    static Mqtt5BlockingClient alice;
    static Mqtt5BlockingClient watcher;
    static final BlockingQueue<Mqtt5Publish> EVE_GOT = new LinkedBlockingQueue<>();
    static final BlockingQueue<Mqtt5Publish> BOB_GOT = new LinkedBlockingQueue<>();
    static final BlockingQueue<Mqtt5Publish> ALICE_GOT = new LinkedBlockingQueue<>();
    static final BlockingQueue<Mqtt5Publish> WATCHED = new LinkedBlockingQueue<>();
    static BlockingQueue<Mqtt5Publish> eveEvents;
    static BlockingQueue<Mqtt5Publish> bobEvents;
    static BlockingQueue<Mqtt5Publish> aliceEvents;

    @BeforeAll
    static void setUp() throws Exception {
        eve = connect(broker, "eve");
        bob = connect(broker, "bob");
        alice = connect(broker, "alice");
        watcher = mqtt5(broker, "watcher");
        connectWithToken(watcher, broker.token("watcher", Role.SERVICE));
        eveEvents = subscribe(eve, "rtm/user/eve/event");
        bobEvents = subscribe(bob, "rtm/user/bob/event");
        aliceEvents = subscribe(alice, "rtm/user/alice/event");
        // everything else the three receive lands in one queue each
        eve.toAsync().publishes(MqttGlobalPublishFilter.REMAINING, EVE_GOT::add);
        bob.toAsync().publishes(MqttGlobalPublishFilter.REMAINING, BOB_GOT::add);
        alice.toAsync().publishes(MqttGlobalPublishFilter.REMAINING, ALICE_GOT::add);
        watcher.toAsync().publishes(MqttGlobalPublishFilter.REMAINING, WATCHED::add);
        for (final Mqtt5BlockingClient c : List.of(bob, alice)) {
            final String uid = c.getConfig().getClientIdentifier().orElseThrow().toString();
            sub(c, "rtm/user/" + uid + "/inbox/+");
            sub(c, "rtm/user/" + uid + "/call/+");
            sub(c, "rtm/channel/" + ROOM + "/msg/+");
        }
        sub(eve, "rtm/user/eve/inbox/+");
        for (final String filter : List.of("rtm/user/#", "rtm/channel/#", "rtm/all/+")) {
            assertThat(sub(watcher, filter).getReasonCodes().get(0).isError()).as(filter).isFalse();
        }
        // state an attacker may try to overwrite
        assertThat(publishRetained(bob, "rtm/user/bob/attr/name", bytes("Bob"), Map.of()).getReasonCode().isError())
                .isFalse();
        assertThat(publishRetained(alice, "rtm/channel/room/attr/topic", bytes("maths"), Map.of()).getReasonCode()
                .isError()).isFalse();
        // a conversation whose history must stay as it is
        assertThat(prop(publish(alice, "rtm/user/bob/inbox/alice", "hi bob"), "rtm-status")).isEqualTo("delivered");
    }

    @AfterAll
    static void tearDown() {
        for (final Mqtt5BlockingClient c : new Mqtt5BlockingClient[] {eve, bob, alice, watcher}) {
            if (c != null && c.getState().isConnected()) {
                c.disconnect();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ publishes

    /** One forbidden publish, what it must get, and where a trace would show. */
    record Attempt(String name, String sender, String topic, String payload, boolean retain, Map<String, String> props,
                   String responseTopic, int code, String status, String reasonHint) {

        @Override
        public String toString() {
            return name;
        }
    }

    /** A unique, fixed-width marker (so that no marker is a prefix of another). */
    private static String marker() {
        return String.format("ATTACK%05d", MARKERS.incrementAndGet());
    }

    private static Attempt attempt(final String name, final String topic, final String payload, final int code,
                                   final String status, final String hint) {
        return new Attempt(name, "eve", topic, payload, false, Map.of(), null, code, status, hint);
    }

    private static Attempt retained(final String name, final String topic, final String payload, final int code,
                                    final String status, final String hint) {
        return new Attempt(name, "eve", topic, payload, true, Map.of(), null, code, status, hint);
    }

    private static String invite(final String m) {
        return "{\"id\":\"c-" + m.toLowerCase() + "\",\"action\":\"invite\",\"content\":\"" + m + "\"}";
    }

    static Stream<Attempt> forbiddenPublishes() {
        final List<Attempt> a = new ArrayList<>();
        String m;
        // peer messages and calls: the sender level is the publisher's own uid
        m = marker();
        a.add(attempt("spoofed peer sender", "rtm/user/bob/inbox/alice", m, 0x87, "forbidden", "sender"));
        m = marker();
        a.add(attempt("spoofed call caller", "rtm/user/bob/call/alice", invite(m), 0x87, "forbidden", "sender"));
        m = marker();
        a.add(attempt("spoofed channel sender", "rtm/channel/room/msg/alice", m, 0x87, "forbidden", ""));
        m = marker();
        a.add(attempt("channel message by a non-member", "rtm/channel/room/msg/eve", m, 0x87, "forbidden", "member"));
        m = marker();
        a.add(new Attempt("channel message by a non-member with rtm-only", "eve", "rtm/channel/room/msg/eve", m, false,
                Map.of("rtm-only", "bob"), null, 0x87, "forbidden", "member"));
        // broadcasts
        m = marker();
        a.add(attempt("broadcast without the role", "rtm/all/eve", m, 0x87, "forbidden", "service"));
        m = marker();
        a.add(attempt("broadcast as someone else", "rtm/all/watcher", m, 0x87, "forbidden", ""));
        m = marker();
        a.add(new Attempt("service broadcasting as someone else", "watcher", "rtm/all/alice", m, false, Map.of(), null,
                0x87, "forbidden", ""));
        m = marker();
        a.add(new Attempt("service sending a peer message as someone else", "watcher", "rtm/user/bob/inbox/alice", m,
                false, Map.of(), null, 0x87, "forbidden", ""));
        // server-only topics
        m = marker();
        a.add(attempt("another's event topic", "rtm/user/bob/event", "{\"type\":\"receipt\",\"id\":\"" + m + "\"}",
                0x87, "forbidden", "written only by the server"));
        m = marker();
        a.add(attempt("own event topic", "rtm/user/eve/event", m, 0x87, "forbidden", "written only by the server"));
        m = marker();
        a.add(retained("another's presence", "rtm/user/bob/presence", "{\"state\":\"offline\",\"m\":\"" + m + "\"}",
                0x87, "forbidden", "written only by the server"));
        m = marker();
        a.add(retained("own presence", "rtm/user/eve/presence", "{\"state\":\"online\",\"m\":\"" + m + "\"}",
                0x87, "forbidden", "written only by the server"));
        m = marker();
        a.add(retained("own member marker", "rtm/channel/room/member/eve", "{\"since\":1,\"m\":\"" + m + "\"}", 0x87,
                "forbidden", "written only by the server"));
        a.add(retained("removing another's member marker", "rtm/channel/room/member/bob", "", 0x87, "forbidden",
                "written only by the server"));
        m = marker();
        a.add(retained("member count", "rtm/channel/room/count", m, 0x87, "forbidden", "written only by the server"));
        // attributes
        m = marker();
        a.add(retained("another's user attribute", "rtm/user/bob/attr/name", m, 0x87, "forbidden", "only your own"));
        a.add(retained("deleting another's user attribute", "rtm/user/bob/attr/name", "", 0x87, "forbidden",
                "only your own"));
        m = marker();
        a.add(retained("channel attribute by a non-member", "rtm/channel/room/attr/topic", m, 0x87, "forbidden",
                "not a member"));
        a.add(retained("deleting a channel attribute by a non-member", "rtm/channel/room/attr/topic", "", 0x87,
                "forbidden", "not a member"));
        // outside the tree, malformed levels
        m = marker();
        a.add(attempt("unknown family", "rtm/secret/x", m, 0x87, "forbidden", "not part of the rtm/ topic tree"));
        m = marker();
        a.add(attempt("too few levels", "rtm/user/bob", m, 0x87, "forbidden", "not part of the rtm/ topic tree"));
        m = marker();
        a.add(attempt("extra level", "rtm/user/bob/inbox/eve/x", m, 0x87, "forbidden", "not part of the rtm/ topic tree"));
        m = marker();
        a.add(attempt("over-long recipient uid", "rtm/user/" + LONG_ID + "/inbox/eve", m, 0x90, "invalid", "65"));
        m = marker();
        a.add(attempt("recipient uid with a space", "rtm/user/b%20b/inbox/eve".replace("%20", " "), m, 0x90, "invalid",
                "uid"));
        m = marker();
        a.add(attempt("over-long channel id", "rtm/channel/" + LONG_ID + "/msg/eve", m, 0x90, "invalid", "65"));
        m = marker();
        a.add(retained("over-long attribute key", "rtm/user/eve/attr/" + "k".repeat(33), m, 0x90, "invalid", "33"));
        // sender properties that must be refused
        m = marker();
        a.add(new Attempt("over-long rtm-cid", "eve", "rtm/user/bob/inbox/eve", m, false,
                Map.of("rtm-cid", "c".repeat(129)), null, 0x99, "invalid", "rtm-cid"));
        m = marker();
        a.add(new Attempt("rtm-offline neither true nor false", "eve", "rtm/user/bob/inbox/eve", m, false,
                Map.of("rtm-offline", "maybe"), null, 0x99, "invalid", "rtm-offline"));
        m = marker();
        a.add(new Attempt("rtm-only list over 128", "alice", "rtm/channel/room/msg/alice", m, false,
                Map.of("rtm-only", String.join(",", uids(129))), null, 0x99, "invalid", "128"));
        // RPC: the reply goes only to the caller's own event topic
        m = marker();
        a.add(new Attempt("RPC reply to another's event topic", "eve", "rpc", "{\"rid\":\"" + m + "\"}", false, Map.of(),
                "rtm/user/bob/event", 0x87, "forbidden", "response topic"));
        m = marker();
        a.add(new Attempt("RPC reply to another's inbox", "eve", "rpc", "{\"rid\":\"" + m + "\"}", false, Map.of(),
                "rtm/user/bob/inbox/eve", 0x87, "forbidden", "response topic"));
        m = marker();
        a.add(new Attempt("RPC reply outside rtm/", "eve", "rpc", "{\"rid\":\"" + m + "\"}", false, Map.of(),
                "bob/replies", 0x87, "forbidden", "response topic"));
        a.add(attempt("RPC with an over-long rid", "rtm/rpc/server.info", "{\"rid\":\"" + "r".repeat(129) + "\"}", 0x99,
                "invalid", "rid"));
        a.add(attempt("RPC body that is not JSON", "rtm/rpc/server.info", "{" + marker(), 0x99, "invalid", "JSON"));
        a.add(attempt("RPC body that is not an object", "rtm/rpc/server.info", "[\"" + marker() + "\"]", 0x99, "invalid",
                "object"));
        a.add(attempt("RPC unknown method", "rtm/rpc/admin.shutdown", "{\"m\":\"" + marker() + "\"}", 0x99, "invalid",
                "unknown method"));
        a.add(attempt("RPC over-long method", "rtm/rpc/" + "m".repeat(300), "{\"m\":\"" + marker() + "\"}", 0x90,
                "invalid", "RPC method"));
        return a.stream();
    }

    private static List<String> uids(final int n) {
        final List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add("u" + i);
        }
        return l;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forbiddenPublishes")
    void forbiddenPublish_isRefusedWithTheProtocolsCode_andLeavesNoTrace(final Attempt a) throws Exception {
        drain();
        final Mqtt5BlockingClient sender = client(a.sender());
        final String topic = a.topic().equals("rpc") ? "rtm/rpc/server.info" : a.topic();
        final Mqtt5PublishBuilder.Complete b = Mqtt5Publish.builder().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                .retain(a.retain()).payload(bytes(a.payload()));
        final var up = Mqtt5UserProperties.builder();
        a.props().forEach(up::add);
        b.userProperties(up.build());
        if (a.responseTopic() != null) {
            b.responseTopic(a.responseTopic()).correlationData(bytes("corr"));
        }
        final Mqtt5PubAck ack = publish(sender, b.build());

        assertThat(ack.getReasonCode().getCode()).as("reason code of '%s': %s", a, reason(ack)).isEqualTo(a.code());
        assertThat(prop(ack, "rtm-status")).as("rtm-status").isEqualTo(a.status());
        assertThat(reason(ack)).as("reason string").isNotEmpty().contains(a.reasonHint());
        assertThat(prop(ack, "rtm-id")).as("a refused publish gets no message id").isNull();
        assertNoTrace(a.payload(), a.retain() ? topic : null);
        assertThat(sender.getState().isConnected()).as("an MQTT 5 sender stays connected").isTrue();
    }

    @Test
    void forgedServerProperties_areReplacedByTheServersStamps() throws Exception {
        drain();
        final Mqtt5PubAck ack = publish(eve, "rtm/user/bob/inbox/eve", "hello", Map.of("rtm-id", "0000000000AAAAAA",
                "rtm-ts", "1", "rtm-offline", "false", "rtm-by", "alice", "rtm-status", "delivered"));
        assertThat(prop(ack, "rtm-status")).isEqualTo("delivered");
        final Mqtt5Publish got = next(BOB_GOT);
        assertThat(got.getTopic().toString()).isEqualTo("rtm/user/bob/inbox/eve");
        assertThat(prop(got, "rtm-id")).isEqualTo(prop(ack, "rtm-id")).isNotEqualTo("0000000000AAAAAA");
        assertThat(Long.parseLong(prop(got, "rtm-ts"))).isGreaterThan(1L);
        assertThat(prop(got, "rtm-by")).isNull();
        assertThat(prop(got, "rtm-status")).isNull();
        assertThat(prop(got, "rtm-offline")).isNull();
    }

    @Test
    void retainedPeerMessage_leavesNoRetainedCopy() throws Exception {
        drain();
        final String m = "legit-retained";
        final Mqtt5PubAck ack = publishRetained(eve, "rtm/user/bob/inbox/eve", bytes(m), Map.of());
        assertThat(prop(ack, "rtm-status")).isEqualTo("delivered");
        assertThat(text(next(BOB_GOT))).isEqualTo(m);
        assertThat(retainedOn("rtm/user/bob/inbox/eve")).as("retained copy of a peer message").isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ subscriptions

    @ParameterizedTest
    @ValueSource(strings = {"#", "rtm/#", "rtm/+/+/+/+", "+/user/+/inbox/+", "rtm/user/#", "rtm/user/+/inbox/#",
            "rtm/user/+/inbox/+", "rtm/user/bob/inbox/+", "rtm/user/bob/inbox/alice", "rtm/user/bob/#",
            "rtm/user/bob/call/+", "rtm/user/+/call/+", "rtm/user/bob/event", "rtm/user/+/event", "rtm/user/+/presence",
            "rtm/user/+/attr/+", "rtm/channel/+/msg/+", "rtm/channel/room/msg/alice", "rtm/channel/+/member/+",
            "rtm/channel/#", "rtm/rpc/#", "rtm/rpc/server.info", "$share/g/rtm/user/eve/inbox/+", "rtm/secret/#"})
    void forbiddenSubscription_isRefused_andReadsNothing(final String filter) throws Exception {
        drain();
        final Mqtt5SubAck ack = sub(eve, filter);
        assertThat(ack.getReasonCodes().get(0).getCode()).as(filter + ": " + reasonOf(ack)).isEqualTo(0x87);
        assertThat(reasonOf(ack)).isNotEmpty();
        // traffic the filter would have matched
        final String peer = marker();
        assertThat(prop(publish(alice, "rtm/user/bob/inbox/alice", peer), "rtm-status")).isEqualTo("delivered");
        final String room = marker();
        assertThat(prop(publish(alice, "rtm/channel/room/msg/alice", room), "rtm-status")).isEqualTo("delivered");
        assertThat(text(next(BOB_GOT))).isIn(peer, room);
        assertThat(poll(EVE_GOT, 300)).as("eve received something after refused " + filter).isEmpty();
        assertThat(retainedOn("rtm/channel/room/member/eve")).as("member marker").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"rtm/user/" + "x" + "/presence", "rtm/channel/bad room/count", "rtm/user/eve/attr/bad key"})
    void subscriptionWithAMalformedIdLevel_isRefusedAsInvalid(final String filter) {
        final String f = filter.replace("/x/", "/" + LONG_ID + "/");
        final Mqtt5SubAck ack = sub(eve, f);
        assertThat(ack.getReasonCodes().get(0).getCode()).as(f + ": " + reasonOf(ack)).isEqualTo(0x8F);
    }

    // ------------------------------------------------------------------------------------------------ RPC

    @Test
    void rpcWritesToOthersAttributes_areForbidden_andChangeNothing() throws Exception {
        final String m = marker();
        for (final String body : List.of(
                "{\"scope\":\"user\",\"id\":\"bob\",\"attrs\":{\"name\":\"" + m + "\"}}",
                "{\"scope\":\"user\",\"id\":\"bob\",\"attrs\":{\"x\":\"" + m + "\"},\"mode\":\"replace\"}",
                "{\"scope\":\"channel\",\"id\":\"room\",\"attrs\":{\"topic\":\"" + m + "\"}}")) {
            final JsonObject reply = rpc(eve, eveEvents, "attr.set", body);
            assertThat(reply.get("ok").getAsBoolean()).as(body).isFalse();
            assertThat(reply.getAsJsonObject("error").get("code").getAsString()).as(body).isEqualTo("forbidden");
        }
        for (final String body : List.of("{\"scope\":\"user\",\"id\":\"bob\",\"keys\":[\"name\"]}",
                "{\"scope\":\"user\",\"id\":\"bob\",\"all\":true}", "{\"scope\":\"channel\",\"id\":\"room\",\"all\":true}")) {
            final JsonObject reply = rpc(eve, eveEvents, "attr.delete", body);
            assertThat(reply.getAsJsonObject("error").get("code").getAsString()).as(body).isEqualTo("forbidden");
        }
        final JsonObject bobs = rpc(eve, eveEvents, "attr.get", "{\"scope\":\"user\",\"id\":\"bob\"}")
                .getAsJsonObject("result");
        assertThat(bobs.keySet()).containsExactly("name");
        assertThat(bobs.getAsJsonObject("name").get("value").getAsString()).isEqualTo("Bob");
        assertThat(bobs.getAsJsonObject("name").get("rev").getAsLong()).isEqualTo(1);
        final JsonObject rooms = rpc(eve, eveEvents, "attr.get", "{\"scope\":\"channel\",\"id\":\"room\"}")
                .getAsJsonObject("result");
        assertThat(rooms.keySet()).containsExactly("topic");
        assertThat(rooms.getAsJsonObject("topic").get("value").getAsString()).isEqualTo("maths");
        assertThat(retainedOn("rtm/user/bob/attr/name")).map(p -> text(p)).contains("Bob");
        assertThat(retainedOn("rtm/user/bob/attr/x")).isEmpty();
        assertNoTrace(m, null);
    }

    @Test
    void rpcReadsOfOthersHistory_areForbidden() throws Exception {
        for (final String body : List.of("{\"peer\":\"alice\",\"uid\":\"bob\"}", "{\"cid\":\"room\"}")) {
            final JsonObject reply = rpc(eve, eveEvents, "history.query", body);
            assertThat(reply.get("ok").getAsBoolean()).as(body).isFalse();
            assertThat(reply.getAsJsonObject("error").get("code").getAsString()).as(body).isEqualTo("forbidden");
        }
        // her own conversation with bob is hers to read
        assertThat(rpc(eve, eveEvents, "history.query", "{\"peer\":\"bob\"}").get("ok").getAsBoolean()).isTrue();
    }

    @Test
    void rpcWithInvalidIds_isInvalid() throws Exception {
        final List<String> bodies = List.of("{\"uids\":[\"" + LONG_ID + "\"]}", "{\"uids\":[\"a/b\"]}",
                "{\"uids\":\"bob\"}");
        for (final String body : bodies) {
            final JsonObject reply = rpc(eve, eveEvents, "presence.query", body);
            assertThat(reply.get("ok").getAsBoolean()).as(body).isFalse();
            assertThat(reply.getAsJsonObject("error").get("code").getAsString()).as(body).isEqualTo("invalid");
        }
        final JsonObject members = rpc(eve, eveEvents, "channel.members", "{\"cid\":\"" + LONG_ID + "\"}");
        assertThat(members.getAsJsonObject("error").get("code").getAsString()).isEqualTo("invalid");
        final JsonObject attr = rpc(eve, eveEvents, "attr.get", "{\"scope\":\"user\",\"id\":\"#\"}");
        assertThat(attr.getAsJsonObject("error").get("code").getAsString()).isEqualTo("invalid");
    }

    // ------------------------------------------------------------------------------------------------ MQTT 3.1.1

    @Test
    void mqtt311Spoof_disconnectsTheSender_andDeliversNothing() throws Exception {
        drain();
        final Mqtt3BlockingClient old = connect3(broker, "eve3");
        final String m = marker();
        try {
            old.publishWith().topic("rtm/user/bob/inbox/alice").qos(MqttQos.AT_LEAST_ONCE).payload(bytes(m)).send();
        } catch (final RuntimeException expected) {
            // the connection is closed instead of a negative PUBACK
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !old.getState().isConnected());
        assertNoTrace(m, null);
    }

    // ------------------------------------------------------------------------------------------------ CONNECT

    record Login(String name, String clientId, String token, int code, String hint) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Login> refusedLogins() {
        final byte[] secret = EmbeddedBroker.SECRET.getBytes(StandardCharsets.UTF_8);
        final Tokens past = new Tokens(secret, Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC),
                Duration.ZERO);
        final Tokens other = new Tokens("another-deployments-secret-0123456789-xyz".getBytes(StandardCharsets.UTF_8),
                Clock.systemUTC(), Duration.ZERO);
        final long now = Instant.now().getEpochSecond();
        final String valid = new Tokens(secret, Clock.systemUTC(), Duration.ZERO).mint("mallory", Role.USER,
                Duration.ofHours(1));
        final String[] parts = valid.split("\\.");
        final String adminClaims = b64("{\"sub\":\"mallory\",\"exp\":" + (now + 3600) + ",\"rtm.role\":\"admin\"}");
        return Stream.of(
                new Login("expired token", "mallory", past.mint("mallory", Role.USER, Duration.ofHours(1)), 0x87,
                        "expired"),
                new Login("token not valid yet", "mallory", hs256(secret, "HS256",
                        "{\"sub\":\"mallory\",\"exp\":" + (now + 7200) + ",\"nbf\":" + (now + 3600) + "}"), 0x87, ""),
                new Login("token of another deployment", "mallory", other.mint("mallory", Role.ADMIN, Duration.ofHours(1)),
                        0x86, "signature"),
                new Login("token of another user", "mallory", broker.token("alice"), 0x86, "does not match"),
                new Login("another user's token for the victim's client id", "bob", broker.token("eve"), 0x86,
                        "does not match"),
                new Login("role raised after signing", "mallory", parts[0] + "." + adminClaims + "." + parts[2], 0x86,
                        "signature"),
                new Login("unsigned token (alg none)", "mallory", b64("{\"alg\":\"none\"}") + "." + adminClaims + ".",
                        0x86, ""),
                new Login("HS512 token", "mallory", hs512(secret, "{\"sub\":\"mallory\",\"exp\":" + (now + 3600) + "}"),
                        0x86, "HS256"),
                new Login("unknown role", "mallory", hs256(secret, "HS256",
                        "{\"sub\":\"mallory\",\"exp\":" + (now + 3600) + ",\"rtm.role\":\"root\"}"), 0x86, "rtm.role"),
                new Login("token without exp", "mallory", hs256(secret, "HS256", "{\"sub\":\"mallory\"}"), 0x86, ""),
                new Login("garbage token", "mallory", "not-a-jwt", 0x86, "not a JWT"),
                new Login("over-long client id", LONG_ID, broker.token("mallory"), 0x85, "65"),
                new Login("client id with a slash", "bob/inbox", broker.token("mallory"), 0x85, "uid"),
                new Login("client id with a wildcard", "bob+", broker.token("mallory"), 0x85, "uid"),
                new Login("client id #", "#", broker.token("mallory"), 0x85, "uid"),
                new Login("client id with a letter outside the alphabet", "b\u00f6b", broker.token("mallory"), 0x85, "uid"),
                // HiveMQ itself refuses control characters in a client id, before the extension sees it
                new Login("client id with a control character", "bo\u0001b", broker.token("mallory"), 0x81, ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedLogins")
    void refusedLogin_getsTheProtocolsCode_andLeavesNoTrace(final Login l) throws Exception {
        drain();
        final Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(l.clientId())
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        final Mqtt5ConnAck ack = catchThrowableOfType(Mqtt5ConnAckException.class, () -> connectWithToken(c, l.token()))
                .getMqttMessage();
        assertThat(ack.getReasonCode().getCode()).as(l + ": " + ack.getReasonString()).isEqualTo(l.code());
        assertThat(ack.getReasonString().map(Object::toString).orElse("")).isNotEmpty().contains(l.hint());
        if (!l.clientId().equals("bob")) {
            // a uid outside the alphabet cannot have a presence topic at all
            final Optional<Mqtt5Publish> presence = Ids.uidError(l.clientId()) != null
                    ? Optional.empty() : retainedOn("rtm/user/" + l.clientId() + "/presence");
            assertThat(presence).as("presence of a refused login").isEmpty();
        }
        // the victim whose client id was tried keeps its session and its presence
        assertThat(bob.getState().isConnected()).isTrue();
        final String m = marker();
        assertThat(prop(publish(alice, "rtm/user/bob/inbox/alice", m), "rtm-status")).isEqualTo("delivered");
        assertThat(text(next(BOB_GOT))).isEqualTo(m);
        assertThat(retainedOn("rtm/user/bob/presence")).map(p -> text(p)).hasValueSatisfying(
                p -> assertThat(p).contains("\"online\""));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Nothing with the marker reached anyone, and no retained message on {@code retainedTopic} carries it. */
    private static void assertNoTrace(final String payload, final String retainedTopic) throws Exception {
        final int at = payload.indexOf("ATTACK");
        final String mark = at < 0 ? "" : payload.substring(at, at + 11);
        // a refused publish is decided before its PUBACK, so anything it caused is already on its way
        final List<Mqtt5Publish> got = new ArrayList<>();
        poll(BOB_GOT, 300).ifPresent(got::add);
        for (final BlockingQueue<Mqtt5Publish> q : List.of(BOB_GOT, ALICE_GOT, WATCHED, EVE_GOT, bobEvents, aliceEvents)) {
            q.drainTo(got);
        }
        if (!mark.isEmpty()) {
            for (final Mqtt5Publish p : got) {
                assertThat(text(p)).as("trace on " + p.getTopic()).doesNotContain(mark);
            }
        }
        if (retainedTopic != null) {
            retainedOn(retainedTopic).ifPresent(r -> assertThat(text(r)).as("retained on " + retainedTopic)
                    .doesNotContain(mark.isEmpty() ? "\u0000" : mark));
            if (retainedTopic.equals("rtm/user/bob/attr/name")) {
                assertThat(retainedOn(retainedTopic).map(p -> text(p))).contains("Bob");
            }
            if (retainedTopic.equals("rtm/channel/room/attr/topic")) {
                assertThat(retainedOn(retainedTopic).map(p -> text(p))).contains("maths");
            }
            if (retainedTopic.equals("rtm/channel/room/member/bob")) {
                assertThat(retainedOn(retainedTopic)).as("bob's member marker").isPresent();
            }
            if (retainedTopic.equals("rtm/channel/room/member/eve")) {
                assertThat(retainedOn(retainedTopic)).as("eve's member marker").isEmpty();
            }
        }
        // history: bob's conversations hold nothing with the marker
        if (!mark.isEmpty()) {
            for (final String body : List.of("{\"peer\":\"alice\"}", "{\"peer\":\"eve\"}", "{\"cid\":\"room\"}")) {
                final JsonObject reply = rpc(bob, bobEvents, "history.query", body);
                assertThat(reply.toString()).as("history " + body).doesNotContain(mark);
            }
        }
    }

    /**
     * The retained message on a topic as a fresh service client sees it when subscribing, if any. A topic with a
     * malformed level cannot be subscribed to; then its parent's wildcard is, and any retained message on it counts.
     */
    private static Optional<Mqtt5Publish> retainedOn(final String topic) throws InterruptedException {
        final Mqtt5BlockingClient auditor = mqtt5(broker, "auditor");
        connectWithToken(auditor, broker.token("auditor", Role.SERVICE));
        try {
            final BlockingQueue<Mqtt5Publish> q = new LinkedBlockingQueue<>();
            Mqtt5SubAck ack = sub(auditor, topic, q);
            if (ack.getReasonCodes().get(0).isError()) {
                ack = sub(auditor, topic.substring(0, topic.lastIndexOf('/')) + "/+", q);
                assertThat(ack.getReasonCodes().get(0).isError()).as("auditor subscription for " + topic).isFalse();
            }
            return poll(q, 400).filter(Mqtt5Publish::isRetain);
        } finally {
            auditor.disconnect();
        }
    }

    private static Mqtt5SubAck sub(final Mqtt5BlockingClient c, final String filter, final BlockingQueue<Mqtt5Publish> q) {
        try {
            return c.toAsync().subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).callback(q::add).send()
                    .join();
        } catch (final java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof Mqtt5SubAckException) {
                return ((Mqtt5SubAckException) e.getCause()).getMqttMessage();
            }
            throw e;
        }
    }

    private static Optional<Mqtt5Publish> poll(final BlockingQueue<Mqtt5Publish> q, final long millis)
            throws InterruptedException {
        return Optional.ofNullable(q.poll(millis, TimeUnit.MILLISECONDS));
    }

    private static void drain() {
        for (final BlockingQueue<Mqtt5Publish> q : List.of(EVE_GOT, BOB_GOT, ALICE_GOT, WATCHED, eveEvents, bobEvents,
                aliceEvents)) {
            q.clear();
        }
    }

    private static Mqtt5BlockingClient client(final String uid) {
        switch (uid) {
            case "eve":
                return eve;
            case "alice":
                return alice;
            case "watcher":
                return watcher;
            default:
                throw new IllegalArgumentException(uid);
        }
    }

    private static Mqtt5SubAck sub(final Mqtt5BlockingClient c, final String filter) {
        try {
            return c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send();
        } catch (final Mqtt5SubAckException e) {
            return e.getMqttMessage();
        }
    }

    private static String reasonOf(final Mqtt5SubAck ack) {
        return ack.getReasonString().map(Object::toString).orElse("");
    }

    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String b64(final String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(json));
    }

    private static String hs256(final byte[] secret, final String alg, final String claims) {
        return sign(secret, "HmacSHA256", "{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}", claims);
    }

    private static String hs512(final byte[] secret, final String claims) {
        return sign(secret, "HmacSHA512", "{\"alg\":\"HS512\",\"typ\":\"JWT\"}", claims);
    }

    private static String sign(final byte[] secret, final String mac, final String header, final String claims) {
        try {
            final String input = b64(header) + "." + b64(claims);
            final Mac m = Mac.getInstance(mac);
            m.init(new SecretKeySpec(secret, mac));
            return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(m.doFinal(bytes(input)));
        } catch (final java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
