package org.openrtm.broker.http;

import com.google.gson.JsonObject;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.extension.auth.TokenCheck;
import org.openrtm.extension.auth.Tokens;
import org.openrtm.protocol.Role;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.poll;
import static org.openrtm.broker.testing.Clients.prop;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.subscribe;
import static org.openrtm.broker.testing.Clients.text;

/** Every REST operation, its authentication and its bad input, against a running broker. */
class RestApiIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of(
            "http.rate-per-second", "50", "http.rate-burst", "60"));

    static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors.newFixedThreadPool(16);
    static Rest rest;
    static String service;
    static String admin;

    @BeforeAll
    static void tokens() {
        rest = new Rest(broker);
        service = broker.token("backend", Role.SERVICE);
        admin = broker.token("ops", Role.ADMIN);
    }

    @Test
    void peerMessage_fromAService_isDeliveredOrCached_withTheProtocolsStatus() throws Exception {
        final Mqtt5BlockingClient device = connect(broker, "rest-dev1");
        final BlockingQueue<Mqtt5Publish> inbox = subscribe(device, "rtm/user/rest-dev1/inbox/+");
        final Rest.Response sent = rest.post("/api/v1/users/rest-dev1/messages", service,
                "{\"text\":\"turn on the light\",\"properties\":{\"cmd\":\"light\"}}");
        assertThat(sent.status()).isEqualTo(200);
        assertThat(sent.body().getAsJsonObject().get("status").getAsString()).isEqualTo("delivered");
        final Mqtt5Publish got = next(inbox);
        assertThat(got.getTopic().toString()).isEqualTo("rtm/user/rest-dev1/inbox/backend");
        assertThat(text(got)).isEqualTo("turn on the light");
        assertThat(prop(got, "cmd")).isEqualTo("light");
        assertThat(prop(got, "rtm-id")).isEqualTo(sent.body().getAsJsonObject().get("id").getAsString());
        device.disconnect();

        final Rest.Response cached = rest.post("/api/v1/users/rest-away/messages", service, "{\"base64\":\"AAEC\"}");
        assertThat(cached.body().getAsJsonObject().get("status").getAsString()).isEqualTo("cached");
        final Rest.Response unreachable = rest.post("/api/v1/users/rest-away/messages", service,
                "{\"text\":\"now or never\",\"offline\":false}");
        assertThat(unreachable.body().getAsJsonObject().get("status").getAsString()).isEqualTo("unreachable");
        final Rest.Response async = rest.post("/api/v1/users/rest-away/messages", service,
                "{\"text\":\"fire and forget\",\"async\":true}");
        assertThat(async.body().getAsJsonObject().get("accepted").getAsBoolean()).isTrue();

        final Mqtt5BlockingClient away = connect(broker, "rest-away");
        final BlockingQueue<Mqtt5Publish> awayInbox = subscribe(away, "rtm/user/rest-away/inbox/+");
        assertThat(next(awayInbox).getPayloadAsBytes()).containsExactly(0, 1, 2);
        assertThat(text(next(awayInbox))).isEqualTo("fire and forget");
        away.disconnect();
    }

    @Test
    void peerMessage_badInput_getsTheProtocolsCodes() throws Exception {
        Rest.Response r = rest.post("/api/v1/users/bad%20uid/messages", service, "{\"text\":\"x\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo("invalid");
        assertThat(r.message()).contains("uid must be").contains("'bad uid'");
        r = rest.post("/api/v1/users/x1/messages", service, "{\"text\":\"" + "x".repeat(8193) + "\"}");
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.code()).isEqualTo("too_large");
        assertThat(r.message()).contains("8193 bytes").contains("limits.max-payload-bytes");
        r = rest.post("/api/v1/users/x1/messages", service, "{\"text\":\"a\",\"base64\":\"AA==\"}");
        assertThat(r.message()).isEqualTo("give the payload as exactly one of text or base64");
        r = rest.post("/api/v1/users/x1/messages", service, "not json");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).isEqualTo("request body is not valid JSON");
        r = rest.post("/api/v1/users/x1/messages", service, "{\"text\":\"a\",\"properties\":{\"rtm-id\":\"forged\"}}");
        assertThat(r.message()).contains("must not start with rtm-");
        r = rest.post("/api/v1/users/x1/messages", service, "{\"text\":\"a\",\"cid\":\"" + "c".repeat(129) + "\"}");
        assertThat(r.message()).contains("rtm-cid must be 1 to 128 characters");
        r = rest.post("/api/v1/users/x1/messages", service, "{\"text\":\"a\",\"expirySeconds\":-1}");
        assertThat(r.message()).contains("expirySeconds must be between 0 and 4294967295");
    }

    @Test
    void channelMessage_andBroadcast_reachMembersAndListeners() throws Exception {
        final Mqtt5BlockingClient a = connect(broker, "rest-a");
        final BlockingQueue<Mqtt5Publish> aGets = subscribe(a, "rtm/channel/rest-room/msg/+");
        final Mqtt5BlockingClient b = connect(broker, "rest-b");
        final BlockingQueue<Mqtt5Publish> bGets = subscribe(b, "rtm/channel/rest-room/msg/+");
        final BlockingQueue<Mqtt5Publish> bAll = subscribe(b, "rtm/all/+");

        Rest.Response r = rest.post("/api/v1/channels/rest-room/messages", service, "{\"text\":\"class starts\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().getAsJsonObject().get("recipients").getAsInt()).isEqualTo(2);
        assertThat(text(next(aGets))).isEqualTo("class starts");
        assertThat(text(next(bGets))).isEqualTo("class starts");

        r = rest.post("/api/v1/channels/rest-room/messages", service, "{\"text\":\"only b\",\"only\":[\"rest-b\"]}");
        assertThat(r.body().getAsJsonObject().get("recipients").getAsInt()).isEqualTo(1);
        assertThat(text(next(bGets))).isEqualTo("only b");
        assertThat(poll(aGets, 300)).isEmpty();

        r = rest.post("/api/v1/channels/rest-room/messages", service, "{\"text\":\"x\",\"only\":[\"a\"],\"except\":[\"b\"]}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).contains("not both");

        r = rest.post("/api/v1/broadcast", service, "{\"text\":\"maintenance\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().getAsJsonObject().get("recipients").getAsInt()).isGreaterThanOrEqualTo(1);
        final Mqtt5Publish broadcast = next(bAll);
        assertThat(broadcast.getTopic().toString()).isEqualTo("rtm/all/backend");
        assertThat(text(broadcast)).isEqualTo("maintenance");
        assertThat(prop(broadcast, "rtm-id")).isEqualTo(r.body().getAsJsonObject().get("id").getAsString());
        a.disconnect();
        b.disconnect();
    }

    @Test
    void queries_presenceMembersCountsAndJoinedChannels() throws Exception {
        final Mqtt5BlockingClient m1 = connect(broker, "rq-1");
        subscribe(m1, "rtm/channel/rq-room/msg/+");
        final Mqtt5BlockingClient m2 = connect(broker, "rq-2");
        subscribe(m2, "rtm/channel/rq-room/msg/+");

        Rest.Response r = rest.get("/api/v1/presence?uids=rq-1,rq-never", service);
        assertThat(r.body().getAsJsonObject().get("rq-1").getAsString()).isEqualTo("online");
        assertThat(r.body().getAsJsonObject().get("rq-never").getAsString()).isEqualTo("offline");
        r = rest.get("/api/v1/users/rq-2/presence", service);
        assertThat(r.body().getAsJsonObject().get("state").getAsString()).isEqualTo("online");
        r = rest.get("/api/v1/channels/rq-room/members?limit=1", service);
        assertThat(r.body().getAsJsonObject().getAsJsonArray("members").get(0).getAsString()).isEqualTo("rq-1");
        final String cursor = r.body().getAsJsonObject().get("cursor").getAsString();
        r = rest.get("/api/v1/channels/rq-room/members?limit=1&cursor=" + cursor, service);
        assertThat(r.body().getAsJsonObject().getAsJsonArray("members").get(0).getAsString()).isEqualTo("rq-2");
        assertThat(r.body().getAsJsonObject().get("cursor").isJsonNull()).isTrue();
        r = rest.get("/api/v1/channels?cids=rq-room,rq-empty", service);
        assertThat(r.body().getAsJsonObject().get("rq-room").getAsInt()).isEqualTo(2);
        assertThat(r.body().getAsJsonObject().get("rq-empty").getAsInt()).isZero();
        r = rest.get("/api/v1/users/rq-1/channels", service);
        assertThat(r.body().getAsJsonObject().getAsJsonArray("channels").toString()).isEqualTo("[\"rq-room\"]");
        r = rest.get("/api/v1/server", service);
        assertThat(r.body().getAsJsonObject().get("uid").getAsString()).isEqualTo("backend");
        assertThat(r.body().getAsJsonObject().get("role").getAsString()).isEqualTo("service");

        assertThat(rest.get("/api/v1/presence", service).message()).contains("uids is required");
        assertThat(rest.get("/api/v1/channels/rq-room/members?limit=1000", service).message())
                .contains("limit must be a whole number between 1 and 100");
        assertThat(rest.get("/api/v1/channels/rq-room/members?limit=ten", service).message())
                .contains("limit must be a whole number, but was 'ten'");
        m1.disconnect();
        m2.disconnect();
    }

    @Test
    void unknownBodyFields_areRefusedWith400NamingTheField() throws Exception {
        assertUnknownField(rest.post("/api/v1/users/x1/messages", service, "{\"text\":\"a\",\"offlne\":false}"), "offlne");
        assertUnknownField(rest.post("/api/v1/channels/room/messages", service, "{\"text\":\"a\",\"exept\":[]}"), "exept");
        assertUnknownField(rest.post("/api/v1/broadcast", service, "{\"text\":\"a\",\"only\":[\"x1\"]}"), "only");
        assertUnknownField(rest.post("/api/v1/tokens", admin, "{\"uid\":\"x1\",\"expires\":\"1h\"}"), "expires");
        assertUnknownField(rest.post("/api/v1/users/x1/kick", admin, "{\"reson\":\"x\"}"), "reson");
        assertUnknownField(rest.patch("/api/v1/users/x1/attributes", service, "{\"attrs\":{},\"rev\":1}"), "rev");
        // a peer message's field on a channel
        assertUnknownField(rest.post("/api/v1/channels/room/messages", service, "{\"text\":\"a\",\"offline\":true}"),
                "offline");
    }

    private static void assertUnknownField(final Rest.Response r, final String field) {
        assertThat(r.status()).as(field).isEqualTo(400);
        assertThat(r.code()).isEqualTo("invalid");
        assertThat(r.message()).startsWith("unknown field '" + field + "'; the fields are ");
    }

    @Test
    void pagesDocumentsAndMetrics_answerOnlyGetAndHead_othersGet405WithAllow() throws Exception {
        for (final String method : List.of("POST", "PUT", "PATCH", "DELETE", "OPTIONS")) {
            for (final String path : List.of("/metrics", "/config.json", "/openapi.json", "/", "/console", "/assets/app.js")) {
                final Rest.Response r = rest.send(HttpRequest.newBuilder(rest.uri(path))
                        .method(method, HttpRequest.BodyPublishers.ofString("{}")), service);
                assertThat(r.status()).as(method + " " + path).isEqualTo(405);
                assertThat(r.raw().headers().firstValue("Allow")).as(method + " " + path).contains("GET, HEAD");
                assertThat(r.message()).contains(method + " is not allowed on " + path);
                // answered without reading the body: the server closes, and says so
                assertThat(r.raw().headers().firstValue("Connection")).as(method + " " + path).contains("close");
            }
        }
        // answers to requests without a body keep the connection
        assertThat(rest.get("/config.json", null).raw().headers().firstValue("Connection")).isEmpty();
        assertThat(rest.get("/api/v1/server", service).raw().headers().firstValue("Connection")).isEmpty();
        final Rest.Response head = rest.send(HttpRequest.newBuilder(rest.uri("/metrics"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()), service);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.raw().body()).isEmpty();
        assertThat(head.raw().headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        Rest.Response r = rest.get("/api/v1/broadcast", service);
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.raw().headers().firstValue("Allow")).contains("POST");
        r = rest.post("/api/v1/users/x1/attributes", service, "{}");
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.raw().headers().firstValue("Allow")).contains("GET, PUT, PATCH, DELETE");
    }

    @Test
    void admin_mintsTokensThatWork_andKicksUsersWithAReason() throws Exception {
        Rest.Response r = rest.post("/api/v1/tokens", admin, "{\"uid\":\"minted\",\"role\":\"service\",\"ttl\":\"1h\"}");
        assertThat(r.status()).isEqualTo(201);
        final String token = r.body().getAsJsonObject().get("token").getAsString();
        final TokenCheck check = new Tokens(EmbeddedBroker.SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC(),
                Duration.ZERO).verify("minted", token);
        assertThat(check.isOk()).isTrue();
        assertThat(check.role()).isEqualTo(Role.SERVICE);
        assertThat(rest.post("/api/v1/tokens", admin, "{\"uid\":\"x\",\"role\":\"god\"}").message())
                .contains("role must be user, service or admin, but was 'god'");
        assertThat(rest.post("/api/v1/tokens", admin, "{\"uid\":\"x\",\"ttl\":\"forever\"}").message())
                .contains("ttl must be a duration");

        final CompletableFuture<String> kickedWith = new CompletableFuture<>();
        final Mqtt5BlockingClient victim = MqttClient.builder().useMqttVersion5().identifier("kickme")
                .serverHost("127.0.0.1").serverPort(broker.port())
                .addDisconnectedListener(ctx -> kickedWith.complete(ctx.getCause()
                        instanceof com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException
                        ? ((com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException) ctx.getCause()).getMqttMessage()
                                .getReasonCode() + " " + ((com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException)
                                ctx.getCause()).getMqttMessage().getReasonString().map(Object::toString).orElse("")
                        : String.valueOf(ctx.getCause())))
                .buildBlocking();
        victim.connectWith().simpleAuth().password(broker.token("kickme").getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
        r = rest.post("/api/v1/users/kickme/kick", admin, "{\"reason\":\"firmware recall\"}");
        assertThat(r.body().getAsJsonObject().get("kicked").getAsBoolean()).isTrue();
        assertThat(kickedWith.get(5, TimeUnit.SECONDS)).isEqualTo("ADMINISTRATIVE_ACTION firmware recall");
        assertThat(rest.post("/api/v1/users/nobody-here/kick", admin, "{}").body().getAsJsonObject().get("kicked")
                .getAsBoolean()).isFalse();
    }

    @Test
    void authentication_andRoles_areEnforced() throws Exception {
        Rest.Response r = rest.get("/api/v1/server", null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.code()).isEqualTo("unauthorized");
        assertThat(r.raw().headers().firstValue("WWW-Authenticate")).contains("Bearer");
        r = rest.get("/api/v1/server", "garbage");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.message()).isEqualTo("token is not a JWT");
        final String forged = new Tokens("some-other-deployment-secret-0123456789".getBytes(StandardCharsets.UTF_8),
                Clock.systemUTC(), Duration.ZERO).mint("ops", Role.ADMIN, Duration.ofHours(1));
        assertThat(rest.get("/api/v1/server", forged).status()).isEqualTo(401);
        r = rest.get("/api/v1/server", broker.token("plain-user"));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.message()).contains("needs role service or admin; the token's role is user");
        r = rest.post("/api/v1/tokens", service, "{\"uid\":\"x\"}");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.message()).contains("needs role admin");
        assertThat(rest.post("/api/v1/users/x/kick", service, "{}").status()).isEqualTo(403);
        assertThat(rest.get("/api/v1/nothing", service).status()).isEqualTo(404);
        assertThat(rest.get("/api/v1/broadcast", service).status()).isEqualTo(405);
    }

    @Test
    void callersOverTheirRate_get429WithRetryAfter() throws Exception {
        final String greedy = broker.token("greedy", Role.SERVICE);
        final List<CompletableFuture<Rest.Response>> burst = new java.util.ArrayList<>();
        for (int i = 0; i < 120; i++) {
            burst.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return rest.get("/api/v1/server", greedy);
                } catch (final Exception e) {
                    throw new IllegalStateException(e);
                }
            }, POOL));
        }
        final Rest.Response last = burst.stream().map(CompletableFuture::join).filter(x -> x.status() == 429).findFirst()
                .orElseThrow(() -> new AssertionError("120 requests at once were all served; expected 429 over 60"));
        assertThat(last.code()).isEqualTo("rate_limited");
        assertThat(last.message()).contains("http.rate-per-second");
        assertThat(last.raw().headers().firstValue("Retry-After")).isPresent();
        // another service is not affected
        assertThat(rest.get("/api/v1/server", service).status()).isEqualTo(200);
    }

    @Test
    void statsAndMetrics_showTheTraffic() throws Exception {
        final Mqtt5BlockingClient c = connect(broker, "stats-user");
        publish(c, "rtm/user/stats-other/inbox/stats-user", "counted");
        final Rest.Response stats = rest.get("/api/v1/stats", service);
        final JsonObject body = stats.body().getAsJsonObject();
        assertThat(body.getAsJsonObject("gauges").get("users.connected").getAsLong()).isGreaterThanOrEqualTo(1);
        assertThat(body.getAsJsonObject("messages").get("peer").getAsLong()).isGreaterThanOrEqualTo(1);
        assertThat(body.getAsJsonObject("refusals").keySet()).contains("rate_limited", "forbidden", "too_large");

        assertThat(rest.get("/metrics", null).status()).isEqualTo(401);
        final Rest.Response metrics = rest.get("/metrics", service);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.raw().body()).contains("openrtm_messages_total{kind=\"peer\"").contains("openrtm_users_connected")
                .contains("com_hivemq_networking_connections_current");
        c.disconnect();
    }

    @Test
    void pagesAndDocuments_areServed() throws Exception {
        for (final String page : List.of("/", "/console", "/assets/openrtm.min.js", "/assets/app.js",
                "/assets/uPlot.iife.min.js", "/assets/uPlot.min.css", "/openapi.json",
                "/config.json")) {
            assertThat(rest.get(page, null).status()).as(page).isEqualTo(200);
        }
        assertThat(rest.get("/config.json", null).body().getAsJsonObject().get("wsPort").getAsInt())
                .isEqualTo(broker.wsPort());
        assertThat(rest.get("/assets/../openapi.json", null).status()).isEqualTo(404);
        assertThat(rest.get("/assets/secret.txt", null).status()).isEqualTo(404);
    }
}
