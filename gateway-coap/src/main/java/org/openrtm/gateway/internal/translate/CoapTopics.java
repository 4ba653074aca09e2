package org.openrtm.gateway.internal.translate;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.FilterAnalysis;
import org.openrtm.protocol.FilterMatch;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.ParsedTopic;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.protocol.TopicFamily;

import java.util.ArrayList;
import java.util.List;

/**
 * Translates CoAP URI paths under {@code /rtm/...} into MQTT topics and topic filters. The path mirrors the topic
 * tree level by level; where a family has a sender level that names the device itself ({@code inbox/{from}},
 * {@code call/{from}}, {@code msg/{from}}), a publish may leave it out and the device's uid is filled in; an
 * observation may leave out the last level of a family that has one and gets every value ({@code +}).
 * Pure functions; thread-safe.
 */
public final class CoapTopics {

    /** The result of a translation: a topic or filter, or why the path is refused. */
    public record Target(@Nullable String topic, @Nullable TopicFamily family, @Nullable String error) {

        /** Whether the path translated. */
        public boolean ok() {
            return topic != null;
        }

        static Target of(final String topic, final TopicFamily family) {
            return new Target(topic, family, null);
        }

        static Target refused(final String error) {
            return new Target(null, null, error);
        }
    }

    private CoapTopics() {
    }

    /**
     * The topic a POST, PUT or DELETE on this path publishes to.
     *
     * @param path the URI path segments, starting with {@code rtm}
     * @param self the device's uid
     */
    public static @NotNull Target publishTopic(final @NotNull List<String> path, final @NotNull String self) {
        final String levelError = levelError(path, false);
        if (levelError != null) {
            return Target.refused(levelError);
        }
        final List<String> levels = new ArrayList<>(path);
        if (levels.size() == 4 && levels.get(1).equals("user")
                && (levels.get(3).equals("inbox") || levels.get(3).equals("call"))) {
            levels.add(self);
        } else if (levels.size() == 4 && levels.get(1).equals("channel") && levels.get(3).equals("msg")) {
            levels.add(self);
        } else if (levels.size() == 2 && levels.get(1).equals("all")) {
            levels.add(self);
        }
        final String topic = String.join("/", levels);
        final ParsedTopic parsed = RtmTopics.parse(topic);
        switch (parsed.kind()) {
            case VALID:
                return Target.of(topic, parsed.family());
            case INVALID:
                return Target.refused(parsed.error());
            default:
                // unknown shapes go to the server, which refuses them with its own reason (forbidden)
                return new Target(topic, null, null);
        }
    }

    /**
     * The topic filter a GET (with or without Observe) on this path subscribes to.
     *
     * @param path the URI path segments, starting with {@code rtm}; a segment may be {@code +}
     */
    public static @NotNull Target filter(final @NotNull List<String> path) {
        final String levelError = levelError(path, true);
        if (levelError != null) {
            return Target.refused(levelError);
        }
        final List<String> levels = new ArrayList<>(path);
        if (levels.size() == 4 && hasSubLevel(levels.get(1), levels.get(3))) {
            levels.add("+");
        } else if (levels.size() == 2 && levels.get(1).equals("all")) {
            levels.add("+");
        }
        final String filter = String.join("/", levels);
        final FilterAnalysis analysis = RtmTopics.analyzeFilter(filter);
        switch (analysis.kind()) {
            case INVALID:
            case UNKNOWN:
                return Target.refused(analysis.error());
            default:
                final List<FilterMatch> matches = analysis.matches();
                return Target.of(filter, matches.size() == 1 ? matches.get(0).family() : null);
        }
    }

    private static boolean hasSubLevel(final String scope, final String kind) {
        for (final TopicFamily f : TopicFamily.values()) {
            if (f.hasSub() && f.scope().level().equals(scope) && kind.equals(f.kindLevel())) {
                return true;
            }
        }
        return false;
    }

    /** Checks the path's segments; {@code null} when they can form a topic. */
    static @Nullable String levelError(final List<String> path, final boolean wildcards) {
        if (path.isEmpty() || !path.get(0).equals(RtmTopics.ROOT)) {
            return "the path must start with /rtm, but was '/" + String.join("/", path) + "'";
        }
        if (path.size() < 2) {
            return "the path /rtm names no topic; see the topic tree in docs/protocol.md";
        }
        for (int i = 0; i < path.size(); i++) {
            final String s = path.get(i);
            if (s.isEmpty()) {
                return "path segment " + (i + 1) + " is empty";
            }
            if (wildcards && s.equals("+")) {
                continue;
            }
            for (int c = 0; c < s.length(); c++) {
                final char ch = s.charAt(c);
                if (ch == '/' || ch == '+' || ch == '#' || ch == 0) {
                    return "path segment " + Ids.show(s) + " must not contain '/', '+', '#' or NUL";
                }
            }
            final String invalid = MqttStrings.error("path segment " + (i + 1), s);
            if (invalid != null) {
                return invalid;
            }
        }
        return null;
    }
}
