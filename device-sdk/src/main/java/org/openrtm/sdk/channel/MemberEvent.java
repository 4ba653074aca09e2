package org.openrtm.sdk.channel;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.time.Instant;
import java.util.Objects;

/**
 * Another user joined or left a channel this client is in. Immutable.
 */
public final class MemberEvent {

    private final String channel;
    private final String uid;
    private final Instant since;
    private final boolean initial;

    /**
     * @param channel the channel id
     * @param uid     the member
     * @param since   for a join: when the member joined (server time); null for a leave
     * @param initial whether the member was already in the channel when this client joined it
     */
    public MemberEvent(final @NotNull String channel, final @NotNull String uid, final @Nullable Instant since,
                       final boolean initial) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.uid = Objects.requireNonNull(uid, "uid");
        this.since = since;
        this.initial = initial;
    }

    /** The channel id. */
    public @NotNull String channel() {
        return channel;
    }

    /** The member who joined or left. */
    public @NotNull String uid() {
        return uid;
    }

    /** For a join, when the member joined by the server's clock; null for a leave. */
    public @Nullable Instant since() {
        return since;
    }

    /**
     * Whether the member was already in the channel when this client joined it (the server's member list as it was
     * then), rather than a change that happened afterwards. Always false for a leave.
     */
    public boolean isInitial() {
        return initial;
    }

    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MemberEvent)) {
            return false;
        }
        final MemberEvent e = (MemberEvent) o;
        return initial == e.initial && channel.equals(e.channel) && uid.equals(e.uid) && Objects.equals(since, e.since);
    }

    @Override
    public int hashCode() {
        return Objects.hash(channel, uid, since, initial);
    }

    @Override
    public String toString() {
        return "MemberEvent{" + uid + (since != null ? " in " : " left ") + channel + (initial ? ", initial" : "") + '}';
    }
}
