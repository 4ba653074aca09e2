package org.openrtm.sdk.channel;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.util.List;
import java.util.Objects;

/**
 * One page of a channel's member list ({@code channel.members}), in uid order. Pass {@link #cursor()} to
 * {@link Channels#members(String, int, String)} for the next page; the paging is stable while members come and go.
 * Immutable.
 *
 * <pre>{@code
 * MemberPage page = channels.members("room").join();
 * while (true) {
 *     page.members().forEach(System.out::println);
 *     if (!page.hasMore()) break;
 *     page = channels.members("room", 100, page.cursor()).join();
 * }
 * }</pre>
 */
public final class MemberPage {

    private final String channel;
    private final List<String> members;
    private final String cursor;

    /**
     * @param channel the channel id
     * @param members the members on this page (copied)
     * @param cursor  where the next page starts, or null if this is the last page
     */
    public MemberPage(final @NotNull String channel, final @NotNull List<String> members, final @Nullable String cursor) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.members = List.copyOf(members);
        this.cursor = cursor;
    }

    /** The channel id. */
    public @NotNull String channel() {
        return channel;
    }

    /** The members on this page, in uid order (unmodifiable). */
    public @NotNull List<String> members() {
        return members;
    }

    /** Where the next page starts, or null if this is the last page. */
    public @Nullable String cursor() {
        return cursor;
    }

    /** Whether there is a next page. */
    public boolean hasMore() {
        return cursor != null;
    }

    @Override
    public String toString() {
        return "MemberPage{" + channel + ", " + members.size() + " members" + (cursor != null ? ", more" : "") + '}';
    }
}
