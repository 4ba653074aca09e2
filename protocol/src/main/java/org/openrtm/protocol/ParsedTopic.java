package org.openrtm.protocol;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.util.Objects;

/**
 * The result of {@link RtmTopics#parse(String)}: what a concrete topic name means in the {@code rtm/} tree.
 * Immutable and thread-safe.
 */
public final class ParsedTopic {

    /** How a topic relates to the {@code rtm/} tree. */
    public enum Kind {
        /** A well-formed topic of a known family; {@link #family()}, {@link #id()} and maybe {@link #sub()} are set. */
        VALID,
        /** The topic is not under {@code rtm/}: the broker's ordinary rules apply. */
        NOT_RTM,
        /** Under {@code rtm/} but not of any known shape: refused as not authorized. */
        UNKNOWN,
        /** Of a known shape but with a bad id, key or method level: refused as an invalid topic name. */
        INVALID
    }

    private static final ParsedTopic NOT_RTM = new ParsedTopic(Kind.NOT_RTM, null, null, null, null);

    private final Kind kind;
    private final TopicFamily family;
    private final String id;
    private final String sub;
    private final String error;

    private ParsedTopic(
            final Kind kind,
            final @Nullable TopicFamily family,
            final @Nullable String id,
            final @Nullable String sub,
            final @Nullable String error) {
        this.kind = kind;
        this.family = family;
        this.id = id;
        this.sub = sub;
        this.error = error;
    }

    static @NotNull ParsedTopic valid(final @NotNull TopicFamily family, final @NotNull String id, final @Nullable String sub) {
        return new ParsedTopic(Kind.VALID, family, id, sub, null);
    }

    static @NotNull ParsedTopic notRtm() {
        return NOT_RTM;
    }

    static @NotNull ParsedTopic unknown(final @NotNull String why) {
        return new ParsedTopic(Kind.UNKNOWN, null, null, null, why);
    }

    static @NotNull ParsedTopic invalid(final @NotNull TopicFamily family, final @NotNull String why) {
        return new ParsedTopic(Kind.INVALID, family, null, null, why);
    }

    public @NotNull Kind kind() {
        return kind;
    }

    /** Whether this is a well-formed topic of a known family. */
    public boolean isValid() {
        return kind == Kind.VALID;
    }

    /** The family, for {@link Kind#VALID} and {@link Kind#INVALID}; otherwise {@code null}. */
    public @Nullable TopicFamily family() {
        return family;
    }

    /**
     * The first variable level: the uid for user topics, the cid for channel topics, the sender for
     * broadcasts, the method for RPC. {@code null} unless {@link Kind#VALID}.
     */
    public @Nullable String id() {
        return id;
    }

    /** The second variable level (sender, member, key), or {@code null} when the family has none. */
    public @Nullable String sub() {
        return sub;
    }

    /** Why the topic is {@link Kind#UNKNOWN} or {@link Kind#INVALID}; {@code null} otherwise. */
    public @Nullable String error() {
        return error;
    }

    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ParsedTopic)) {
            return false;
        }
        final ParsedTopic that = (ParsedTopic) o;
        return kind == that.kind && family == that.family && Objects.equals(id, that.id)
                && Objects.equals(sub, that.sub) && Objects.equals(error, that.error);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, family, id, sub, error);
    }

    @Override
    public String toString() {
        return "ParsedTopic{" + kind + (family == null ? "" : " " + family) + (id == null ? "" : " id=" + id)
                + (sub == null ? "" : " sub=" + sub) + (error == null ? "" : " error=" + error) + '}';
    }
}
