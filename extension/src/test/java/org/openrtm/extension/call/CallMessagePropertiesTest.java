package org.openrtm.extension.call;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.jetbrains.annotations.NotNull;
import org.openrtm.extension.delivery.Outbound;
import org.openrtm.extension.delivery.RtmMessage;
import org.openrtm.extension.routing.InboundPublish;
import org.openrtm.extension.routing.SendResult;
import org.openrtm.extension.session.Connection;
import org.openrtm.extension.session.Sessions;
import org.openrtm.extension.util.Lanes;
import org.openrtm.protocol.Role;
import org.openrtm.protocol.RtmIds;
import org.openrtm.protocol.RtmStatus;
import org.openrtm.protocol.RtmTopics;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-based tests of the invitation JSON parser: a model of the documented rules (id, action, content, response,
 * channel; their order of checking) predicts whether any call message is {@code invalid}, {@code too_large} or reaches
 * the state machine; the server never fails internally, and a refused message never changes the calls in progress.
 */
class CallMessagePropertiesTest {

    private static final int MAX_CONTENT = 64;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_\\-.@:~]{1,64}");
    private static final Set<String> ACTIONS = Set.of("invite", "cancel", "accept", "refuse");

    private static ExecutorService executor;
    private static ScheduledExecutorService timers;
    private static CallService calls;
    private static Connection alice;

    /** Nobody receives anything: the callee is never connected, so invites wait. */
    private static final class Nowhere implements Outbound {
        @Override
        public @NotNull CompletableFuture<Boolean> toClient(final @NotNull String clientId, final @NotNull RtmMessage m) {
            return CompletableFuture.completedFuture(false);
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

    @BeforeContainer
    static void start() {
        executor = Executors.newFixedThreadPool(2);
        timers = Executors.newSingleThreadScheduledExecutor();
        final Sessions sessions = new Sessions(1000, 1000);
        calls = new CallService(new Nowhere(), sessions, timers, new Lanes(executor, 4), Clock.systemUTC(),
                RtmIds.generator(), new CallService.CallOptions(Duration.ofHours(1), Duration.ofHours(1),
                Duration.ofHours(1), MAX_CONTENT), (uid, event) -> { }, null);
        alice = sessions.prepare("alice", Role.USER, Connection.Via.MQTT, true, 0);
    }

    @AfterContainer
    static void stop() throws Exception {
        timers.shutdownNow();
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------------------------------------------ generators

    private static Arbitrary<JsonElement> anyValue() {
        return Arbitraries.oneOf(
                Arbitraries.just(JsonNull.INSTANCE),
                Arbitraries.of(true, false).map(JsonPrimitive::new),
                Arbitraries.integers().map(JsonPrimitive::new),
                Arbitraries.strings().ofMaxLength(80).map(JsonPrimitive::new),
                Arbitraries.just(new JsonObject()),
                Arbitraries.just(new com.google.gson.JsonArray()));
    }

    private static Arbitrary<Optional<JsonElement>> field(final Arbitrary<String> likely) {
        return Arbitraries.oneOf(
                Arbitraries.just(Optional.<JsonElement>empty()),
                likely.map(s -> Optional.<JsonElement>of(new JsonPrimitive(s))),
                likely.map(s -> Optional.<JsonElement>of(new JsonPrimitive(s))),
                anyValue().map(Optional::of));
    }

    @Provide
    Arbitrary<JsonObject> messages() {
        final Arbitrary<String> ids = Arbitraries.oneOf(Arbitraries.strings().withChars("abc-_.~:@019XYZ").ofMinLength(1)
                .ofMaxLength(8), Arbitraries.of("", "a b", "a/b", "é", "x".repeat(64), "x".repeat(65)));
        final Arbitrary<String> actions = Arbitraries.of("invite", "cancel", "accept", "refuse", "INVITE", "", "ring");
        final Arbitrary<String> texts = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(MAX_CONTENT + 8),
                Arbitraries.strings().withChars("é€").ofMinLength(20).ofMaxLength(30));
        final Arbitrary<String> channels = Arbitraries.strings().alpha().ofMaxLength(70);
        return Combinators.combine(field(ids), field(actions), field(texts), field(texts), field(channels),
                Arbitraries.of("", "x").map(Optional::of)).as((id, action, content, response, channel, extra) -> {
                    final JsonObject o = new JsonObject();
                    id.ifPresent(v -> o.add("id", v));
                    action.ifPresent(v -> o.add("action", v));
                    content.ifPresent(v -> o.add("content", v));
                    response.ifPresent(v -> o.add("response", v));
                    channel.ifPresent(v -> o.add("channel", v));
                    extra.filter(x -> !x.isEmpty()).ifPresent(x -> o.addProperty("unknown", x));
                    return o;
                });
    }

    @Provide
    Arbitrary<byte[]> garbage() {
        return Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofMaxSize(40),
                Arbitraries.of("", "null", "[]", "\"invite\"", "{", "{\"id\":\"a\",\"action\":\"invite\"", "1e999",
                        "{\"id\":\"a\",\"action\":\"invite\"}}").map(s -> s.getBytes(StandardCharsets.UTF_8)));
    }

    // ------------------------------------------------------------------------------------------------ the model

    /** What the documented rules say about a message: INVALID, TOO_LARGE, or null (it reaches the state machine). */
    private static RtmStatus expected(final JsonObject o) {
        final JsonElement id = o.get("id");
        if (!isString(id) || !ID.matcher(id.getAsString()).matches()) {
            return RtmStatus.INVALID;
        }
        final JsonElement action = o.get("action");
        if (isNull(action) || !isString(action) || !ACTIONS.contains(action.getAsString())) {
            return RtmStatus.INVALID;
        }
        for (final String f : List.of("content", "response")) {
            final JsonElement v = o.get(f);
            if (isNull(v)) {
                continue;
            }
            if (!isString(v)) {
                return RtmStatus.INVALID;
            }
            if (v.getAsString().getBytes(StandardCharsets.UTF_8).length > MAX_CONTENT) {
                return RtmStatus.TOO_LARGE;
            }
        }
        final JsonElement channel = o.get("channel");
        if (!isNull(channel) && (!isString(channel) || channel.getAsString().length() > 64)) {
            return RtmStatus.INVALID;
        }
        return null;
    }

    private static boolean isNull(final JsonElement e) {
        return e == null || e.isJsonNull();
    }

    private static boolean isString(final JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    // ------------------------------------------------------------------------------------------------ properties

    @Property(tries = 600)
    void anyCallMessage_isJudgedAsTheRulesSay_andARefusalChangesNothing(
            @ForAll("messages") final JsonObject message,
            @ForAll final boolean toBob) throws Exception {
        final int before = calls.activeCalls();
        final SendResult r = send(toBob ? "bob" : "carol", message.toString().getBytes(StandardCharsets.UTF_8));
        final RtmStatus want = expected(message);
        if (want != null) {
            assertThat(r.status()).as(message + ": " + r.reason()).isEqualTo(want);
            assertThat(r.reason()).isNotBlank();
            assertThat(calls.activeCalls()).isEqualTo(before);
        } else {
            // the state machine decides: a new invite waits for the callee; an answer or cancel without a call is a
            // conflict; nothing else is possible
            assertThat(r.status()).as(message + ": " + r.reason()).isIn(RtmStatus.CACHED, RtmStatus.CONFLICT,
                    RtmStatus.DELIVERED);
            if (r.status() == RtmStatus.CONFLICT) {
                assertThat(calls.activeCalls()).isEqualTo(before);
            }
        }
    }

    @Property(tries = 300)
    void garbage_isInvalid_andChangesNothing(@ForAll("garbage") final byte[] payload) throws Exception {
        final int before = calls.activeCalls();
        final SendResult r = send("bob", payload);
        assertThat(r.status()).isIn(RtmStatus.INVALID, RtmStatus.CACHED, RtmStatus.CONFLICT);
        if (r.status() == RtmStatus.INVALID) {
            assertThat(calls.activeCalls()).isEqualTo(before);
        }
    }

    @Property(tries = 100)
    void spoofedSenderLevel_isForbidden_whateverThePayload(@ForAll("messages") final JsonObject message) throws Exception {
        final int before = calls.activeCalls();
        final String topic = RtmTopics.call("bob", "mallory");
        final InboundPublish p = new InboundPublish(topic, RtmTopics.parse(topic),
                message.toString().getBytes(StandardCharsets.UTF_8), 1, false, List.of(), null, null, null, null, false);
        final SendResult r = calls.publish(alice, p).get(5, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(RtmStatus.FORBIDDEN);
        assertThat(calls.activeCalls()).isEqualTo(before);
    }

    private static SendResult send(final String callee, final byte[] payload) throws Exception {
        final String topic = RtmTopics.call(callee, "alice");
        final InboundPublish p = new InboundPublish(topic, RtmTopics.parse(topic), payload, 1, false, List.of(), null,
                null, null, null, false);
        return calls.publish(alice, p).get(5, TimeUnit.SECONDS);
    }
}
