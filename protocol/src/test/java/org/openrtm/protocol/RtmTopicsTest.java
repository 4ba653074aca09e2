package org.openrtm.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RtmTopicsTest {

    @Test
    void builders_produceTheProtocolsTopics() {
        assertThat(RtmTopics.inbox("bob", "alice")).isEqualTo("rtm/user/bob/inbox/alice");
        assertThat(RtmTopics.inboxFilter("bob")).isEqualTo("rtm/user/bob/inbox/+");
        assertThat(RtmTopics.call("bob", "alice")).isEqualTo("rtm/user/bob/call/alice");
        assertThat(RtmTopics.event("bob")).isEqualTo("rtm/user/bob/event");
        assertThat(RtmTopics.presence("bob")).isEqualTo("rtm/user/bob/presence");
        assertThat(RtmTopics.userAttr("bob", "fw")).isEqualTo("rtm/user/bob/attr/fw");
        assertThat(RtmTopics.channelMsg("c1", "bob")).isEqualTo("rtm/channel/c1/msg/bob");
        assertThat(RtmTopics.channelMsgFilter("c1")).isEqualTo("rtm/channel/c1/msg/+");
        assertThat(RtmTopics.member("c1", "bob")).isEqualTo("rtm/channel/c1/member/bob");
        assertThat(RtmTopics.count("c1")).isEqualTo("rtm/channel/c1/count");
        assertThat(RtmTopics.channelAttr("c1", "pin")).isEqualTo("rtm/channel/c1/attr/pin");
        assertThat(RtmTopics.broadcast("svc")).isEqualTo("rtm/all/svc");
        assertThat(RtmTopics.rpc("server.info")).isEqualTo("rtm/rpc/server.info");
    }

    @Test
    void directTopics_standForTheChannelTopicAndAreNoProtocolTopic() {
        assertThat(RtmTopics.channelDirect("bob", "c1", "alice")).isEqualTo("rtm/direct/bob/c1/alice");
        assertThat(RtmTopics.channelDirectFilter("bob", "c1")).isEqualTo("rtm/direct/bob/c1/+");
        assertThat(RtmTopics.matches(RtmTopics.channelDirectFilter("bob", "c1"), RtmTopics.channelDirect("bob", "c1", "al")))
                .isTrue();
        assertThat(RtmTopics.channelMsgOfDirect("rtm/direct/bob/c1/alice")).isEqualTo("rtm/channel/c1/msg/alice");
        assertThat(RtmTopics.channelMsgOfDirect("rtm/direct/bob/c1")).isNull();
        assertThat(RtmTopics.channelMsgOfDirect("rtm/direct/bob/c1/alice/x")).isNull();
        assertThat(RtmTopics.channelMsgOfDirect("rtm/direct/bob/c1/+")).isNull();
        assertThat(RtmTopics.channelMsgOfDirect("rtm/direct/bob/c#1/alice")).as("a malformed channel id").isNull();
        assertThat(RtmTopics.channelMsgOfDirect("rtm/channel/c1/msg/alice")).isNull();
        assertThat(RtmTopics.parse("rtm/direct/bob/c1/alice").isValid()).isFalse();
        assertThat(RtmTopics.analyzeFilter("rtm/direct/bob/c1/+").matches()).isEmpty();
        assertThatThrownBy(() -> RtmTopics.channelDirect("bob", "c/1", "alice")).hasMessageContaining("channel id");
    }

    @Test
    void builders_rejectBadLevels() {
        assertThatThrownBy(() -> RtmTopics.inbox("a/b", "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("uid must be");
        assertThatThrownBy(() -> RtmTopics.inbox("a", "+")).hasMessageContaining("from must be");
        assertThatThrownBy(() -> RtmTopics.userAttr("a", "k".repeat(33))).hasMessageContaining("attribute key");
        assertThatThrownBy(() -> RtmTopics.count("")).hasMessageContaining("channel id");
    }

    @Test
    void parse_recognisesEveryFamily() {
        assertThat(RtmTopics.parse("rtm/user/bob/inbox/alice")).isEqualTo(ParsedTopic.valid(TopicFamily.INBOX, "bob", "alice"));
        assertThat(RtmTopics.parse("rtm/user/bob/call/alice")).isEqualTo(ParsedTopic.valid(TopicFamily.CALL, "bob", "alice"));
        assertThat(RtmTopics.parse("rtm/user/bob/event")).isEqualTo(ParsedTopic.valid(TopicFamily.EVENT, "bob", null));
        assertThat(RtmTopics.parse("rtm/user/bob/presence")).isEqualTo(ParsedTopic.valid(TopicFamily.PRESENCE, "bob", null));
        assertThat(RtmTopics.parse("rtm/user/bob/attr/fw")).isEqualTo(ParsedTopic.valid(TopicFamily.USER_ATTR, "bob", "fw"));
        assertThat(RtmTopics.parse("rtm/channel/c/msg/bob")).isEqualTo(ParsedTopic.valid(TopicFamily.CHANNEL_MSG, "c", "bob"));
        assertThat(RtmTopics.parse("rtm/channel/c/member/bob"))
                .isEqualTo(ParsedTopic.valid(TopicFamily.CHANNEL_MEMBER, "c", "bob"));
        assertThat(RtmTopics.parse("rtm/channel/c/count")).isEqualTo(ParsedTopic.valid(TopicFamily.CHANNEL_COUNT, "c", null));
        assertThat(RtmTopics.parse("rtm/channel/c/attr/k")).isEqualTo(ParsedTopic.valid(TopicFamily.CHANNEL_ATTR, "c", "k"));
        assertThat(RtmTopics.parse("rtm/all/svc")).isEqualTo(ParsedTopic.valid(TopicFamily.BROADCAST, "svc", null));
        assertThat(RtmTopics.parse("rtm/rpc/server.info")).isEqualTo(ParsedTopic.valid(TopicFamily.RPC, "server.info", null));
    }

    @Test
    void parse_separatesForeignUnknownAndInvalidTopics() {
        assertThat(RtmTopics.parse("home/light").kind()).isEqualTo(ParsedTopic.Kind.NOT_RTM);
        assertThat(RtmTopics.parse("rtmx/a/b").kind()).isEqualTo(ParsedTopic.Kind.NOT_RTM);
        assertThat(RtmTopics.parse("rtm").kind()).isEqualTo(ParsedTopic.Kind.UNKNOWN);
        assertThat(RtmTopics.parse("rtm/").kind()).isEqualTo(ParsedTopic.Kind.UNKNOWN);
        assertThat(RtmTopics.parse("rtm/user/bob").kind()).isEqualTo(ParsedTopic.Kind.UNKNOWN);
        assertThat(RtmTopics.parse("rtm/user/bob/inbox").kind()).isEqualTo(ParsedTopic.Kind.UNKNOWN);
        assertThat(RtmTopics.parse("rtm/user/bob/inbox/a/b").kind()).isEqualTo(ParsedTopic.Kind.UNKNOWN);
        assertThat(RtmTopics.parse("rtm/user/bob/event/x").kind()).isEqualTo(ParsedTopic.Kind.UNKNOWN);
        assertThat(RtmTopics.parse("rtm/secret/x").kind()).isEqualTo(ParsedTopic.Kind.UNKNOWN);
        assertThat(RtmTopics.parse("rtm/all/a/b").kind()).isEqualTo(ParsedTopic.Kind.UNKNOWN);

        final ParsedTopic badUid = RtmTopics.parse("rtm/user/b b/inbox/alice");
        assertThat(badUid.kind()).isEqualTo(ParsedTopic.Kind.INVALID);
        assertThat(badUid.family()).isEqualTo(TopicFamily.INBOX);
        assertThat(badUid.error()).contains("uid must be").contains("'b b'");
        assertThat(RtmTopics.parse("rtm/user/bob/inbox/").error()).contains("sender uid").contains("empty");
        assertThat(RtmTopics.parse("rtm/user/bob/attr/" + "k".repeat(33)).error()).contains("1 to 32");
        assertThat(RtmTopics.parse("rtm/channel/" + "c".repeat(65) + "/count").error()).contains("channel id");
    }

    @Test
    void filter_readingOwnInbox_pinsTheUidAndCoversAllSenders() {
        final FilterAnalysis a = RtmTopics.analyzeFilter("rtm/user/bob/inbox/+");
        assertThat(a.kind()).isEqualTo(FilterAnalysis.Kind.RTM);
        assertThat(a.matches()).containsExactly(new FilterMatch(TopicFamily.INBOX, "bob", null));
        assertThat(a.matches().get(0).coversAllSubs()).isTrue();
    }

    @Test
    void filter_hashAtUserLevel_matchesEveryUserFamily() {
        final FilterAnalysis a = RtmTopics.analyzeFilter("rtm/user/bob/#");
        assertThat(a.matches()).extracting(FilterMatch::family).containsExactly(
                TopicFamily.INBOX, TopicFamily.CALL, TopicFamily.EVENT, TopicFamily.PRESENCE, TopicFamily.USER_ATTR);
        assertThat(a.matches()).allMatch(m -> "bob".equals(m.id()));
    }

    @Test
    void filter_wildcardUser_leavesTheUidOpen() {
        final FilterAnalysis a = RtmTopics.analyzeFilter("rtm/user/+/inbox/#");
        assertThat(a.matches()).containsExactly(new FilterMatch(TopicFamily.INBOX, null, null));
    }

    @Test
    void filter_rtmHash_matchesEverything() {
        assertThat(RtmTopics.analyzeFilter("rtm/#").matches()).hasSize(TopicFamily.values().length);
        assertThat(RtmTopics.analyzeFilter("rtm/#").matches()).allMatch(m -> m.id() == null && m.sub() == null);
    }

    @Test
    void filter_wildcardRoot_isReportedAsSuch() {
        final FilterAnalysis all = RtmTopics.analyzeFilter("#");
        assertThat(all.kind()).isEqualTo(FilterAnalysis.Kind.WILDCARD_ROOT);
        assertThat(all.matches()).hasSize(TopicFamily.values().length);
        final FilterAnalysis plus = RtmTopics.analyzeFilter("+/user/+/event");
        assertThat(plus.kind()).isEqualTo(FilterAnalysis.Kind.WILDCARD_ROOT);
        assertThat(plus.matches()).containsExactly(new FilterMatch(TopicFamily.EVENT, null, null));
        final FilterAnalysis single = RtmTopics.analyzeFilter("+");
        assertThat(single.kind()).isEqualTo(FilterAnalysis.Kind.WILDCARD_ROOT);
        assertThat(single.matches()).isEmpty();
    }

    @Test
    void filter_channelLevels() {
        assertThat(RtmTopics.analyzeFilter("rtm/channel/c1/msg/+").matches())
                .containsExactly(new FilterMatch(TopicFamily.CHANNEL_MSG, "c1", null));
        assertThat(RtmTopics.analyzeFilter("rtm/channel/c1/msg/bob").matches())
                .containsExactly(new FilterMatch(TopicFamily.CHANNEL_MSG, "c1", "bob"));
        assertThat(RtmTopics.analyzeFilter("rtm/channel/c1/+/bob").matches()).extracting(FilterMatch::family)
                .containsExactly(TopicFamily.CHANNEL_MSG, TopicFamily.CHANNEL_MEMBER, TopicFamily.CHANNEL_ATTR);
        assertThat(RtmTopics.analyzeFilter("rtm/channel/+/count").matches())
                .containsExactly(new FilterMatch(TopicFamily.CHANNEL_COUNT, null, null));
    }

    @Test
    void filter_levelValidForOneFamilyOnly_keepsTheValidMatch() {
        final String longName = "k".repeat(40);
        assertThat(RtmTopics.analyzeFilter("rtm/channel/c1/+/" + longName).matches()).extracting(FilterMatch::family)
                .containsExactly(TopicFamily.CHANNEL_MSG, TopicFamily.CHANNEL_MEMBER);
    }

    @Test
    void filter_unknownAndInvalid() {
        assertThat(RtmTopics.analyzeFilter("rtm/secret/#").kind()).isEqualTo(FilterAnalysis.Kind.UNKNOWN);
        assertThat(RtmTopics.analyzeFilter("rtm/user/bob/inbox").kind()).isEqualTo(FilterAnalysis.Kind.UNKNOWN);
        final FilterAnalysis bad = RtmTopics.analyzeFilter("rtm/channel/bad cid/msg/+");
        assertThat(bad.kind()).isEqualTo(FilterAnalysis.Kind.INVALID);
        assertThat(bad.error()).contains("channel id").contains("'bad cid'");
        assertThat(RtmTopics.analyzeFilter("home/#").kind()).isEqualTo(FilterAnalysis.Kind.NOT_RTM);
        assertThat(RtmTopics.analyzeFilter("$SYS/#").kind()).isEqualTo(FilterAnalysis.Kind.NOT_RTM);
    }

    @Test
    void filter_hashMatchesParentLevel() {
        assertThat(RtmTopics.analyzeFilter("rtm/user/bob/event/#").matches())
                .containsExactly(new FilterMatch(TopicFamily.EVENT, "bob", null));
        assertThat(RtmTopics.analyzeFilter("rtm/user/bob/inbox/alice/#").matches())
                .containsExactly(new FilterMatch(TopicFamily.INBOX, "bob", "alice"));
    }

    @Test
    void matches_followsMqttRules() {
        assertThat(RtmTopics.matches("rtm/user/+/inbox/#", "rtm/user/bob/inbox/alice")).isTrue();
        assertThat(RtmTopics.matches("rtm/user/+/inbox/+", "rtm/user/bob/inbox/alice")).isTrue();
        assertThat(RtmTopics.matches("rtm/user/+/inbox", "rtm/user/bob/inbox/alice")).isFalse();
        assertThat(RtmTopics.matches("rtm/#", "rtm/user/bob/event")).isTrue();
        assertThat(RtmTopics.matches("#", "rtm/user/bob/event")).isTrue();
        assertThat(RtmTopics.matches("rtm/user/bob/event/#", "rtm/user/bob/event")).isTrue();
        assertThat(RtmTopics.matches("rtm/user/bob/event", "rtm/user/bob/event/x")).isFalse();
        assertThat(RtmTopics.matches("rtm/user/alice/#", "rtm/user/bob/event")).isFalse();
        assertThat(RtmTopics.matches("+/user/+/event", "rtm/user/bob/event")).isTrue();
        assertThat(RtmTopics.matches("#", "$SYS/x")).isFalse();
        assertThat(RtmTopics.matches("a//b", "a//b")).isTrue();
        assertThat(RtmTopics.matches("a/+/b", "a//b")).isTrue();
        assertThat(RtmTopics.matches("a/+", "a")).isFalse();
    }
}
