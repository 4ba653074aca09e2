package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.time.Duration;

/**
 * The client is over the server's publish rate (protocol status {@code rate_limited}, PUBACK 0x97). Nothing was
 * delivered. The SDK paces its publishes under the rate the server states at login and sends a refused one again,
 * with the same {@code rtm-cid}, after {@link #retryAfter()}: an operation fails with this exception only when its
 * timeout ends while it waits for that retry.
 */
public final class RateLimitedException extends RtmException {

    private static final long serialVersionUID = 1L;

    private final Duration retryAfter;

    /**
     * @param message    the server's reason string
     * @param retryAfter how long to wait before retrying, as the server said, or null if it did not say
     */
    public RateLimitedException(final @NotNull String message, final @Nullable Duration retryAfter) {
        super(RtmErrorCode.RATE_LIMITED, message, null);
        this.retryAfter = retryAfter;
    }

    /** The server's hint how long to wait before retrying ("retry in N s"), or null if it gave none. */
    public @Nullable Duration retryAfter() {
        return retryAfter;
    }
}
