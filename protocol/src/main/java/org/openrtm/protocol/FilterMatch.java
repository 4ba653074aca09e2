package org.openrtm.protocol;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.util.Objects;

/**
 * One topic family that a subscription filter can match, with what the filter pins down of the family's variable
 * levels. Immutable and thread-safe.
 */
public final class FilterMatch {

    private final TopicFamily family;
    private final String id;
    private final String sub;

    FilterMatch(final @NotNull TopicFamily family, final @Nullable String id, final @Nullable String sub) {
        this.family = family;
        this.id = id;
        this.sub = sub;
    }

    public @NotNull TopicFamily family() {
        return family;
    }

    /** The concrete uid, cid, sender or method the filter names, or {@code null} if the filter has a wildcard there. */
    public @Nullable String id() {
        return id;
    }

    /**
     * The concrete value of the second variable level, or {@code null} if the filter has a wildcard there (or the
     * family has no such level).
     */
    public @Nullable String sub() {
        return sub;
    }

    /** Whether the filter matches every topic of the family for its {@link #id()} (a wildcard in the last level). */
    public boolean coversAllSubs() {
        return sub == null;
    }

    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FilterMatch)) {
            return false;
        }
        final FilterMatch that = (FilterMatch) o;
        return family == that.family && Objects.equals(id, that.id) && Objects.equals(sub, that.sub);
    }

    @Override
    public int hashCode() {
        return Objects.hash(family, id, sub);
    }

    @Override
    public String toString() {
        return family + "(" + (id == null ? "*" : id) + (family.hasSub() ? "," + (sub == null ? "*" : sub) : "") + ")";
    }
}
