package org.openrtm.protocol;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;

/**
 * The one place that builds and parses every topic of the {@code rtm/} tree. No other code concatenates topic
 * strings: the extension, the CoAP gateway and the device SDK all call this class.
 *
 * <p>Builders validate their arguments and throw {@link IllegalArgumentException} with a message that names the
 * rule and the value. Parsers never throw. Every method is static and thread-safe.
 */
public final class RtmTopics {

    /** The first level of every RTM topic. */
    public static final String ROOT = "rtm";
    /** A filter for every broadcast. */
    public static final String BROADCAST_FILTER = "rtm/all/+";

    /**
     * The prefix of the internal topics on which the extension hands listed channel messages to single members (see
     * {@link #channelDirect}); never on the wire.
     */
    public static final String DIRECT_PREFIX = "rtm/direct/";

    private static final String SEP = "/";
    private static final String VAR_ID = "\u0000id";
    private static final String VAR_SUB = "\u0000sub";

    private RtmTopics() {
    }

    // ---------------------------------------------------------------------------------------------------- builders

    /** {@code rtm/user/{uid}/inbox/{from}}: where {@code from} sends a peer message to {@code uid}. */
    public static @NotNull String inbox(final @NotNull String uid, final @NotNull String from) {
        return user(uid, "inbox") + SEP + requireUid(from, "from");
    }

    /** {@code rtm/user/{uid}/inbox/+}: the filter with which {@code uid} receives its peer messages. */
    public static @NotNull String inboxFilter(final @NotNull String uid) {
        return user(uid, "inbox") + "/+";
    }

    /** {@code rtm/user/{uid}/call/{from}}: call signalling from {@code from} to {@code uid}. */
    public static @NotNull String call(final @NotNull String uid, final @NotNull String from) {
        return user(uid, "call") + SEP + requireUid(from, "from");
    }

    /** {@code rtm/user/{uid}/call/+}. */
    public static @NotNull String callFilter(final @NotNull String uid) {
        return user(uid, "call") + "/+";
    }

    /** {@code rtm/user/{uid}/event}: receipts, call states, notices and RPC replies for {@code uid}. */
    public static @NotNull String event(final @NotNull String uid) {
        return user(uid, "event");
    }

    /** {@code rtm/user/{uid}/presence}. */
    public static @NotNull String presence(final @NotNull String uid) {
        return user(uid, "presence");
    }

    /** {@code rtm/user/{uid}/attr/{key}}. */
    public static @NotNull String userAttr(final @NotNull String uid, final @NotNull String key) {
        return user(uid, "attr") + SEP + requireKey(key);
    }

    /** {@code rtm/user/{uid}/attr/+}. */
    public static @NotNull String userAttrFilter(final @NotNull String uid) {
        return user(uid, "attr") + "/+";
    }

    /** {@code rtm/channel/{cid}/msg/{from}}. */
    public static @NotNull String channelMsg(final @NotNull String cid, final @NotNull String from) {
        return channel(cid, "msg") + SEP + requireUid(from, "from");
    }

    /** {@code rtm/channel/{cid}/msg/+}: subscribing to it is joining the channel. */
    public static @NotNull String channelMsgFilter(final @NotNull String cid) {
        return channel(cid, "msg") + "/+";
    }

    /** {@code rtm/channel/{cid}/member/{uid}}. */
    public static @NotNull String member(final @NotNull String cid, final @NotNull String uid) {
        return channel(cid, "member") + SEP + requireUid(uid, "uid");
    }

    /** {@code rtm/channel/{cid}/member/+}. */
    public static @NotNull String memberFilter(final @NotNull String cid) {
        return channel(cid, "member") + "/+";
    }

    /** {@code rtm/channel/{cid}/count}. */
    public static @NotNull String count(final @NotNull String cid) {
        return channel(cid, "count");
    }

    /** {@code rtm/channel/{cid}/attr/{key}}. */
    public static @NotNull String channelAttr(final @NotNull String cid, final @NotNull String key) {
        return channel(cid, "attr") + SEP + requireKey(key);
    }

    /** {@code rtm/channel/{cid}/attr/+}. */
    public static @NotNull String channelAttrFilter(final @NotNull String cid) {
        return channel(cid, "attr") + "/+";
    }

    /** {@code rtm/all/{from}}. */
    public static @NotNull String broadcast(final @NotNull String from) {
        return ROOT + "/all/" + requireUid(from, "from");
    }

    /** {@code rtm/rpc/{method}}. */
    public static @NotNull String rpc(final @NotNull String method) {
        final String error = Ids.describe("RPC method", method, Ids.MAX_ID_LENGTH);
        if (error != null) {
            throw new IllegalArgumentException(error);
        }
        return ROOT + "/rpc/" + method;
    }

    /**
     * {@code rtm/direct/{uid}/{cid}/{from}}: <em>internal</em>, never on the wire. The topic on which the extension hands
     * a listed channel message from {@code from} to the member {@code uid} through the member's own internal
     * subscription ({@link #channelDirectFilter}); the member's outbound interceptor rewrites it to
     * {@link #channelMsg} before the PUBLISH leaves. Clients may neither publish nor subscribe under {@code rtm/direct/}.
     */
    public static @NotNull String channelDirect(final @NotNull String uid, final @NotNull String cid,
                                                final @NotNull String from) {
        return channelDirectFilterBase(uid, cid) + requireUid(from, "from");
    }

    /** {@code rtm/direct/{uid}/{cid}/+}: the internal subscription of member {@code uid} of channel {@code cid}. */
    public static @NotNull String channelDirectFilter(final @NotNull String uid, final @NotNull String cid) {
        return channelDirectFilterBase(uid, cid) + "+";
    }

    /**
     * The channel topic {@code rtm/channel/{cid}/msg/{from}} that an internal {@link #channelDirect} topic stands for.
     * Never throws.
     *
     * @param topic a topic that starts with {@link #DIRECT_PREFIX}
     * @return the channel message topic, or {@code null} if {@code topic} is not a well-formed direct topic
     */
    public static @Nullable String channelMsgOfDirect(final @NotNull String topic) {
        if (!topic.startsWith(DIRECT_PREFIX)) {
            return null;
        }
        final int uidEnd = topic.indexOf('/', DIRECT_PREFIX.length());
        final int cidEnd = uidEnd < 0 ? -1 : topic.indexOf('/', uidEnd + 1);
        if (cidEnd < 0 || topic.indexOf('/', cidEnd + 1) >= 0) {
            return null;
        }
        try {
            return channelMsg(topic.substring(uidEnd + 1, cidEnd), topic.substring(cidEnd + 1));
        } catch (final IllegalArgumentException e) {
            return null; // a malformed channel id or sender
        }
    }

    private static String channelDirectFilterBase(final String uid, final String cid) {
        final String error = Ids.cidError(cid);
        if (error != null) {
            throw new IllegalArgumentException(error);
        }
        return DIRECT_PREFIX + requireUid(uid, "uid") + SEP + cid + SEP;
    }

    private static String user(final String uid, final String kind) {
        return ROOT + "/user/" + requireUid(uid, "uid") + SEP + kind;
    }

    private static String channel(final String cid, final String kind) {
        final String error = Ids.cidError(cid);
        if (error != null) {
            throw new IllegalArgumentException(error);
        }
        return ROOT + "/channel/" + cid + SEP + kind;
    }

    private static String requireUid(final String uid, final String name) {
        final String error = Ids.describe(name, uid, Ids.MAX_ID_LENGTH);
        if (error != null) {
            throw new IllegalArgumentException(error);
        }
        return uid;
    }

    private static String requireKey(final String key) {
        final String error = Ids.keyError(key, Ids.MAX_KEY_LENGTH);
        if (error != null) {
            throw new IllegalArgumentException(error);
        }
        return key;
    }

    // ------------------------------------------------------------------------------------------------------ parser

    /**
     * Tells what a concrete topic name means. Never throws.
     *
     * @param topic a topic name as published (no wildcards)
     * @return the family and its levels, or why the topic is not a valid RTM topic
     */
    public static @NotNull ParsedTopic parse(final @NotNull String topic) {
        if (!topic.startsWith("rtm/") && !topic.equals(ROOT)) {
            return ParsedTopic.notRtm();
        }
        final String[] levels = topic.split(SEP, -1);
        if (levels.length < 3) {
            return ParsedTopic.unknown(unknownTopic(topic));
        }
        switch (levels[1]) {
            case "user":
                return parseScoped(topic, levels, TopicFamily.Scope.USER);
            case "channel":
                return parseScoped(topic, levels, TopicFamily.Scope.CHANNEL);
            case "all":
                if (levels.length != 3) {
                    return ParsedTopic.unknown(unknownTopic(topic));
                }
                return validId(TopicFamily.BROADCAST, levels[2], null, Ids.uidError(levels[2]));
            case "rpc":
                if (levels.length != 3) {
                    return ParsedTopic.unknown(unknownTopic(topic));
                }
                return validId(TopicFamily.RPC, levels[2], null,
                        Ids.describe("RPC method", levels[2], Ids.MAX_ID_LENGTH));
            default:
                return ParsedTopic.unknown(unknownTopic(topic));
        }
    }

    private static ParsedTopic parseScoped(final String topic, final String[] levels, final TopicFamily.Scope scope) {
        if (levels.length < 4) {
            return ParsedTopic.unknown(unknownTopic(topic));
        }
        final TopicFamily family = familyOf(scope, levels[3]);
        if (family == null || family.levels() != levels.length) {
            return ParsedTopic.unknown(unknownTopic(topic));
        }
        final String id = levels[2];
        final String idError = scope == TopicFamily.Scope.USER ? Ids.uidError(id) : Ids.cidError(id);
        if (!family.hasSub()) {
            return validId(family, id, null, idError);
        }
        final String sub = levels[4];
        final String subError = idError != null ? idError : subError(family, sub);
        return validId(family, id, sub, subError);
    }

    private static String subError(final TopicFamily family, final String sub) {
        switch (family) {
            case USER_ATTR:
            case CHANNEL_ATTR:
                return Ids.keyError(sub, Ids.MAX_KEY_LENGTH);
            case INBOX:
            case CALL:
            case CHANNEL_MSG:
                return Ids.describe("sender uid", sub, Ids.MAX_ID_LENGTH);
            default:
                return Ids.uidError(sub);
        }
    }

    private static ParsedTopic validId(final TopicFamily family, final String id, final String sub, final String error) {
        if (error != null) {
            return ParsedTopic.invalid(family, "topic level " + error);
        }
        return ParsedTopic.valid(family, id, sub);
    }

    private static @Nullable TopicFamily familyOf(final TopicFamily.Scope scope, final String kindLevel) {
        for (final TopicFamily f : TopicFamily.values()) {
            if (f.scope() == scope && kindLevel.equals(f.kindLevel())) {
                return f;
            }
        }
        return null;
    }

    private static String unknownTopic(final String topic) {
        return "topic " + Ids.show(topic) + " is not part of the rtm/ topic tree";
    }

    // --------------------------------------------------------------------------------------------------- matching

    /**
     * Whether an MQTT topic filter matches a topic name, by the MQTT rules ({@code +} one level, {@code #} the rest
     * including the parent level; wildcards at the start do not match topics beginning with {@code $}).
     */
    public static boolean matches(final @NotNull String filter, final @NotNull String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false;
        }
        int f = 0;
        int t = 0;
        while (true) {
            final int fEnd = indexOrEnd(filter, f);
            final String fl = filter.substring(f, fEnd);
            if (fl.equals("#")) {
                return true;
            }
            if (t > topic.length()) {
                return false;
            }
            final int tEnd = indexOrEnd(topic, t);
            if (!fl.equals("+") && !fl.equals(topic.substring(t, tEnd))) {
                return false;
            }
            final boolean fDone = fEnd >= filter.length();
            final boolean tDone = tEnd >= topic.length();
            if (fDone || tDone) {
                if (fDone && tDone) {
                    return true;
                }
                // "a/#" also matches "a"
                return tDone && filter.substring(fEnd + 1).equals("#");
            }
            f = fEnd + 1;
            t = tEnd + 1;
        }
    }

    private static int indexOrEnd(final String s, final int from) {
        final int i = s.indexOf('/', from);
        return i < 0 ? s.length() : i;
    }

    // ----------------------------------------------------------------------------------------------- filter analysis

    /**
     * Tells which RTM topic families a subscription filter can match, and which uid, cid, sender or key it pins
     * down for each. This is what access control decides on. Never throws.
     *
     * @param filter an MQTT topic filter without a {@code $share/} prefix
     * @return the analysis
     */
    public static @NotNull FilterAnalysis analyzeFilter(final @NotNull String filter) {
        final String[] levels = filter.split(SEP, -1);
        final String first = levels[0];
        final boolean wildcardRoot = first.equals("+") || first.equals("#");
        if (!wildcardRoot && !first.equals(ROOT)) {
            return new FilterAnalysis(FilterAnalysis.Kind.NOT_RTM, List.of(), null);
        }
        final List<FilterMatch> matches = new ArrayList<>();
        String invalid = null;
        for (final TopicFamily family : TopicFamily.values()) {
            final String[] pattern = pattern(family);
            final Binding binding = match(levels, pattern);
            if (binding == null) {
                continue;
            }
            final String error = bindingError(family, binding);
            if (error != null) {
                invalid = error;
                continue;
            }
            matches.add(new FilterMatch(family, binding.id, binding.sub));
        }
        if (wildcardRoot) {
            return new FilterAnalysis(FilterAnalysis.Kind.WILDCARD_ROOT, matches, null);
        }
        if (!matches.isEmpty()) {
            return new FilterAnalysis(FilterAnalysis.Kind.RTM, matches, null);
        }
        if (invalid != null) {
            return new FilterAnalysis(FilterAnalysis.Kind.INVALID, matches, "topic filter level " + invalid);
        }
        return new FilterAnalysis(FilterAnalysis.Kind.UNKNOWN, matches,
                "topic filter " + Ids.show(filter) + " matches nothing in the rtm/ topic tree");
    }

    private static String bindingError(final TopicFamily family, final Binding b) {
        if (b.id != null) {
            final String error;
            switch (family.scope()) {
                case CHANNEL:
                    error = Ids.cidError(b.id);
                    break;
                case RPC:
                    error = Ids.describe("RPC method", b.id, Ids.MAX_ID_LENGTH);
                    break;
                default:
                    error = Ids.uidError(b.id);
                    break;
            }
            if (error != null) {
                return error;
            }
        }
        if (b.sub != null) {
            return subError(family, b.sub);
        }
        return null;
    }

    private static String[] pattern(final TopicFamily family) {
        if (family.kindLevel() == null) {
            return new String[] {ROOT, family.scope().level(), VAR_ID};
        }
        if (family.hasSub()) {
            return new String[] {ROOT, family.scope().level(), VAR_ID, family.kindLevel(), VAR_SUB};
        }
        return new String[] {ROOT, family.scope().level(), VAR_ID, family.kindLevel()};
    }

    /** Levels of a pattern that a filter pins to a concrete value; {@code null} where the filter has a wildcard. */
    private static final class Binding {
        String id;
        String sub;
    }

    private static @Nullable Binding match(final String[] filter, final String[] pattern) {
        final Binding binding = new Binding();
        for (int i = 0; i < filter.length; i++) {
            final String f = filter[i];
            if (f.equals("#")) {
                return binding;
            }
            if (i >= pattern.length) {
                return null;
            }
            final String p = pattern[i];
            final boolean variable = p.charAt(0) == '\u0000';
            if (f.equals("+")) {
                continue;
            }
            if (variable) {
                if (p.equals(VAR_ID)) {
                    binding.id = f;
                } else {
                    binding.sub = f;
                }
            } else if (!p.equals(f)) {
                return null;
            }
        }
        return filter.length == pattern.length ? binding : null;
    }
}
