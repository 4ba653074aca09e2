package org.openrtm.broker.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.protocol.Role;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.prop;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.subscribe;
import static org.openrtm.broker.testing.Clients.text;

/** The REST operations on user and channel attributes and on history, with their rules and bad input. */
class RestAttributesHistoryIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of("attr.max-keys", "4"));

    static Rest rest;
    static String service;
    static String user;

    @BeforeAll
    static void tokens() {
        rest = new Rest(broker);
        service = broker.token("cloud", Role.SERVICE);
        user = broker.token("plain-user");
    }

    @Test
    void userAttributes_writtenByAService_areRetainedStampedAndRevisioned() throws Exception {
        final Mqtt5BlockingClient phone = connect(broker, "ra-phone");
        final BlockingQueue<Mqtt5Publish> attrs = subscribe(phone, "rtm/user/ra-car/attr/+");

        Rest.Response r = rest.put("/api/v1/users/ra-car/attributes", service,
                "{\"attrs\":{\"firmware\":\"2.1\",\"battery\":\"80\"}}");
        assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
        assertThat(r.body().getAsJsonObject().get("firmware").getAsLong()).isEqualTo(1);
        final Mqtt5Publish first = next(attrs);
        final Mqtt5Publish second = next(attrs);
        assertThat(List.of(text(first), text(second))).containsExactlyInAnyOrder("2.1", "80");
        assertThat(prop(first, "rtm-by")).isEqualTo("cloud");
        // a subscriber that comes later gets them as retained messages
        final Mqtt5BlockingClient late = connect(broker, "ra-late");
        final BlockingQueue<Mqtt5Publish> retained = subscribe(late, "rtm/user/ra-car/attr/firmware");
        final Mqtt5Publish kept = next(retained);
        assertThat(kept.isRetain()).isTrue();
        assertThat(text(kept)).isEqualTo("2.1");
        assertThat(prop(kept, "rtm-rev")).isEqualTo("1");
        late.disconnect();

        // merge keeps the other keys; replace drops them
        r = rest.patch("/api/v1/users/ra-car/attributes", service, "{\"attrs\":{\"battery\":\"79\"}}");
        assertThat(r.body().getAsJsonObject().get("battery").getAsLong()).isEqualTo(2);
        JsonObject got = rest.get("/api/v1/users/ra-car/attributes", service).body().getAsJsonObject();
        assertThat(got.keySet()).containsExactlyInAnyOrder("firmware", "battery");
        assertThat(got.getAsJsonObject("battery").get("value").getAsString()).isEqualTo("79");
        assertThat(got.getAsJsonObject("battery").get("by").getAsString()).isEqualTo("cloud");
        assertThat(got.getAsJsonObject("battery").get("rev").getAsLong()).isEqualTo(2);

        // compare-and-set: a stale revision is a conflict and changes nothing
        r = rest.patch("/api/v1/users/ra-car/attributes", service, "{\"attrs\":{\"battery\":\"50\"},\"ifRev\":{\"battery\":1}}");
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.code()).isEqualTo("conflict");
        r = rest.patch("/api/v1/users/ra-car/attributes", service, "{\"attrs\":{\"battery\":\"50\"},\"ifRev\":{\"battery\":2}}");
        assertThat(r.status()).isEqualTo(200);

        got = rest.get("/api/v1/users/ra-car/attributes?keys=battery,nothing", service).body().getAsJsonObject();
        assertThat(got.keySet()).containsExactly("battery");
        assertThat(got.getAsJsonObject("battery").get("value").getAsString()).isEqualTo("50");

        r = rest.put("/api/v1/users/ra-car/attributes", service, "{\"attrs\":{\"odometer\":\"12000\"}}");
        assertThat(r.status()).isEqualTo(200);
        got = rest.get("/api/v1/users/ra-car/attributes", service).body().getAsJsonObject();
        assertThat(got.keySet()).containsExactly("odometer");

        // delete by key, then all
        rest.patch("/api/v1/users/ra-car/attributes", service, "{\"attrs\":{\"a\":\"1\",\"b\":\"2\"}}");
        r = rest.delete("/api/v1/users/ra-car/attributes?keys=a", service);
        assertThat(r.status()).isEqualTo(200);
        assertThat(rest.get("/api/v1/users/ra-car/attributes", service).body().getAsJsonObject().keySet())
                .containsExactlyInAnyOrder("odometer", "b");
        r = rest.delete("/api/v1/users/ra-car/attributes?all=true", service);
        assertThat(r.status()).isEqualTo(200);
        assertThat(rest.get("/api/v1/users/ra-car/attributes", service).body().getAsJsonObject().keySet()).isEmpty();
        phone.disconnect();
    }

    @Test
    void channelAttributes_canBePinnedByAService() throws Exception {
        final Mqtt5BlockingClient pupil = connect(broker, "rc-pupil");
        subscribe(pupil, "rtm/channel/rc-class/msg/+");
        final BlockingQueue<Mqtt5Publish> pinned = subscribe(pupil, "rtm/channel/rc-class/attr/+");
        final Rest.Response r = rest.put("/api/v1/channels/rc-class/attributes", service,
                "{\"attrs\":{\"announcement\":\"exam on Friday\"}}");
        assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
        final Mqtt5Publish got = next(pinned);
        assertThat(got.getTopic().toString()).isEqualTo("rtm/channel/rc-class/attr/announcement");
        assertThat(text(got)).isEqualTo("exam on Friday");
        final JsonObject read = rest.get("/api/v1/channels/rc-class/attributes", service).body().getAsJsonObject();
        assertThat(read.getAsJsonObject("announcement").get("rev").getAsLong()).isEqualTo(1);
        assertThat(rest.delete("/api/v1/channels/rc-class/attributes?keys=announcement", service).status()).isEqualTo(200);
        final Mqtt5Publish cleared = next(pinned);
        assertThat(cleared.getPayloadAsBytes()).isEmpty();
        pupil.disconnect();
    }

    @Test
    void attributes_badInput_getsTheProtocolsCodes() throws Exception {
        assertCode(rest.put("/api/v1/users/ra-bad/attributes", service, "{}"), 400, "invalid", "attrs is required");
        assertCode(rest.put("/api/v1/users/ra-bad/attributes", service, "{\"attrs\":{\"k\":\"v\"},\"mode\":\"x\"}"),
                400, "invalid", "unknown field 'mode'");
        assertCode(rest.put("/api/v1/users/ra-bad/attributes", service, "{\"attrs\":{\"k\":\"" + "x".repeat(8193) + "\"}}"),
                413, "too_large", "8193");
        assertCode(rest.put("/api/v1/users/ra-bad/attributes", service,
                "{\"attrs\":{\"a\":\"1\",\"b\":\"1\",\"c\":\"1\",\"d\":\"1\",\"e\":\"1\"}}"), 413, "too_large", "4");
        assertCode(rest.put("/api/v1/users/ra-bad/attributes", service, "{\"attrs\":{\"" + "k".repeat(33) + "\":\"v\"}}"),
                400, null, "32");
        assertCode(rest.put("/api/v1/users/bad%20uid/attributes", service, "{\"attrs\":{\"k\":\"v\"}}"), 400, "invalid", "");
        assertCode(rest.delete("/api/v1/users/ra-bad/attributes", service), 400, "invalid", "keys=k1,k2 or all=true");
        assertCode(rest.delete("/api/v1/users/ra-bad/attributes?keys=a&all=true", service), 400, "invalid", "exactly one");
        assertCode(rest.get("/api/v1/users/ra-bad/attributes", user), 403, "forbidden", "");
        assertCode(rest.get("/api/v1/users/ra-bad/attributes", null), 401, "unauthorized", "");
        // nothing was written by the refused calls
        assertThat(rest.get("/api/v1/users/ra-bad/attributes", service).body().getAsJsonObject().keySet()).isEmpty();
    }

    @Test
    void history_ofAPeerConversationAndAChannel_pagesWithACursor() throws Exception {
        final Mqtt5BlockingClient ann = connect(broker, "rh-ann");
        final Mqtt5BlockingClient bob = connect(broker, "rh-bob");
        subscribe(bob, "rtm/user/rh-bob/inbox/+");
        for (int i = 0; i < 5; i++) {
            assertThat(prop(publish(ann, "rtm/user/rh-bob/inbox/rh-ann", "hello " + i), "rtm-status")).isEqualTo("delivered");
        }
        JsonObject page = rest.get("/api/v1/users/rh-bob/history?peer=rh-ann&order=asc&limit=3", service).body()
                .getAsJsonObject();
        final List<String> texts = new ArrayList<>();
        page.getAsJsonArray("messages").forEach(m -> texts.add(m.getAsJsonObject().get("payload").getAsString()));
        assertThat(page.get("cursor").isJsonNull()).isFalse();
        page = rest.get("/api/v1/users/rh-bob/history?peer=rh-ann&order=asc&limit=3&cursor="
                + page.get("cursor").getAsString(), service).body().getAsJsonObject();
        page.getAsJsonArray("messages").forEach(m -> texts.add(m.getAsJsonObject().get("payload").getAsString()));
        assertThat(texts).containsExactly("hello 0", "hello 1", "hello 2", "hello 3", "hello 4");
        final JsonObject newest = rest.get("/api/v1/users/rh-ann/history?peer=rh-bob&limit=1", service).body()
                .getAsJsonObject();
        final JsonObject m = newest.getAsJsonArray("messages").get(0).getAsJsonObject();
        assertThat(m.get("payload").getAsString()).isEqualTo("hello 4");
        assertThat(m.get("from").getAsString()).isEqualTo("rh-ann");

        subscribe(ann, "rtm/channel/rh-room/msg/+");
        publish(ann, "rtm/channel/rh-room/msg/rh-ann", "in the room");
        final JsonArray room = rest.get("/api/v1/channels/rh-room/history", service).body().getAsJsonObject()
                .getAsJsonArray("messages");
        assertThat(room).hasSize(1);
        assertThat(room.get(0).getAsJsonObject().get("payload").getAsString()).isEqualTo("in the room");

        assertCode(rest.get("/api/v1/users/rh-bob/history", service), 400, "invalid", "peer is required");
        assertCode(rest.get("/api/v1/users/rh-bob/history?peer=rh-ann&limit=101", service), 400, "invalid", "limit");
        assertCode(rest.get("/api/v1/users/rh-bob/history?peer=rh-ann&order=up", service), 400, "invalid", "order");
        assertCode(rest.get("/api/v1/users/rh-bob/history?peer=rh-ann&start=yesterday", service), 400, "invalid", "start");
        assertCode(rest.get("/api/v1/users/rh-bob/history?peer=rh-ann&cursor=zzz", service), 400, "invalid", "cursor");
        assertCode(rest.get("/api/v1/channels/rh-room/history", user), 403, "forbidden", "");
        ann.disconnect();
        bob.disconnect();
    }

    private static void assertCode(final Rest.Response r, final int status, final String code, final String inMessage) {
        assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(status);
        if (code != null) {
            assertThat(r.code()).isEqualTo(code);
        }
        assertThat(r.message()).contains(inMessage);
    }
}
