package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;

/**
 * The server refused a subscription because a per-client limit is reached (SUBACK 0x97 Quota exceeded): more
 * channels joined than {@code channel.max-joined} (50 by default), or more users watched than
 * {@code presence.max-subscriptions} (512 by default). Nothing changed: the operation was undone as a whole. The
 * message is the server's reason string, which names the limit and its value. Leave a channel or unsubscribe from
 * some users first. Immutable.
 */
public final class LimitExceededException extends RtmException {

    private static final long serialVersionUID = 1L;

    /** Which limit. */
    public enum Limit {
        /** Channels one user may be in at once ({@code channel.max-joined}). */
        CHANNELS_JOINED,
        /** Presence subscriptions one connection may hold ({@code presence.max-subscriptions}). */
        PRESENCE_SUBSCRIPTIONS,
        /** A limit this SDK does not know. */
        OTHER
    }

    private final Limit limit;

    /**
     * @param limit   which limit was reached
     * @param message the server's reason string, or a description
     */
    public LimitExceededException(final @NotNull Limit limit, final @NotNull String message) {
        super(RtmErrorCode.LIMIT_EXCEEDED, message, null);
        this.limit = limit;
    }

    /** Which limit was reached. */
    public @NotNull Limit limit() {
        return limit;
    }
}
