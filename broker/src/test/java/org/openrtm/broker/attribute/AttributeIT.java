package org.openrtm.broker.attribute;

import com.google.gson.JsonObject;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.protocol.Role;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.connect3;
import static org.openrtm.broker.testing.Clients.connectWithToken;
import static org.openrtm.broker.testing.Clients.mqtt5;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.poll;
import static org.openrtm.broker.testing.Clients.prop;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.publishRetained;
import static org.openrtm.broker.testing.Clients.reason;
import static org.openrtm.broker.testing.Clients.rpc;
import static org.openrtm.broker.testing.Clients.subscribe;
import static org.openrtm.broker.testing.Clients.text;

class AttributeIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of(
            "attr.max-key-length", "8", "attr.max-value-bytes", "64", "attr.max-keys", "4",
            "attr.max-channel-bytes", "100"));

    private static Mqtt5PubAck write(final Mqtt5BlockingClient c, final String topic, final String value) {
        return publishRetained(c, topic, value.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private static Mqtt5PubAck write(final Mqtt5BlockingClient c, final String topic, final String value, final long ifRev) {
        return publishRetained(c, topic, value.getBytes(StandardCharsets.UTF_8), Map.of("rtm-if-rev", Long.toString(ifRev)));
    }

    private static void assertDelivered(final Mqtt5PubAck ack, final long rev) {
        assertThat(ack.getReasonCode()).as(reason(ack)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(prop(ack, "rtm-status")).isEqualTo("delivered");
        assertThat(prop(ack, "rtm-rev")).isEqualTo(Long.toString(rev));
        assertThat(prop(ack, "rtm-id")).hasSize(16);
    }

    private static void assertRefused(final Mqtt5PubAck ack, final Mqtt5PubAckReasonCode code, final String status,
                                      final String reasonPart) {
        assertThat(ack.getReasonCode()).isEqualTo(code);
        assertThat(prop(ack, "rtm-status")).isEqualTo(status);
        assertThat(reason(ack)).contains(reasonPart);
    }

    @Test
    void userAttribute_isRetainedStampedAndRevisioned_andDeletingKeepsTheRevision() throws Exception {
        final Mqtt5BlockingClient car = connect(broker, "car1");
        final long before = System.currentTimeMillis();
        assertDelivered(write(car, "rtm/user/car1/attr/fw", "1.0"), 1);

        final Mqtt5BlockingClient app = connect(broker, "app1");
        final BlockingQueue<Mqtt5Publish> seen = subscribe(app, "rtm/user/car1/attr/+");
        final Mqtt5Publish retained = next(seen);
        assertThat(retained.getTopic().toString()).isEqualTo("rtm/user/car1/attr/fw");
        assertThat(retained.isRetain()).isTrue();
        assertThat(text(retained)).isEqualTo("1.0");
        assertThat(prop(retained, "rtm-by")).isEqualTo("car1");
        assertThat(prop(retained, "rtm-rev")).isEqualTo("1");
        assertThat(Long.parseLong(prop(retained, "rtm-ts"))).isBetween(before, System.currentTimeMillis());

        assertDelivered(write(car, "rtm/user/car1/attr/fw", "1.1"), 2);
        final Mqtt5Publish update = next(seen);
        assertThat(text(update)).isEqualTo("1.1");
        assertThat(prop(update, "rtm-rev")).isEqualTo("2");

        // delete: an empty retained payload; subscribers see a zero-length message with the new revision
        final Mqtt5PubAck deleted = publishRetained(car, "rtm/user/car1/attr/fw", new byte[0], Map.of());
        assertDelivered(deleted, 3);
        final Mqtt5Publish gone = next(seen);
        assertThat(gone.getPayloadAsBytes()).isEmpty();
        assertThat(prop(gone, "rtm-rev")).isEqualTo("3");
        assertThat(poll(subscribe(connect(broker, "late1"), "rtm/user/car1/attr/+"), 300)).isEmpty();

        // the revision never goes back: the key comes back at 4, and rtm-if-rev 0 held while it had no value
        assertDelivered(write(car, "rtm/user/car1/attr/fw", "2.0", 0), 4);
        assertThat(prop(next(seen), "rtm-rev")).isEqualTo("4");
        // deleting a key that does not exist changes nothing
        final Mqtt5PubAck noop = publishRetained(car, "rtm/user/car1/attr/none", new byte[0], Map.of());
        assertDelivered(noop, 0);
        assertThat(reason(noop)).contains("did not exist");
        assertThat(poll(seen, 300)).isEmpty();
        car.disconnect();
        app.disconnect();
    }

    @Test
    void nonRetainedPublish_isAWriteToo_andTheBrokerKeepsTheStampedValue() throws Exception {
        final Mqtt5BlockingClient dev = connect(broker, "dev2");
        final Mqtt5PubAck ack = publish(dev, "rtm/user/dev2/attr/battery", "87", Map.of("rtm-by", "forged"));
        assertDelivered(ack, 1);
        final Mqtt5Publish got = next(subscribe(connect(broker, "obs2"), "rtm/user/dev2/attr/battery"));
        assertThat(got.isRetain()).isTrue();
        assertThat(text(got)).isEqualTo("87");
        assertThat(prop(got, "rtm-by")).isEqualTo("dev2");
        dev.disconnect();
    }

    @Test
    void writingSomeoneElsesAttribute_orAChannelOneIsNotIn_isForbidden() throws Exception {
        final Mqtt5BlockingClient eve = connect(broker, "eve3");
        assertRefused(write(eve, "rtm/user/bob3/attr/fw", "evil"), Mqtt5PubAckReasonCode.NOT_AUTHORIZED, "forbidden",
                "you may write only your own user attributes (rtm/user/eve3/attr/...), not those of 'bob3'");
        assertRefused(write(eve, "rtm/channel/room3/attr/topic", "evil"), Mqtt5PubAckReasonCode.NOT_AUTHORIZED,
                "forbidden", "you are not a member of channel 'room3'");
        // and nothing was stored
        final Mqtt5BlockingClient obs = connect(broker, "obs3");
        assertThat(poll(subscribe(obs, "rtm/user/bob3/attr/+"), 300)).isEmpty();
        assertThat(poll(subscribe(obs, "rtm/channel/room3/attr/+"), 300)).isEmpty();
        eve.disconnect();
        obs.disconnect();
    }

    @Test
    void channelAttributes_areWrittenByMembers_readByAnyone_andOutliveTheChannel() throws Exception {
        final Mqtt5BlockingClient teacher = connect(broker, "teach4");
        subscribe(teacher, "rtm/channel/class4/msg/+");
        final Mqtt5PubAck ack = write(teacher, "rtm/channel/class4/attr/pinned", "exam on friday");
        assertDelivered(ack, 1);
        // everyone leaves: the pinned announcement stays
        teacher.disconnect();
        final Mqtt5BlockingClient outsider = connect(broker, "out4");
        final Mqtt5Publish pinned = next(subscribe(outsider, "rtm/channel/class4/attr/+"));
        assertThat(text(pinned)).isEqualTo("exam on friday");
        assertThat(prop(pinned, "rtm-by")).isEqualTo("teach4");
        outsider.disconnect();
    }

    @Test
    void ifRev_isACompareAndSet_andAMalformedOneIsInvalid() throws Exception {
        final Mqtt5BlockingClient c = connect(broker, "cas5");
        assertDelivered(write(c, "rtm/user/cas5/attr/lock", "a", 0), 1);
        assertRefused(write(c, "rtm/user/cas5/attr/lock", "b", 0), Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR,
                "conflict", "attribute 'lock' of user 'cas5' is at revision 1, but the write expected revision 0");
        assertRefused(write(c, "rtm/user/cas5/attr/lock", "b", 7), Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR,
                "conflict", "is at revision 1, but the write expected revision 7");
        assertDelivered(write(c, "rtm/user/cas5/attr/lock", "b", 1), 2);
        assertRefused(publishRetained(c, "rtm/user/cas5/attr/lock", new byte[0], Map.of("rtm-if-rev", "1")),
                Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "conflict", "expected revision 1");
        assertRefused(publishRetained(c, "rtm/user/cas5/attr/lock", "c".getBytes(StandardCharsets.UTF_8),
                Map.of("rtm-if-rev", "two")), Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID, "invalid",
                "rtm-if-rev must be a whole number from 0 (0: the attribute must not exist), but was 'two'");
        assertRefused(publishRetained(c, "rtm/user/cas5/attr/lock", "c".getBytes(StandardCharsets.UTF_8),
                Map.of("rtm-if-rev", "-1")), Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID, "invalid", "'-1'");
        // the refused writes changed nothing
        final Mqtt5Publish now = next(subscribe(c, "rtm/user/cas5/attr/lock"));
        assertThat(text(now)).isEqualTo("b");
        assertThat(prop(now, "rtm-rev")).isEqualTo("2");
        c.disconnect();
    }

    @Test
    void twoWritersRacingWithIfRev_exactlyOneWinsEachRound() throws Exception {
        final Mqtt5BlockingClient a = connect(broker, "race6a");
        final Mqtt5BlockingClient b = connect(broker, "race6b");
        subscribe(a, "rtm/channel/race6/msg/+");
        subscribe(b, "rtm/channel/race6/msg/+");
        long rev = 0;
        for (int round = 0; round < 20; round++) {
            final long expected = rev;
            final CountDownLatch go = new CountDownLatch(1);
            final List<CompletableFuture<Mqtt5PubAck>> acks = new ArrayList<>();
            for (final Mqtt5BlockingClient c : List.of(a, b)) {
                acks.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    } catch (final InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return write(c, "rtm/channel/race6/attr/owner", c == a ? "a" : "b", expected);
                }));
            }
            go.countDown();
            int won = 0;
            int lost = 0;
            for (final CompletableFuture<Mqtt5PubAck> f : acks) {
                final Mqtt5PubAck ack = f.join();
                if (ack.getReasonCode() == Mqtt5PubAckReasonCode.SUCCESS) {
                    won++;
                    assertThat(prop(ack, "rtm-rev")).isEqualTo(Long.toString(expected + 1));
                } else {
                    lost++;
                    assertThat(prop(ack, "rtm-status")).isEqualTo("conflict");
                }
            }
            assertThat(won).as("winners in round " + round).isEqualTo(1);
            assertThat(lost).as("losers in round " + round).isEqualTo(1);
            rev = expected + 1;
        }
        final JsonObject got = rpc(a, subscribe(a, "rtm/user/race6a/event"), "attr.get",
                "{\"scope\":\"channel\",\"id\":\"race6\"}").getAsJsonObject("result").getAsJsonObject("owner");
        assertThat(got.get("rev").getAsLong()).isEqualTo(20);
        a.disconnect();
        b.disconnect();
    }

    @Test
    void limits_keyLengthValueSizeKeyCountAndChannelBytes_areRefusedWithTheirCodes() throws Exception {
        final Mqtt5BlockingClient u = connect(broker, "lim7");
        assertRefused(write(u, "rtm/user/lim7/attr/longerkey", "v"), Mqtt5PubAckReasonCode.QUOTA_EXCEEDED, "too_large",
                "attribute key 'longerkey' is 9 characters; the limit is 8 characters (attr.max-key-length)");
        assertRefused(write(u, "rtm/user/lim7/attr/" + "k".repeat(33), "v"), Mqtt5PubAckReasonCode.TOPIC_NAME_INVALID,
                "invalid", "attribute key must be 1 to 32 characters");
        assertRefused(write(u, "rtm/user/lim7/attr/big", "x".repeat(65)), Mqtt5PubAckReasonCode.QUOTA_EXCEEDED,
                "too_large", "value of attribute 'big' is 65 bytes; the limit is 64 bytes (attr.max-value-bytes)");
        for (int i = 0; i < 4; i++) {
            assertDelivered(write(u, "rtm/user/lim7/attr/k" + i, "v"), 1);
        }
        assertRefused(write(u, "rtm/user/lim7/attr/k4", "v"), Mqtt5PubAckReasonCode.QUOTA_EXCEEDED, "too_large",
                "user 'lim7' would have 5 attributes; the limit is 4 (attr.max-keys)");
        assertDelivered(write(u, "rtm/user/lim7/attr/k3", "changed"), 2); // overwriting adds no key
        assertDelivered(publishRetained(u, "rtm/user/lim7/attr/k0", new byte[0], Map.of()), 2);
        assertDelivered(write(u, "rtm/user/lim7/attr/k4", "v"), 1); // a place was freed

        subscribe(u, "rtm/channel/room7/msg/+");
        assertDelivered(write(u, "rtm/channel/room7/attr/a", "x".repeat(60)), 1);
        assertRefused(write(u, "rtm/channel/room7/attr/b", "x".repeat(41)), Mqtt5PubAckReasonCode.QUOTA_EXCEEDED,
                "too_large", "attributes of channel 'room7' would total 101 bytes; the limit is 100 bytes "
                        + "(attr.max-channel-bytes)");
        assertDelivered(write(u, "rtm/channel/room7/attr/b", "x".repeat(40)), 1);
        u.disconnect();
    }

    @Test
    void rpc_getSetMergeReplaceAndDelete_allOrNothing() throws Exception {
        final Mqtt5BlockingClient u = connect(broker, "rpc8");
        final BlockingQueue<Mqtt5Publish> events = subscribe(u, "rtm/user/rpc8/event");
        final BlockingQueue<Mqtt5Publish> attrs = subscribe(u, "rtm/user/rpc8/attr/+");

        JsonObject r = rpc(u, events, "attr.set", "{\"scope\":\"user\",\"id\":\"rpc8\",\"attrs\":{\"a\":\"1\",\"b\":\"2\"}}");
        assertThat(r.get("ok").getAsBoolean()).as(r.toString()).isTrue();
        assertThat(r.getAsJsonObject("result").get("a").getAsLong()).isEqualTo(1);
        assertThat(r.getAsJsonObject("result").get("b").getAsLong()).isEqualTo(1);
        // the changes are published as retained attributes too
        assertThat(List.of(text(next(attrs)), text(next(attrs)))).containsExactlyInAnyOrder("1", "2");

        // merge keeps b; a binary value is given and read back as base64
        final String raw = Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, 0, 1});
        r = rpc(u, events, "attr.set", "{\"scope\":\"user\",\"id\":\"rpc8\",\"mode\":\"merge\",\"attrs\":{\"a\":\"3\","
                + "\"bin\":{\"value\":\"" + raw + "\",\"encoding\":\"base64\"}}}");
        assertThat(r.getAsJsonObject("result").get("a").getAsLong()).isEqualTo(2);
        JsonObject got = rpc(u, events, "attr.get", "{\"scope\":\"user\",\"id\":\"rpc8\"}").getAsJsonObject("result");
        assertThat(got.keySet()).containsExactlyInAnyOrder("a", "b", "bin");
        assertThat(got.getAsJsonObject("a").get("value").getAsString()).isEqualTo("3");
        assertThat(got.getAsJsonObject("a").get("by").getAsString()).isEqualTo("rpc8");
        assertThat(got.getAsJsonObject("a").get("rev").getAsLong()).isEqualTo(2);
        assertThat(got.getAsJsonObject("a").get("ts").getAsLong()).isPositive();
        assertThat(got.getAsJsonObject("a").has("encoding")).isFalse();
        assertThat(got.getAsJsonObject("bin").get("value").getAsString()).isEqualTo(raw);
        assertThat(got.getAsJsonObject("bin").get("encoding").getAsString()).isEqualTo("base64");

        // a conflict on one key refuses the whole call
        r = rpc(u, events, "attr.set", "{\"scope\":\"user\",\"id\":\"rpc8\",\"attrs\":{\"a\":\"4\",\"c\":\"5\"},"
                + "\"ifRev\":{\"a\":2,\"b\":9}}");
        assertThat(r.get("ok").getAsBoolean()).isFalse();
        assertThat(r.getAsJsonObject("error").get("code").getAsString()).isEqualTo("conflict");
        assertThat(r.getAsJsonObject("error").get("message").getAsString()).contains("attribute 'b'")
                .contains("expected revision 9");
        // so does a limit: 2 more keys would make 5
        r = rpc(u, events, "attr.set", "{\"scope\":\"user\",\"id\":\"rpc8\",\"attrs\":{\"c\":\"1\",\"d\":\"1\"}}");
        assertThat(r.getAsJsonObject("error").get("code").getAsString()).isEqualTo("too_large");
        got = rpc(u, events, "attr.get", "{\"scope\":\"user\",\"id\":\"rpc8\",\"keys\":[\"a\",\"c\"]}")
                .getAsJsonObject("result");
        assertThat(got.keySet()).containsExactly("a");
        assertThat(got.getAsJsonObject("a").get("value").getAsString()).isEqualTo("3");

        // replace: the given keys become the whole set
        r = rpc(u, events, "attr.set", "{\"scope\":\"user\",\"id\":\"rpc8\",\"mode\":\"replace\",\"attrs\":{\"z\":\"9\"}}");
        assertThat(r.getAsJsonObject("result").keySet()).containsExactlyInAnyOrder("z", "a", "b", "bin");
        assertThat(rpc(u, events, "attr.get", "{\"scope\":\"user\",\"id\":\"rpc8\"}").getAsJsonObject("result").keySet())
                .containsExactly("z");

        // delete by keys and all
        assertThat(rpc(u, events, "attr.set", "{\"scope\":\"user\",\"id\":\"rpc8\",\"attrs\":{\"y\":\"8\"}}")
                .get("ok").getAsBoolean()).isTrue();
        r = rpc(u, events, "attr.delete", "{\"scope\":\"user\",\"id\":\"rpc8\",\"keys\":[\"y\",\"nope\"]}");
        assertThat(r.getAsJsonObject("result").keySet()).containsExactly("y");
        r = rpc(u, events, "attr.delete", "{\"scope\":\"user\",\"id\":\"rpc8\",\"all\":true}");
        assertThat(r.getAsJsonObject("result").keySet()).containsExactly("z");
        assertThat(rpc(u, events, "attr.get", "{\"scope\":\"user\",\"id\":\"rpc8\"}").getAsJsonObject("result").size())
                .isZero();

        // malformed requests
        for (final String bad : List.of("{\"scope\":\"room\",\"id\":\"rpc8\"}", "{\"scope\":\"user\",\"id\":\"a b\"}",
                "{\"scope\":\"user\",\"id\":\"rpc8\",\"attrs\":{\"e\":\"\"}}",
                "{\"scope\":\"user\",\"id\":\"rpc8\",\"attrs\":{}, \"mode\":\"swap\"}",
                "{\"scope\":\"user\",\"id\":\"rpc8\",\"attrs\":{\"a\":\"1\"},\"ifRev\":{\"a\":-1}}",
                "{\"scope\":\"user\",\"id\":\"rpc8\",\"atrs\":{}}")) {
            r = rpc(u, events, "attr.set", bad);
            assertThat(r.getAsJsonObject("error").get("code").getAsString()).as(bad).isEqualTo("invalid");
        }
        u.disconnect();
    }

    @Test
    void rpc_writesNeedOwnershipOrMembership_butServicesMayWriteAny() throws Exception {
        final Mqtt5BlockingClient eve = connect(broker, "eve9");
        final BlockingQueue<Mqtt5Publish> events = subscribe(eve, "rtm/user/eve9/event");
        JsonObject r = rpc(eve, events, "attr.set", "{\"scope\":\"user\",\"id\":\"bob9\",\"attrs\":{\"a\":\"1\"}}");
        assertThat(r.getAsJsonObject("error").get("code").getAsString()).isEqualTo("forbidden");
        r = rpc(eve, events, "attr.delete", "{\"scope\":\"channel\",\"id\":\"room9\",\"all\":true}");
        assertThat(r.getAsJsonObject("error").get("code").getAsString()).isEqualTo("forbidden");
        assertThat(r.getAsJsonObject("error").get("message").getAsString()).contains("not a member of channel 'room9'");

        final Mqtt5BlockingClient svc = mqtt5(broker, "svc9");
        connectWithToken(svc, broker.token("svc9", Role.SERVICE));
        final BlockingQueue<Mqtt5Publish> svcEvents = subscribe(svc, "rtm/user/svc9/event");
        r = rpc(svc, svcEvents, "attr.set", "{\"scope\":\"user\",\"id\":\"bob9\",\"attrs\":{\"plan\":\"gold\"}}");
        assertThat(r.get("ok").getAsBoolean()).as(r.toString()).isTrue();
        r = rpc(svc, svcEvents, "attr.set", "{\"scope\":\"channel\",\"id\":\"room9\",\"attrs\":{\"topic\":\"hi\"}}");
        assertThat(r.get("ok").getAsBoolean()).isTrue();
        // anyone reads; the writer is the service
        final JsonObject plan = rpc(eve, events, "attr.get", "{\"scope\":\"user\",\"id\":\"bob9\"}")
                .getAsJsonObject("result").getAsJsonObject("plan");
        assertThat(plan.get("value").getAsString()).isEqualTo("gold");
        assertThat(plan.get("by").getAsString()).isEqualTo("svc9");
        final Mqtt5Publish retained = next(subscribe(eve, "rtm/user/bob9/attr/plan"));
        assertThat(prop(retained, "rtm-by")).isEqualTo("svc9");
        eve.disconnect();
        svc.disconnect();
    }

    @Test
    void attributes_surviveARestart_areRetainedAgain_andRevisionsContinue() throws Exception {
        final Mqtt5BlockingClient car = connect(broker, "car10");
        assertDelivered(write(car, "rtm/user/car10/attr/fw", "3.1"), 1);
        assertDelivered(write(car, "rtm/user/car10/attr/fw", "3.2"), 2);
        assertDelivered(write(car, "rtm/user/car10/attr/gone", "x"), 1);
        assertDelivered(publishRetained(car, "rtm/user/car10/attr/gone", new byte[0], Map.of()), 2);
        car.disconnect();

        broker.restart();

        final Mqtt5BlockingClient app = connect(broker, "app10");
        final BlockingQueue<Mqtt5Publish> seen = subscribe(app, "rtm/user/car10/attr/+");
        final Mqtt5Publish fw = next(seen);
        assertThat(fw.getTopic().toString()).isEqualTo("rtm/user/car10/attr/fw");
        assertThat(text(fw)).isEqualTo("3.2");
        assertThat(prop(fw, "rtm-rev")).isEqualTo("2");
        assertThat(poll(seen, 300)).isEmpty();
        final Mqtt5BlockingClient car2 = connect(broker, "car10");
        assertDelivered(write(car2, "rtm/user/car10/attr/fw", "3.3", 2), 3);
        assertDelivered(write(car2, "rtm/user/car10/attr/gone", "back", 0), 3);
        car2.disconnect();
        app.disconnect();
    }

    @Test
    void pipelinedWrites_leaveTheLastValueRetained() throws Exception {
        final Mqtt5BlockingClient dev = connect(broker, "dev11");
        for (int i = 1; i <= 10; i++) {
            dev.toAsync().publishWith().topic("rtm/user/dev11/attr/seq").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                    .payload(Integer.toString(i).getBytes(StandardCharsets.UTF_8)).send();
        }
        // the last write's PUBACK comes after the earlier ones: then the retained value is the last one
        assertDelivered(write(dev, "rtm/user/dev11/attr/seq", "11"), 11);
        final Mqtt5Publish now = next(subscribe(connect(broker, "obs11"), "rtm/user/dev11/attr/seq"));
        assertThat(text(now)).isEqualTo("11");
        assertThat(prop(now, "rtm-rev")).isEqualTo("11");
        dev.disconnect();
    }

    @Test
    void mqtt311Clients_writeAndReadAttributes() throws Exception {
        final Mqtt3BlockingClient old = connect3(broker, "old12");
        old.publishWith().topic("rtm/user/old12/attr/fw").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload("0.9".getBytes(StandardCharsets.UTF_8)).send();
        final Mqtt5Publish seen = next(subscribe(connect(broker, "obs12"), "rtm/user/old12/attr/fw"));
        assertThat(text(seen)).isEqualTo("0.9");
        assertThat(prop(seen, "rtm-by")).isEqualTo("old12");
        final BlockingQueue<Mqtt3Publish> got = new LinkedBlockingQueue<>();
        old.toAsync().subscribeWith().topicFilter("rtm/user/old12/attr/+").qos(MqttQos.AT_LEAST_ONCE).callback(got::add)
                .send().join();
        final Mqtt3Publish mine = got.poll(5, TimeUnit.SECONDS);
        assertThat(mine).isNotNull();
        assertThat(new String(mine.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("0.9");
        old.disconnect();
    }
}
