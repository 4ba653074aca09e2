package org.openrtm.sdk.channel;

import org.jetbrains.annotations.NotNull;

import java.util.Objects;

/** The member count of a channel this client is in. Immutable. */
public final class ChannelCount {

    private final String channel;
    private final int count;
    private final boolean initial;

    /**
     * @param channel the channel id
     * @param count   the number of members, this client included
     * @param initial whether this is the count when this client joined, rather than a change
     */
    public ChannelCount(final @NotNull String channel, final int count, final boolean initial) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.count = count;
        this.initial = initial;
    }

    /** The channel id. */
    public @NotNull String channel() {
        return channel;
    }

    /** The number of members, this client included. */
    public int count() {
        return count;
    }

    /** Whether this is the count the server had when this client joined, rather than an update. */
    public boolean isInitial() {
        return initial;
    }

    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ChannelCount)) {
            return false;
        }
        final ChannelCount c = (ChannelCount) o;
        return count == c.count && initial == c.initial && channel.equals(c.channel);
    }

    @Override
    public int hashCode() {
        return Objects.hash(channel, count, initial);
    }

    @Override
    public String toString() {
        return "ChannelCount{" + channel + " = " + count + (initial ? ", initial" : "") + '}';
    }
}
