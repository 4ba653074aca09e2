package org.openrtm.protocol;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Properties of the topic scheme: the parsers never fail, and what they say agrees with MQTT matching. */
class TopicPropertiesTest {

    private static final char[] ID_CHARS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.@:~".toCharArray();
    private static final char[] NOISE = "ab/+#$ \u0000\u00e9rtm~.".toCharArray();

    @Provide
    Arbitrary<String> ids() {
        return Arbitraries.strings().withChars(ID_CHARS).ofMinLength(1).ofMaxLength(Ids.MAX_KEY_LENGTH);
    }

    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(120),
                Arbitraries.strings().withChars(NOISE).ofMaxLength(60),
                Arbitraries.strings().withChars(NOISE).ofMaxLength(40).map(s -> "rtm/" + s),
                validTopics().flatMap(t -> Arbitraries.strings().withChars(NOISE).ofMaxLength(3).map(t::concat)));
    }

    /** Every valid RTM topic shape with valid ids. */
    @Provide
    Arbitrary<String> validTopics() {
        return Combinators.combine(Arbitraries.of(TopicFamily.values()), ids(), ids()).as(TopicPropertiesTest::build);
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

    @Property(tries = 3000)
    void parse_neverThrows_andValidMeansIdsAreValid(@ForAll("anyText") final String topic) {
        final ParsedTopic p = RtmTopics.parse(topic);
        assertThat(p).isNotNull();
        if (p.isValid()) {
            assertThat(build(p.family(), p.id(), p.sub() == null ? "x" : p.sub())).isEqualTo(topic);
        } else if (p.kind() != ParsedTopic.Kind.NOT_RTM) {
            assertThat(p.error()).isNotBlank();
        }
    }

    @Property(tries = 2000)
    void builtTopics_parseBackToTheirParts(@ForAll("validTopics") final String topic) {
        final ParsedTopic p = RtmTopics.parse(topic);
        assertThat(p.isValid()).as(topic).isTrue();
        assertThat(build(p.family(), p.id(), p.sub() == null ? "x" : p.sub())).isEqualTo(topic);
    }

    @Property(tries = 3000)
    void analyzeFilter_neverThrows(@ForAll("anyText") final String filter) {
        assertThat(RtmTopics.analyzeFilter(filter)).isNotNull();
    }

    /** Filters made from a topic by turning levels into + or cutting it with #, plus unrelated ones. */
    @Provide
    Arbitrary<String[]> filterAndTopic() {
        return validTopics().flatMap(topic -> {
            final String[] levels = topic.split("/");
            return Arbitraries.integers().between(0, (1 << levels.length) - 1).flatMap(mask ->
                    Arbitraries.integers().between(0, levels.length).map(cut -> {
                        final List<String> out = new ArrayList<>();
                        for (int i = 0; i < levels.length; i++) {
                            if (i == cut) {
                                out.add("#");
                                break;
                            }
                            out.add((mask & (1 << i)) != 0 ? "+" : levels[i]);
                        }
                        return new String[] {String.join("/", out), topic};
                    }));
        });
    }

    /**
     * Soundness of the access analysis: whenever a filter matches a topic, the analysis reports the topic's family,
     * and every level it pins down is the topic's. Access control relies on this to see everything a filter can read.
     */
    @Property(tries = 5000)
    void filterAnalysis_coversEveryTopicTheFilterMatches(@ForAll("filterAndTopic") final String[] ft) {
        final String filter = ft[0];
        final String topic = ft[1];
        if (!RtmTopics.matches(filter, topic)) {
            return;
        }
        final ParsedTopic p = RtmTopics.parse(topic);
        final FilterAnalysis a = RtmTopics.analyzeFilter(filter);
        assertThat(a.matches()).as(filter + " ~ " + topic).anySatisfy(m -> {
            assertThat(m.family()).isEqualTo(p.family());
            if (m.id() != null) {
                assertThat(m.id()).isEqualTo(p.id());
            }
            if (m.sub() != null) {
                assertThat(m.sub()).isEqualTo(p.sub());
            }
        });
    }

    @Property(tries = 3000)
    void matches_agreesWithAReferenceImplementation(@ForAll("filterAndTopic") final String[] ft) {
        assertThat(RtmTopics.matches(ft[0], ft[1])).as(ft[0] + " ~ " + ft[1]).isEqualTo(reference(ft[0], ft[1]));
    }

    @Property(tries = 2000)
    void matches_agreesWithTheReferenceOnArbitraryInput(@ForAll("anyText") final String filter,
                                                        @ForAll("validTopics") final String topic) {
        if (!validFilter(filter)) {
            return;
        }
        assertThat(RtmTopics.matches(filter, topic)).as(filter + " ~ " + topic).isEqualTo(reference(filter, topic));
    }

    private static boolean validFilter(final String f) {
        final String[] levels = f.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            final String l = levels[i];
            if ((l.contains("#") && (!l.equals("#") || i != levels.length - 1)) || (l.contains("+") && !l.equals("+"))) {
                return false;
            }
        }
        return true;
    }

    /** MQTT matching as a regular expression, written independently of the implementation under test. */
    private static boolean reference(final String filter, final String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false;
        }
        final StringBuilder re = new StringBuilder();
        final String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            if (levels[i].equals("#")) {
                if (i == 0) {
                    re.append(".*");
                } else {
                    re.setLength(re.length() - 1); // drop the separator: "a/#" also matches "a"
                    re.append("(/.*)?");
                }
                break;
            }
            re.append(levels[i].equals("+") ? "[^/]*" : Pattern.quote(levels[i]));
            if (i < levels.length - 1) {
                re.append('/');
            }
        }
        return topic.matches(re.toString());
    }

    @Property(tries = 3000)
    void ids_areValidExactlyWhenTheyUseTheAlphabetWithinTheLimit(@ForAll("anyText") final String value) {
        final boolean expected = !value.isEmpty() && value.length() <= Ids.MAX_ID_LENGTH
                && value.chars().allMatch(c -> Ids.isIdChar((char) c));
        assertThat(Ids.uidError(value) == null).as(Ids.show(value)).isEqualTo(expected);
        if (!expected) {
            assertThat(Ids.uidError(value)).startsWith("uid must be 1 to 64 characters");
        }
    }
}
