package org.openrtm.extension.rpc;

import com.codahale.metrics.MetricRegistry;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.jetbrains.annotations.NotNull;
import org.openrtm.extension.attribute.AttributeService;
import org.openrtm.extension.delivery.Outbound;
import org.openrtm.extension.delivery.RtmMessage;
import org.openrtm.extension.metrics.RtmMetrics;
import org.openrtm.extension.routing.InboundPublish;
import org.openrtm.extension.routing.SendResult;
import org.openrtm.extension.session.Connection;
import org.openrtm.extension.session.Sessions;
import org.openrtm.extension.store.Store;
import org.openrtm.extension.store.StoreOptions;
import org.openrtm.extension.util.Lanes;
import org.openrtm.protocol.Role;
import org.openrtm.protocol.RtmIds;
import org.openrtm.protocol.RtmStatus;
import org.openrtm.protocol.RtmTopics;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-based tests of the RPC request parsers: whatever bytes or JSON a client publishes to {@code rtm/rpc/...}
 * (the generic body with {@code rid}, and the attribute methods' bodies), the server answers with exactly one
 * well-formed reply and a PUBACK status of the protocol, never an internal error, and a refused attribute call
 * changes nothing.
 */
class RpcRequestPropertiesTest {

    private static final Set<RtmStatus> ACK_STATUSES = Set.of(RtmStatus.DELIVERED, RtmStatus.INVALID,
            RtmStatus.FORBIDDEN, RtmStatus.TOO_LARGE);
    private static final Set<String> ERROR_CODES = Set.of("invalid", "unknown_method", "forbidden", "not_found",
            "conflict", "too_large");
    private static final List<String[]> OWNERS = List.of(new String[] {"user", "alice"}, new String[] {"user", "bob"},
            new String[] {"channel", "room"}, new String[] {"channel", "hall"});

    /** Captures the replies handed to clients. */
    private static final class Replies implements Outbound {
        final ConcurrentLinkedQueue<RtmMessage> sent = new ConcurrentLinkedQueue<>();

        @Override
        public @NotNull CompletableFuture<Boolean> toClient(final @NotNull String clientId, final @NotNull RtmMessage m) {
            sent.add(m);
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public @NotNull CompletableFuture<Void> publish(final @NotNull RtmMessage message) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public @NotNull CompletableFuture<Void> forEachRetained(final @NotNull BiConsumer<String, byte[]> action) {
            return CompletableFuture.completedFuture(null);
        }
    }

    private static Path dir;
    private static ExecutorService executor;
    private static Store store;
    private static Replies replies;
    private static RpcService rpc;
    private static AttributeService attributes;
    private static Connection alice;

    @BeforeContainer
    static void open() throws Exception {
        dir = Files.createTempDirectory("rpc-props-");
        executor = Executors.newFixedThreadPool(4);
        store = Store.open(dir, StoreOptions.defaults(), List.of(AttributeService.KEYSPACE), executor);
        replies = new Replies();
        attributes = new AttributeService(store, replies, executor, new Lanes(executor, 8), Clock.systemUTC(),
                RtmIds.generator(), new AttributeService.AttrLimits(32, 64, 4, 128, false),
                (cid, uid) -> cid.equals("room") && uid.equals("alice"));
        rpc = new RpcService(replies, new RtmMetrics(new MetricRegistry()));
        rpc.register("attr.get", attributes.getHandler());
        rpc.register("attr.set", attributes.setHandler());
        rpc.register("attr.delete", attributes.deleteHandler());
        rpc.register("echo", (caller, params) -> CompletableFuture.completedFuture(params));
        alice = new Sessions(1000, 1000).prepare("alice", Role.USER, Connection.Via.MQTT, true, 0);
    }

    @AfterContainer
    static void close() throws Exception {
        store.close();
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    // ------------------------------------------------------------------------------------------------ generators

    private static final List<String> FIELDS = List.of("scope", "id", "keys", "attrs", "mode", "ifRev", "all", "rid",
            "value", "encoding", "uids", "cid", "limit", "cursor", "extra");
    private static final List<String> WORDS = List.of("user", "channel", "merge", "replace", "alice", "bob", "room",
            "hall", "name", "k", "k2", "fw", "", "a/b", "#", "+", "x".repeat(65), "k".repeat(33), "base64", "utf8",
            "AAAA", "!!notbase64", "true", "null", "v".repeat(70), "\u0000", "\ud83d\ude00");

    private static Arbitrary<JsonElement> leaf() {
        return Arbitraries.oneOf(
                Arbitraries.just(JsonNull.INSTANCE),
                Arbitraries.of(true, false).map(JsonPrimitive::new),
                Arbitraries.of(0L, 1L, -1L, 2L, 3L, 100L, 101L, Long.MAX_VALUE, Long.MIN_VALUE).map(JsonPrimitive::new),
                Arbitraries.of(0.5, 1e300, -0.0).map(JsonPrimitive::new),
                Arbitraries.of(WORDS).map(JsonPrimitive::new),
                Arbitraries.strings().ofMaxLength(20).map(JsonPrimitive::new));
    }

    private static Arbitrary<JsonElement> json(final int depth) {
        if (depth == 0) {
            return leaf();
        }
        final Arbitrary<JsonElement> array = json(depth - 1).list().ofMaxSize(4).map(l -> {
            final JsonArray a = new JsonArray();
            l.forEach(a::add);
            return a;
        });
        final Arbitrary<JsonElement> object = Arbitraries.maps(Arbitraries.oneOf(Arbitraries.of(FIELDS),
                Arbitraries.of(WORDS)), json(depth - 1)).ofMaxSize(4).map(RpcRequestPropertiesTest::object);
        return Arbitraries.frequencyOf(Tuple.of(3, leaf()), Tuple.of(2, array), Tuple.of(3, object));
    }

    private static JsonObject object(final Map<String, JsonElement> m) {
        final JsonObject o = new JsonObject();
        m.forEach(o::add);
        return o;
    }

    private static <T> Arbitrary<T> mostly(final Arbitrary<T> good, final Arbitrary<T> bad) {
        return Arbitraries.frequencyOf(Tuple.of(6, good), Tuple.of(1, bad));
    }

    /**
     * Request bodies shaped like the attribute methods' (the fields they know, mostly with sensible values, sometimes
     * with values of any type or an unknown field), so that both the refusals and the writes are reached.
     */
    private static Arbitrary<JsonObject> attributeBodies(final String required, final String... known) {
        final Arbitrary<JsonElement> scope = mostly(Arbitraries.of("user", "channel").map(JsonPrimitive::new), leaf());
        final Arbitrary<JsonElement> id = mostly(Arbitraries.of("alice", "bob", "room", "hall").map(JsonPrimitive::new),
                leaf());
        final Arbitrary<String> keyName = mostly(Arbitraries.of("name", "k", "k2", "fw", "k3", "k4"),
                Arbitraries.of("", "a/b", "k".repeat(33), "\u0000"));
        final Arbitrary<JsonElement> keys = mostly(keyName.map(JsonPrimitive::new), leaf()).list().ofMaxSize(5).map(l -> {
            final JsonArray a = new JsonArray();
            l.forEach(a::add);
            return (JsonElement) a;
        });
        final Arbitrary<JsonElement> value = mostly(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(80)
                .map(JsonPrimitive::new), Arbitraries.oneOf(Arbitraries.of("AAAA", "!!", "").map(v -> {
                    final JsonObject o = new JsonObject();
                    o.addProperty("value", v);
                    o.addProperty("encoding", "base64");
                    return (JsonElement) o;
                }), json(1)));
        final Arbitrary<JsonElement> attrs = mostly(Arbitraries.maps(keyName, value).ofMaxSize(5)
                .map(m -> (JsonElement) object(m)), leaf());
        final Arbitrary<JsonElement> ifRev = Arbitraries.maps(keyName, mostly(
                Arbitraries.longs().between(-1, 4).map(JsonPrimitive::new), leaf())).ofMaxSize(3).map(m -> object(m));
        final Arbitrary<JsonElement> mode = mostly(Arbitraries.of("merge", "replace").map(JsonPrimitive::new), leaf());
        final Arbitrary<JsonElement> all = mostly(Arbitraries.of(true, false).map(JsonPrimitive::new), leaf());
        final Map<String, Arbitrary<JsonElement>> byField = Map.of("keys", keys, "attrs", attrs, "mode", mode,
                "ifRev", ifRev, "all", all, "bogus", leaf());
        final List<String> withBogus = new ArrayList<>(List.of(known));
        withBogus.add("bogus");
        final Arbitrary<Set<String>> optional = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.subsetOf(known)),
                Tuple.of(1, Arbitraries.subsetOf(withBogus)));
        return optional.flatMap(fields -> {
            final List<Arbitrary<Map.Entry<String, JsonElement>>> parts = new ArrayList<>();
            parts.add(mostly(scope.map(v -> Map.entry("scope", v)), Arbitraries.just(Map.entry("", JsonNull.INSTANCE))));
            parts.add(mostly(id.map(v -> Map.entry("id", v)), Arbitraries.just(Map.entry("", JsonNull.INSTANCE))));
            if (required != null) {
                parts.add(mostly(byField.get(required).map(v -> Map.entry(required, v)),
                        Arbitraries.just(Map.entry("", JsonNull.INSTANCE))));
            }
            for (final String f : fields) {
                if (!f.equals(required)) {
                    parts.add(byField.get(f).map(x -> Map.entry(f, x)));
                }
            }
            return Combinators.combine(parts).as(entries -> {
                final JsonObject o = new JsonObject();
                entries.stream().filter(e -> !e.getKey().isEmpty()).forEach(e -> o.add(e.getKey(), e.getValue()));
                return o;
            });
        });
    }

    /** An attribute method and a body for it: mostly the fields that method knows, sometimes one it does not. */
    @Provide
    Arbitrary<Tuple.Tuple2<String, JsonObject>> attributeCalls() {
        return Arbitraries.oneOf(
                attributeBodies(null, "keys").map(b -> Tuple.of("attr.get", b)),
                attributeBodies("attrs", "mode", "ifRev").map(b -> Tuple.of("attr.set", b)),
                attributeBodies("attrs", "mode", "ifRev").map(b -> Tuple.of("attr.set", b)),
                attributeBodies("keys", "ifRev").map(b -> Tuple.of("attr.delete", b)),
                attributeBodies("all", "ifRev").map(b -> Tuple.of("attr.delete", b)),
                // well-formed writes of alice's own attributes: the random bodies above reach a successful write
                // only a few times in 600 tries (one run's seed reached none), and the writes must be covered
                Combinators.combine(Arbitraries.maps(Arbitraries.of("name", "k", "k2", "fw"),
                                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(40)).ofMinSize(1).ofMaxSize(3),
                        Arbitraries.of("merge", "replace")).as((attrs, mode) -> {
                            final JsonObject b = new JsonObject();
                            b.addProperty("scope", "user");
                            b.addProperty("id", "alice");
                            final JsonObject a = new JsonObject();
                            attrs.forEach(a::addProperty);
                            b.add("attrs", a);
                            b.addProperty("mode", mode);
                            return Tuple.of("attr.set", b);
                        }));
    }

    @Provide
    Arbitrary<byte[]> payloads() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
                json(3).map(j -> j.toString().getBytes(StandardCharsets.UTF_8)),
                json(3).map(j -> {
                    final String s = j.toString();
                    return s.substring(0, s.length() / 2).getBytes(StandardCharsets.UTF_8);
                }),
                Arbitraries.of("", " ", "{}", "{\"rid\":null}", "{\"rid\":{}}", "{\"rid\":[1]}", "{\"rid\":12345}",
                        "{\"rid\":\"" + "r".repeat(129) + "\"}", "{\"rid\":\"a\",\"rid\":\"b\"}", "nul", "\ufeff{}",
                        "{\"a\":1}garbage", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)));
    }

    // ------------------------------------------------------------------------------------------------ properties

    @Property(tries = 400)
    void anyPayload_getsOneWellFormedReply_andAProtocolStatus(
            @ForAll("payloads") final byte[] payload,
            @ForAll("methods") final String method,
            @ForAll final boolean withResponseTopic) throws Exception {
        replies.sent.clear();
        final SendResult ack = call(method, payload, withResponseTopic);
        assertThat(ACK_STATUSES).as("PUBACK status").contains(ack.status());
        assertThat(replies.sent).as("replies").hasSize(1);
        final RtmMessage reply = replies.sent.poll();
        assertThat(reply.topic()).isEqualTo(RtmTopics.event("alice"));
        final JsonObject body = JsonParser.parseString(new String(reply.payload(), StandardCharsets.UTF_8))
                .getAsJsonObject();
        assertThat(body.get("ok").isJsonPrimitive()).isTrue();
        if (withResponseTopic) {
            assertThat(reply.correlation()).containsExactly("c".getBytes(StandardCharsets.UTF_8));
            assertThat(body.has("type")).isFalse();
        } else {
            assertThat(body.get("type").getAsString()).isEqualTo("rpc");
            assertThat(body.get("method").getAsString()).isEqualTo(method);
        }
        if (body.get("ok").getAsBoolean()) {
            assertThat(ack.status()).isEqualTo(RtmStatus.DELIVERED);
            assertThat(body.has("result")).isTrue();
        } else {
            final JsonObject error = body.getAsJsonObject("error");
            assertThat(ERROR_CODES).as("error code of " + body).contains(error.get("code").getAsString());
            assertThat(error.get("message").getAsString()).isNotBlank();
            if (error.get("code").getAsString().equals("invalid")) {
                assertThat(ack.status()).isEqualTo(RtmStatus.INVALID);
            }
        }
    }

    @Provide
    Arbitrary<String> methods() {
        return Arbitraries.of("attr.get", "attr.set", "attr.delete", "echo", "no.such.method");
    }

    // edge cases would put odd values into scope and id nearly every time and never reach a write
    @Property(tries = 600, edgeCases = EdgeCasesMode.NONE)
    void attributeCalls_neverFailInternally_andARefusedCallChangesNothing(
            @ForAll("attributeCalls") final Tuple.Tuple2<String, JsonObject> call) throws Exception {
        final String method = call.get1();
        final JsonObject body = call.get2();
        final List<String> before = snapshot();
        replies.sent.clear();
        final SendResult ack = call(method, body.toString().getBytes(StandardCharsets.UTF_8), true);
        assertThat(ACK_STATUSES).contains(ack.status());
        final JsonObject reply = JsonParser.parseString(new String(replies.sent.poll().payload(), StandardCharsets.UTF_8))
                .getAsJsonObject();
        final boolean ok = reply.get("ok").getAsBoolean();
        Statistics.collect(method, ok ? "ok" : reply.getAsJsonObject("error").get("code").getAsString());
        // the generators must reach the writes too, not only the refusals
        Statistics.coverage(c -> {
            c.check("attr.set", "ok").count(n -> n > 0);
            c.check("attr.set", "forbidden").count(n -> n > 0);
        });
        if (!ok) {
            assertThat(ERROR_CODES).as(body + " -> " + reply).contains(reply.getAsJsonObject("error").get("code")
                    .getAsString());
            assertThat(snapshot()).as("state after refused " + method + " " + body).isEqualTo(before);
        } else if (method.equals("attr.get")) {
            assertThat(snapshot()).isEqualTo(before);
        }
    }

    private static SendResult call(final String method, final byte[] payload, final boolean withResponseTopic)
            throws Exception {
        final String topic = RtmTopics.rpc(method);
        final InboundPublish p = new InboundPublish(topic, RtmTopics.parse(topic), payload, 1, false, List.of(), null,
                withResponseTopic ? "c".getBytes(StandardCharsets.UTF_8) : null,
                withResponseTopic ? RtmTopics.event("alice") : null, null, false);
        return rpc.handle(alice, p).get(5, TimeUnit.SECONDS);
    }

    /** Every owner's attributes as attr.get reports them (values, writers, times and revisions). */
    private static List<String> snapshot() throws Exception {
        final List<String> s = new ArrayList<>();
        for (final String[] owner : OWNERS) {
            final JsonObject q = new JsonObject();
            q.addProperty("scope", owner[0]);
            q.addProperty("id", owner[1]);
            s.add(attributes.getHandler().handle(alice, q).get(5, TimeUnit.SECONDS).toString());
        }
        return s;
    }
}
