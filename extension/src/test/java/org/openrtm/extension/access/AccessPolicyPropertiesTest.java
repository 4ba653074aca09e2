package org.openrtm.extension.access;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.openrtm.protocol.Role;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.protocol.TopicFamily;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The access policy's security property: whatever filter a user manages to get allowed, it can never match another
 * user's private topic (inbox, call, event), a channel's messages without covering all of them (a join), or RPC.
 */
class AccessPolicyPropertiesTest {

    private static final AccessPolicy POLICY = new AccessPolicy(EnumSet.allOf(TopicFamily.class), true);
    private static final String ME = "me";

    @Provide
    Arbitrary<String> otherUsers() {
        return Arbitraries.of("bob", "alice", "me2", "m", "mee", "~");
    }

    /** Private topics of other users, and topics nobody may read by a partial filter. */
    @Provide
    Arbitrary<String> forbiddenTopics() {
        return Combinators.combine(otherUsers(), otherUsers(), Arbitraries.of(0, 1, 2, 3)).as((u, from, kind) -> {
            switch (kind) {
                case 0:
                    return RtmTopics.inbox(u, from);
                case 1:
                    return RtmTopics.call(u, from);
                case 2:
                    return RtmTopics.event(u);
                default:
                    return RtmTopics.rpc("server.info");
            }
        });
    }

    /** Filters built from the levels of such topics, with wildcards, plus common hostile shapes. */
    @Provide
    Arbitrary<String> filters() {
        final Arbitrary<String> level = Arbitraries.of("rtm", "user", "channel", "inbox", "call", "event", "rpc", "me",
                "bob", "+", "#", "server.info", "all", "msg", "presence");
        final Arbitrary<String> composed = level.list().ofMinSize(1).ofMaxSize(6).map(l -> {
            final List<String> levels = new ArrayList<>(l);
            final int hash = levels.indexOf("#");
            return String.join("/", hash >= 0 ? levels.subList(0, hash + 1) : levels);
        });
        return Arbitraries.oneOf(composed, Arbitraries.of("#", "+/+/+/+/+", "rtm/#", "rtm/user/+/#", "+/user/bob/#",
                "$share/g/rtm/user/bob/inbox/+", "rtm/+/bob/inbox/+", "rtm/user/me/#", "rtm/user/bob/+/me"));
    }

    @Property(tries = 5000)
    void anAllowedFilter_neverReadsAnotherUsersPrivateTopics(@ForAll("filters") final String filter,
                                                             @ForAll("forbiddenTopics") final String topic) {
        final AccessPolicy.Decision d = POLICY.subscribe(ME, Role.USER, filter);
        final String plain = filter.startsWith("$share/") ? filter.substring(filter.indexOf('/', 7) + 1) : filter;
        if (d.allowed() && RtmTopics.matches(plain, topic)) {
            // only RPC may be matched by a wildcard root filter: nothing is ever delivered on rtm/rpc/
            assertThat(topic).as(filter + " allowed but matches " + topic).startsWith("rtm/rpc/");
            assertThat(plain.startsWith("+") || plain.startsWith("#")).as(filter).isTrue();
        }
    }

    @Property(tries = 3000)
    void policy_neverThrows_andRefusalsSayWhy(@ForAll("filters") final String filter) {
        for (final Role role : Role.values()) {
            final AccessPolicy.Decision d = POLICY.subscribe(ME, role, filter);
            if (!d.allowed()) {
                assertThat(d.reason()).isNotBlank();
                assertThat(d.reasonCode()).isIn(0x87, 0x8F, 0x97);
            }
        }
    }
}
