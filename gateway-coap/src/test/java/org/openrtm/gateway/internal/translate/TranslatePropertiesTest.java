package org.openrtm.gateway.internal.translate;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.Strictness;
import com.google.gson.internal.Streams;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.openrtm.protocol.FilterAnalysis;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.ParsedTopic;
import org.openrtm.protocol.Props;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.protocol.TopicFamily;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of every parser and translator of the gateway, for any input a device (or the broker) can send: URI
 * paths to topics and filters, query options, login queries, conditional-request options, PUBACK/SUBACK/CONNACK
 * outcomes, and the JSON envelope. None throws; what they accept agrees with the protocol module's topic scheme; the
 * envelope is always strict JSON that gives back what went in.
 */
class TranslatePropertiesTest {

    private static final char[] ID_CHARS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.@:~".toCharArray();
    private static final char[] NOISE = "ab/+#$= &\u0000\u00e9\u2028\"\\rtm~.,".toCharArray();
    private static final List<String> LEVEL_WORDS = List.of("rtm", "user", "channel", "all", "rpc", "inbox", "call",
            "event", "presence", "attr", "msg", "member", "count", "+", "#", "", "a", "bob");
    private static final Set<String> KNOWN_QUERY = Set.of("s", "cid", "offline", "history", "only", "except", "exp",
            "ifrev");

    @Provide
    Arbitrary<String> ids() {
        return Arbitraries.strings().withChars(ID_CHARS).ofMinLength(1).ofMaxLength(Ids.MAX_KEY_LENGTH);
    }

    /** Any segment: protocol words, valid ids, noise, arbitrary Unicode. */
    @Provide
    Arbitrary<String> segments() {
        return Arbitraries.oneOf(Arbitraries.of(LEVEL_WORDS), ids(), Arbitraries.strings().withChars(NOISE).ofMaxLength(8),
                Arbitraries.strings().ofMaxLength(70));
    }

    /** URI paths, most of them starting with {@code rtm}. */
    @Provide
    Arbitrary<List<String>> paths() {
        final Arbitrary<List<String>> tail = segments().list().ofMaxSize(7);
        return Arbitraries.oneOf(tail, tail.map(t -> {
            final List<String> p = new ArrayList<>();
            p.add("rtm");
            p.addAll(t);
            return p;
        }));
    }

    /** Paths that are exactly a valid topic of some family, with valid ids. */
    @Provide
    Arbitrary<String> validTopics() {
        return Combinators.combine(Arbitraries.of(TopicFamily.values()), ids(), ids()).as(TranslatePropertiesTest::build);
    }

    static String build(final TopicFamily f, final String a, final String b) {
        switch (f) {
            case INBOX:
                return RtmTopics.inbox(a, b);
            case CALL:
                return RtmTopics.call(a, b);
            case EVENT:
                return RtmTopics.event(a);
            case PRESENCE:
                return RtmTopics.presence(a);
            case USER_ATTR:
                return RtmTopics.userAttr(a, b);
            case CHANNEL_MSG:
                return RtmTopics.channelMsg(a, b);
            case CHANNEL_MEMBER:
                return RtmTopics.member(a, b);
            case CHANNEL_COUNT:
                return RtmTopics.count(a);
            case CHANNEL_ATTR:
                return RtmTopics.channelAttr(a, b);
            case BROADCAST:
                return RtmTopics.broadcast(a);
            default:
                return RtmTopics.rpc(a);
        }
    }

    // ------------------------------------------------------------------------------------------------ URI paths

    @Property(tries = 3000)
    void publishTopic_neverThrows_andATopicItGivesMirrorsThePathWithoutWildcards(@ForAll("paths") final List<String> path,
                                                                                  @ForAll("ids") final String self) {
        final CoapTopics.Target t = CoapTopics.publishTopic(path, self);
        assertThat(t.ok() ^ t.error() != null).as("exactly one of topic and error").isTrue();
        if (!t.ok()) {
            assertThat(t.error()).isNotBlank();
            return;
        }
        final List<String> levels = Arrays.asList(t.topic().split("/", -1));
        assertThat(levels.subList(0, path.size())).as("the path, level by level").isEqualTo(path);
        assertThat(levels.size() - path.size()).as("at most the sender level is added").isBetween(0, 1);
        if (levels.size() > path.size()) {
            assertThat(levels.get(levels.size() - 1)).isEqualTo(self);
        }
        assertThat(t.topic()).doesNotContain("+").doesNotContain("#").doesNotContain("\u0000");
        assertThat(t.topic().codePoints().noneMatch(TranslatePropertiesTest::mqttRefuses)).as("an MQTT string").isTrue();
        final ParsedTopic parsed = RtmTopics.parse(t.topic());
        assertThat(parsed.kind()).as("never a topic the protocol calls invalid").isNotEqualTo(ParsedTopic.Kind.INVALID);
        if (t.family() != null) {
            assertThat(parsed.isValid()).isTrue();
            assertThat(parsed.family()).isEqualTo(t.family());
        }
    }

    @Property(tries = 2000)
    void publishTopic_ofAValidTopicsLevels_isThatTopic(@ForAll("validTopics") final String topic,
                                                       @ForAll("ids") final String self) {
        final CoapTopics.Target t = CoapTopics.publishTopic(List.of(topic.split("/")), self);
        assertThat(t.topic()).isEqualTo(topic);
        assertThat(t.family()).isEqualTo(RtmTopics.parse(topic).family());
    }

    @Property(tries = 2000)
    void publishTopic_leavingOutTheSender_fillsInTheDevice(@ForAll("ids") final String peer, @ForAll("ids") final String self) {
        assertThat(CoapTopics.publishTopic(List.of("rtm", "user", peer, "inbox"), self).topic())
                .isEqualTo(RtmTopics.inbox(peer, self));
        assertThat(CoapTopics.publishTopic(List.of("rtm", "user", peer, "call"), self).topic())
                .isEqualTo(RtmTopics.call(peer, self));
        assertThat(CoapTopics.publishTopic(List.of("rtm", "channel", peer, "msg"), self).topic())
                .isEqualTo(RtmTopics.channelMsg(peer, self));
        assertThat(CoapTopics.publishTopic(List.of("rtm", "all"), self).topic()).isEqualTo(RtmTopics.broadcast(self));
    }

    @Property(tries = 3000)
    void filter_neverThrows_andAFilterItGivesIsOneTheProtocolKnows(@ForAll("paths") final List<String> path) {
        final CoapTopics.Target t = CoapTopics.filter(path);
        if (!t.ok()) {
            assertThat(t.error()).isNotBlank();
            return;
        }
        assertThat(t.topic()).doesNotContain("#").doesNotContain("\u0000");
        final FilterAnalysis a = RtmTopics.analyzeFilter(t.topic());
        assertThat(a.kind()).isNotIn(FilterAnalysis.Kind.INVALID, FilterAnalysis.Kind.UNKNOWN);
        for (final String level : t.topic().split("/", -1)) {
            assertThat(level).as("a level is a whole wildcard or has none").matches("\\+|[^+]+");
        }
    }

    @Property(tries = 1000)
    void filter_ofAValidTopic_isThatTopic_andMatchesIt(@ForAll("validTopics") final String topic) {
        final CoapTopics.Target t = CoapTopics.filter(List.of(topic.split("/")));
        if (RtmTopics.parse(topic).family() == TopicFamily.RPC) {
            return; // nobody may subscribe to rpc topics; the filter analysis refuses them
        }
        assertThat(t.topic()).isEqualTo(topic);
        assertThat(RtmTopics.matches(t.topic(), topic)).isTrue();
    }

    // ---------------------------------------------------------------------------------------------- URI queries

    @Provide
    Arbitrary<String> queryOptions() {
        final Arbitrary<String> names = Arbitraries.oneOf(Arbitraries.of(KNOWN_QUERY), Arbitraries.of("u", "ka", "x", ""),
                Arbitraries.strings().withChars(NOISE).ofMaxLength(5));
        final Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.of("", "0", "1", "-1", "60", "true", "false",
                "4294967296", "99999999999999999999", "a,b", "a\u0001b", "\u0000", "x\u007f", "\u0085", "\ufdd0",
                "\uffff"), Arbitraries.strings().ofMaxLength(20), controlled());
        return Arbitraries.oneOf(Combinators.combine(names, values).as((n, v) -> n + "=" + v), names,
                Arbitraries.strings().ofMaxLength(30));
    }

    @Property(tries = 3000)
    void publishOptions_neverThrow_acceptOnlyKnownParameters_andKeepTheLastSession(
            @ForAll @Size(max = 6) final List<@net.jqwik.api.From("queryOptions") String> query,
            @ForAll final boolean allowMessage) {
        final PublishOptions o = PublishOptions.parse(query, allowMessage);
        boolean wellFormed = true;
        String session = null;
        for (final String q : query) {
            final int eq = q.indexOf('=');
            final String name = eq < 0 ? q : q.substring(0, eq);
            final String value = eq < 0 ? "" : q.substring(eq + 1);
            if (name.equals("s")) {
                session = value;
            } else if (!allowMessage || !KNOWN_QUERY.contains(name)) {
                wellFormed = false;
            } else if (name.equals("exp")) {
                wellFormed &= value.matches("\\+?[0-9]{1,10}") && Long.parseLong(value) <= 4_294_967_295L;
            } else {
                wellFormed &= value.codePoints().noneMatch(TranslatePropertiesTest::mqttRefuses);
            }
        }
        assertThat(o.error() == null).as("%s -> %s", query, o.error()).isEqualTo(wellFormed);
        assertThat(o.session()).isEqualTo(session);
        assertThat(Set.of(Props.CID, Props.OFFLINE, Props.HISTORY, Props.ONLY, Props.EXCEPT, Props.IF_REV))
                .containsAll(o.props().keySet());
        if (o.expiry() != null) {
            assertThat(o.expiry()).isBetween(0L, 4_294_967_295L);
        }
    }

    /** Strings of ids with now and then a character MQTT refuses (controls, non-characters, lone surrogates). */
    @Provide
    Arbitrary<String> controlled() {
        final Arbitrary<Character> refused = Arbitraries.oneOf(Arbitraries.chars().range('\u0000', '\u001f'),
                Arbitraries.chars().range('\u007f', '\u009f'), Arbitraries.chars().range('\ufdd0', '\ufdef'),
                Arbitraries.of('\ufffe', '\uffff', '\ud800', '\udfff'));
        return Combinators.combine(ids().injectNull(0.3), refused, ids().injectNull(0.3))
                .as((a, c, b) -> (a == null ? "" : a) + c + (b == null ? "" : b));
    }

    /** The test's own reading of MQTT 5 section 1.5.4 and HiveMQ's check, by Unicode category. */
    static boolean mqttRefuses(final int cp) {
        final int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.SURROGATE || (cp >= 0xFDD0 && cp <= 0xFDEF)
                || cp % 0x10000 == 0xFFFE || cp % 0x10000 == 0xFFFF;
    }

    @Property(tries = 3000)
    void publishOptions_refuseEveryValueMqttWouldRefuse_namingTheParameterAndTheCharacter(
            @ForAll("messageParams") final String name, @ForAll("controlled") final String value) {
        final PublishOptions o = PublishOptions.parse(List.of("s=abc", name + "=" + value), true);
        final int bad = value.codePoints().filter(TranslatePropertiesTest::mqttRefuses).findFirst().orElseThrow();
        assertThat(o.error()).as(value).isNotNull().contains("query parameter " + name)
                .contains(String.format("U+%04X", bad));
        assertThat(o.props()).isEmpty();
        assertThat(o.session()).isEqualTo("abc");
    }

    @Provide
    Arbitrary<String> messageParams() {
        return Arbitraries.of("cid", "offline", "history", "only", "except", "ifrev");
    }

    @Property(tries = 3000)
    void publishOptions_thatParse_alwaysMakeMqttUserProperties(
            @ForAll @Size(max = 6) final List<@net.jqwik.api.From("queryOptions") String> query) {
        final PublishOptions o = PublishOptions.parse(query, true);
        if (o.error() != null) {
            return;
        }
        // the HiveMQ client refuses what MQTT forbids outright (U+0000, lone surrogates) with an exception
        final com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserPropertiesBuilder b =
                com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties.builder();
        o.props().forEach(b::add);
        assertThat(b.build().asList()).hasSize(o.props().size());
        o.props().values().forEach(v -> assertThat(v.codePoints().noneMatch(TranslatePropertiesTest::mqttRefuses))
                .as(v).isTrue());
    }

    @Property(tries = 2000)
    void publishTopic_andFilter_refuseSegmentsMqttWouldRefuse(@ForAll("controlled") final String segment,
                                                              @ForAll("ids") final String self) {
        final List<String> path = List.of("rtm", "user", segment, "inbox");
        assertThat(CoapTopics.publishTopic(path, self).error()).isNotNull().contains("path segment");
        assertThat(CoapTopics.filter(path).error()).isNotNull();
    }

    @Property(tries = 2000)
    void loginQuery_neverThrows_andAKeepAliveItGivesIsPositive(
            @ForAll @Size(max = 5) final List<@net.jqwik.api.From("queryOptions") String> query) {
        final LoginQuery q = LoginQuery.parse(query);
        if (q.error() != null) {
            assertThat(q.uid()).isNull();
            assertThat(q.keepAliveSeconds()).isNull();
            return;
        }
        if (q.keepAliveSeconds() != null) {
            assertThat(q.keepAliveSeconds()).isPositive();
        }
        for (final String o : query) {
            final String name = o.contains("=") ? o.substring(0, o.indexOf('=')) : o;
            assertThat(name).isIn("u", "ka");
        }
    }

    @Property(tries = 500)
    void loginQuery_givesBackTheUidAndKeepAlive(@ForAll("ids") final String uid, @ForAll @LongRange(min = 1,
            max = 999_999_999_999L) final long ka) {
        final LoginQuery q = LoginQuery.parse(List.of("u=" + uid, "ka=" + ka));
        assertThat(q).isEqualTo(new LoginQuery(uid, ka, null));
    }

    // ---------------------------------------------------------------------------------- conditional requests

    @Property(tries = 2000)
    void etag_roundTripsEveryRevision(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) final long rev) {
        final byte[] etag = Revisions.etag(Long.toString(rev));
        assertThat(etag).isNotNull();
        assertThat(etag.length).isBetween(1, 8);
        assertThat(Revisions.revision(etag)).isEqualTo(rev);
    }

    @Property(tries = 2000)
    void revision_ofAnyBytes_isAValidRevisionOrMinusOne(@ForAll @Size(max = 12) final byte[] bytes) {
        final long rev = Revisions.revision(bytes);
        assertThat(rev).isGreaterThanOrEqualTo(-1);
        if (rev >= 0) {
            assertThat(Revisions.revision(Revisions.etag(Long.toString(rev)))).isEqualTo(rev);
        }
    }

    @Property(tries = 2000)
    void condition_neverThrows_andSetsIfRevOnlyToARevision(@ForAll @Size(max = 3) final List<@Size(max = 10) byte[]> ifMatch,
                                                           @ForAll final boolean ifNoneMatch,
                                                           @ForAll("queryOptions") final String ifrev,
                                                           @ForAll final boolean withQuery) {
        final Map<String, String> props = new HashMap<>();
        if (withQuery) {
            props.put(Props.IF_REV, ifrev);
        }
        final String error = Revisions.condition(ifMatch, ifNoneMatch, props);
        if (error != null) {
            assertThat(error).isNotBlank();
            assertThat(props.get(Props.IF_REV)).isEqualTo(withQuery ? ifrev : null);
        } else if (ifNoneMatch) {
            assertThat(props).containsEntry(Props.IF_REV, "0");
        } else if (ifMatch.size() == 1) {
            assertThat(Long.parseLong(props.get(Props.IF_REV))).isEqualTo(Revisions.revision(ifMatch.get(0)));
        } else {
            assertThat(ifMatch).isEmpty();
        }
    }

    // ------------------------------------------------------------------------------------------ MQTT outcomes

    @Provide
    Arbitrary<String> statuses() {
        return Arbitraries.oneOf(Arbitraries.of("delivered", "cached", "unreachable", "forbidden", "too_large", "rate_limited",
                "invalid", "conflict", "internal"), Arbitraries.strings().ofMaxLength(12)).injectNull(0.2);
    }

    @Property(tries = 3000)
    void outcomes_neverThrow_successIsSuccess_andRefusalsAreErrors(@ForAll @net.jqwik.api.constraints.IntRange(max = 255)
                                                                  final int reasonCode,
                                                                  @ForAll("statuses") final String status,
                                                                  @ForAll("queryOptions") final String reason,
                                                                  @ForAll final boolean write, @ForAll final boolean delete) {
        final Outcome o = Outcome.ofPuback(reasonCode, status, reason, "id", write, delete);
        assertThat(o.code().isSuccess()).isEqualTo(reasonCode < 0x80 && reasonCode != 0x10 && !"unreachable".equals(status));
        if (o.code() == ResponseCode.TOO_MANY_REQUESTS) {
            assertThat(o.maxAge()).isPositive();
        }
        final Outcome sub = Outcome.ofSuback(reasonCode, reason);
        assertThat(sub == null).isEqualTo(reasonCode < 0x80);
        if (sub != null) {
            assertThat(sub.code().isSuccess()).isFalse();
        }
        assertThat(Outcome.ofConnack(Math.max(0x80, reasonCode), reason).code().isSuccess()).isFalse();
        assertThat(Outcome.retryAfterSeconds(reason)).isPositive();
    }

    // ----------------------------------------------------------------------------------------------- envelope

    @Provide
    Arbitrary<Map<String, String>> properties() {
        final Arbitrary<String> names = Arbitraries.oneOf(Arbitraries.of(Props.ID, Props.TS, Props.OFFLINE, Props.BY,
                Props.REV, "colour"), Arbitraries.strings().ofMaxLength(6));
        final Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.of("true", "0", "007", "1700000000000",
                "99999999999999999999", "\u0661\u0662", ""), Arbitraries.strings().ofMaxLength(24),
                Arbitraries.longs().greaterOrEqual(0).map(Object::toString));
        return Arbitraries.maps(names, values).ofMaxSize(6);
    }

    @Provide
    Arbitrary<byte[]> payloads() {
        return Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
                Arbitraries.strings().ofMaxLength(40).map(s -> s.getBytes(StandardCharsets.UTF_8)));
    }

    @Property(tries = 3000)
    void envelope_isAlwaysStrictJson_thatGivesBackTopicPayloadAndStamps(@ForAll final String topic,
                                                                      @ForAll("payloads") final byte[] payload,
                                                                      @ForAll("properties") final Map<String, String> props)
            throws IOException {
        final String json = new String(Envelope.json(topic, payload, props), StandardCharsets.UTF_8);
        final JsonObject o = strict(json).getAsJsonObject();
        assertThat(o.get("topic").getAsString()).isEqualTo(topic);
        final String text = Envelope.utf8(payload);
        if (text != null) {
            assertThat(o.get("payload").getAsString()).isEqualTo(text);
            assertThat(o.has("payload64")).isFalse();
        } else {
            assertThat(Base64.getDecoder().decode(o.get("payload64").getAsString())).isEqualTo(payload);
        }
        if (props.containsKey(Props.ID)) {
            assertThat(o.get("id").getAsString()).isEqualTo(props.get(Props.ID));
        }
        if (props.containsKey(Props.BY)) {
            assertThat(o.get("by").getAsString()).isEqualTo(props.get(Props.BY));
        }
        for (final String number : List.of("ts", "rev")) {
            if (o.has(number)) {
                assertThat(o.get(number).getAsLong()).isNotNegative();
            }
        }
        assertThat(o.has("offline")).isEqualTo(Props.TRUE.equals(props.get(Props.OFFLINE)));
        final Map<String, String> ordered = new LinkedHashMap<>(props);
        assertThat(Envelope.json(topic, payload, ordered)).as("deterministic").isEqualTo(json.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonElement strict(final String json) throws IOException {
        final JsonReader r = new JsonReader(new StringReader(json));
        r.setStrictness(Strictness.STRICT);
        final JsonElement e = Streams.parse(r);
        assertThat(r.peek()).as("nothing after the object").isEqualTo(JsonToken.END_DOCUMENT);
        return e;
    }
}
