package org.openrtm.sdk.internal;

import org.jetbrains.annotations.NotNull;
import org.openrtm.protocol.FilterMatch;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.ParsedTopic;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.protocol.TopicFamily;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SDK's words for what the wire calls topics, for the texts of exceptions: a user of the SDK joins channels and
 * watches presence; it never sees a topic. Stateless.
 */
final class Wording {

    /** The hint of the server's "not a member" refusals, written for MQTT clients. */
    private static final Pattern JOIN_HINT = Pattern.compile(
            "(?:; subscribe to rtm/channel/([^/\\s]+)/msg/\\+ to join it|\\(join it by subscribing to "
                    + "rtm/channel/([^/\\s]+)/msg/\\+\\))");
    /** Any other channel message filter or topic in a server's text. */
    private static final Pattern CHANNEL_TOPIC = Pattern.compile("rtm/channel/([^/\\s]+)/msg/(?:\\+|#|[^/\\s]+)");

    private Wording() {
    }

    /**
     * A server's reason string in the SDK's words: hints that name topics to subscribe to name the method to call.
     *
     * @param reason the reason string or RPC error message
     * @return the same text, hints replaced
     */
    static @NotNull String serverReason(final @NotNull String reason) {
        final Matcher m = JOIN_HINT.matcher(reason);
        final StringBuilder out = new StringBuilder();
        while (m.find()) {
            final String cid = m.group(1) != null ? m.group(1) : m.group(2);
            final String hint = "call channels().join(\"" + cid + "\") first";
            m.appendReplacement(out, Matcher.quoteReplacement(m.group().startsWith(";") ? "; " + hint
                    : "(" + hint + ")"));
        }
        m.appendTail(out);
        final Matcher c = CHANNEL_TOPIC.matcher(out.toString());
        final StringBuilder out2 = new StringBuilder();
        while (c.find()) {
            c.appendReplacement(out2, Matcher.quoteReplacement("channel " + Ids.show(c.group(1))));
        }
        c.appendTail(out2);
        return out2.toString();
    }

    /**
     * An operation of the outbox, e.g. {@code message 'abc-1' to 'bob'} or {@code request server.info}.
     *
     * @param p the operation
     * @return its description, without a topic
     */
    static @NotNull String operation(final @NotNull Pending p) {
        final ParsedTopic t = RtmTopics.parse(p.topic);
        final String to = t.id() != null ? Ids.show(t.id()) : "?";
        switch (p.kind) {
            case PEER:
                return "message " + Ids.show(p.id) + " to " + to;
            case CHANNEL:
                return "message " + Ids.show(p.id) + " to channel " + to;
            case BROADCAST:
                return "broadcast " + Ids.show(p.id);
            case CALL:
                return "call action " + Ids.show(p.id) + " to " + to;
            case RPC:
            default:
                return "request " + p.method;
        }
    }

    /**
     * What a SUBSCRIBE or UNSUBSCRIBE does, e.g. {@code joining channel 'room'} or
     * {@code watching the presence of 'a', 'b'}.
     *
     * @param subscribe a subscription (else an unsubscription)
     * @param filters   its topic filters
     * @return the description, without a topic
     */
    static @NotNull String subscription(final boolean subscribe, final @NotNull List<String> filters) {
        final Map<String, List<String>> byWhat = new LinkedHashMap<>();
        for (final String filter : filters) {
            for (final FilterMatch m : RtmTopics.analyzeFilter(filter).matches()) {
                final String what = what(subscribe, m.family());
                if (what != null) {
                    final List<String> ids = byWhat.computeIfAbsent(what, k -> new ArrayList<>());
                    final String id = m.id() != null ? Ids.show(m.id()) : "";
                    if (!id.isEmpty() && !ids.contains(id)) {
                        ids.add(id);
                    }
                }
            }
        }
        if (byWhat.isEmpty()) {
            return subscribe ? "subscribing" : "unsubscribing";
        }
        final List<String> parts = new ArrayList<>();
        byWhat.forEach((what, ids) -> parts.add(ids.isEmpty() ? what : what + " " + String.join(", ", ids)));
        return String.join(" and ", parts);
    }

    /** The thing one filter stands for, e.g. {@code channel 'room'} or {@code the presence of 'a'}. */
    static @NotNull String thing(final @NotNull String filter) {
        for (final FilterMatch m : RtmTopics.analyzeFilter(filter).matches()) {
            final String id = m.id() != null ? " " + Ids.show(m.id()) : "";
            switch (m.family()) {
                case CHANNEL_MSG:
                    return "joining channel" + id;
                case CHANNEL_MEMBER:
                    return "the member list of channel" + id;
                case CHANNEL_COUNT:
                    return "the member count of channel" + id;
                case PRESENCE:
                    return "watching the presence of" + id;
                case USER_ATTR:
                    return "watching the attributes of user" + id;
                case CHANNEL_ATTR:
                    return "watching the attributes of channel" + id;
                case BROADCAST:
                    return "listening to broadcasts";
                case INBOX:
                    return "this user's inbox";
                case CALL:
                    return "this user's call invitations";
                case EVENT:
                    return "this user's events";
                default:
                    break;
            }
        }
        return "a subscription";
    }

    private static String what(final boolean subscribe, final TopicFamily family) {
        switch (family) {
            case CHANNEL_MSG:
                return subscribe ? "joining channel" : "leaving channel";
            case PRESENCE:
                return subscribe ? "watching the presence of" : "no longer watching the presence of";
            case USER_ATTR:
                return subscribe ? "watching the attributes of user" : "no longer watching the attributes of user";
            case CHANNEL_ATTR:
                return subscribe ? "watching the attributes of channel" : "no longer watching the attributes of channel";
            case BROADCAST:
                return subscribe ? "listening to broadcasts" : "no longer listening to broadcasts";
            case INBOX:
            case CALL:
            case EVENT:
                return subscribe ? "subscribing to this user's inbox, events and calls" : "unsubscribing";
            default:
                // member lists and counts come with a join; said by the channel's join or leave
                return null;
        }
    }
}
