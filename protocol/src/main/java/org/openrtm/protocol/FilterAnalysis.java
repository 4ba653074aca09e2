package org.openrtm.protocol;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.util.List;

/**
 * What a subscription topic filter can read of the {@code rtm/} tree; the result of
 * {@link RtmTopics#analyzeFilter(String)}. Immutable and thread-safe.
 */
public final class FilterAnalysis {

    /** How a filter relates to the {@code rtm/} tree. */
    public enum Kind {
        /** The filter cannot match any topic under {@code rtm/}. */
        NOT_RTM,
        /** The filter starts with {@code rtm/} and matches the families in {@link #matches()}. */
        RTM,
        /**
         * The filter starts with a wildcard: it matches topics outside {@code rtm/} and the families in
         * {@link #matches()} (possibly none).
         */
        WILDCARD_ROOT,
        /** The filter starts with {@code rtm/} but matches no topic family: refused as not authorized. */
        UNKNOWN,
        /** The filter starts with {@code rtm/} and would match a family, but with a malformed id or key level. */
        INVALID
    }

    private final Kind kind;
    private final List<FilterMatch> matches;
    private final String error;

    FilterAnalysis(final @NotNull Kind kind, final @NotNull List<FilterMatch> matches, final @Nullable String error) {
        this.kind = kind;
        this.matches = List.copyOf(matches);
        this.error = error;
    }

    public @NotNull Kind kind() {
        return kind;
    }

    /** The families the filter can match, with the levels it pins down. Never {@code null}; unmodifiable. */
    public @NotNull List<FilterMatch> matches() {
        return matches;
    }

    /** Why the filter is {@link Kind#UNKNOWN} or {@link Kind#INVALID}; otherwise {@code null}. */
    public @Nullable String error() {
        return error;
    }

    @Override
    public String toString() {
        return "FilterAnalysis{" + kind + " " + matches + (error == null ? "" : " error=" + error) + '}';
    }
}
