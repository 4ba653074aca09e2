package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.time.Duration;

/**
 * The client is over the server's publish rate (protocol status {@code rate_limited}, PUBACK 0x97). Nothing was
 * delivered; try again after {@link #retryAfter()}. The SDK does not retry by itself.
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
