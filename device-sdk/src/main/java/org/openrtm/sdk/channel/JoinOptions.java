package org.openrtm.sdk.channel;

import org.jetbrains.annotations.NotNull;

/**
 * Options of {@link Channels#join(String, JoinOptions)}. Immutable; build with {@link #builder()}, or use
 * {@link #defaults()} (member events and count updates on).
 */
public final class JoinOptions {

    private static final JoinOptions DEFAULTS = new Builder().build();

    private final boolean memberEvents;
    private final boolean countUpdates;

    private JoinOptions(final Builder b) {
        this.memberEvents = b.memberEvents;
        this.countUpdates = b.countUpdates;
    }

    /** Member events and count updates on. */
    public static @NotNull JoinOptions defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static @NotNull Builder builder() {
        return new Builder();
    }

    /**
     * Whether the client follows the member list: {@link ChannelListener#onMemberJoined(MemberEvent)} for every member
     * already there and every one who joins, {@link ChannelListener#onMemberLeft(MemberEvent)} for every one who
     * leaves. Turn it off for very large channels, where the initial list is long. Default true.
     */
    public boolean memberEvents() {
        return memberEvents;
    }

    /** Whether the client follows the member count ({@link ChannelListener#onCountChanged(ChannelCount)}). Default true. */
    public boolean countUpdates() {
        return countUpdates;
    }

    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof JoinOptions)) {
            return false;
        }
        final JoinOptions j = (JoinOptions) o;
        return memberEvents == j.memberEvents && countUpdates == j.countUpdates;
    }

    @Override
    public int hashCode() {
        return (memberEvents ? 2 : 0) + (countUpdates ? 1 : 0);
    }

    @Override
    public String toString() {
        return "JoinOptions{memberEvents=" + memberEvents + ", countUpdates=" + countUpdates + '}';
    }

    /** Builds {@link JoinOptions}. Not thread-safe. */
    public static final class Builder {
        private boolean memberEvents = true;
        private boolean countUpdates = true;

        private Builder() {
        }

        /**
         * See {@link JoinOptions#memberEvents()}.
         *
         * @return this
         */
        public @NotNull Builder memberEvents(final boolean memberEvents) {
            this.memberEvents = memberEvents;
            return this;
        }

        /**
         * See {@link JoinOptions#countUpdates()}.
         *
         * @return this
         */
        public @NotNull Builder countUpdates(final boolean countUpdates) {
            this.countUpdates = countUpdates;
            return this;
        }

        /** The options. */
        public @NotNull JoinOptions build() {
            return new JoinOptions(this);
        }
    }
}
