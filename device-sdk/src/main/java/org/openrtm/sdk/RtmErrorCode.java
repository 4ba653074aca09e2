package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/**
 * The stable code of every {@link RtmException}. Codes that come from the server carry the protocol's name for them
 * ({@link #protocolCode()}), such as {@code "rate_limited"}.
 */
public enum RtmErrorCode {
    /** Not allowed (the server's {@code forbidden}). {@link ForbiddenException}. */
    FORBIDDEN("forbidden"),
    /** The payload or request is over the server's size limit ({@code too_large}). {@link PayloadTooLargeException}. */
    TOO_LARGE("too_large"),
    /** Over the server's rate limit ({@code rate_limited}). {@link RateLimitedException}. */
    RATE_LIMITED("rate_limited"),
    /**
     * The recipient is connected but has a burst of messages waiting for its client ({@code busy}); nothing was
     * stored. Retrying later succeeds once it has caught up.
     */
    BUSY("busy"),
    /** The server found the request malformed ({@code invalid}). {@link InvalidRequestException}. */
    INVALID("invalid"),
    /** A compare-and-set did not match, or a call action came out of order ({@code conflict}). {@link ConflictException}. */
    CONFLICT("conflict"),
    /** The thing asked for does not exist ({@code not_found}). {@link NotFoundException}. */
    NOT_FOUND("not_found"),
    /** The server has no such request method ({@code unknown_method}). */
    UNKNOWN_METHOD("unknown_method"),
    /** The server failed and did nothing; retrying may work ({@code internal}). {@link ServerErrorException}. */
    INTERNAL("internal"),
    /** No answer within the operation's timeout. {@link RtmTimeoutException}. */
    TIMEOUT(null),
    /**
     * A per-client limit of the server is reached: channels joined, presence subscriptions (SUBACK 0x97).
     * {@link LimitExceededException}.
     */
    LIMIT_EXCEEDED(null),
    /** The outbox is full. {@link OutboxFullException}. */
    OUTBOX_FULL(null),
    /** The client is not logged in (never was, logged out, or aborted). {@link NotLoggedInException}. */
    NOT_LOGGED_IN(null),
    /** The login failed. {@link LoginException}. */
    LOGIN_FAILED(null),
    /** A code the server sent that this SDK does not know; {@link RtmException#getMessage()} names it. */
    UNKNOWN(null);

    private final String protocolCode;

    RtmErrorCode(final String protocolCode) {
        this.protocolCode = protocolCode;
    }

    /** The protocol's code for this error ({@code rtm-status} or an RPC error code), or null for the SDK's own. */
    public @Nullable String protocolCode() {
        return protocolCode;
    }

    /**
     * Finds the code for a protocol code.
     *
     * @param code a protocol code such as {@code "too_large"}; may be null
     * @return the matching code, or {@link #UNKNOWN}
     */
    public static @NotNull RtmErrorCode ofProtocolCode(final @Nullable String code) {
        for (final RtmErrorCode c : values()) {
            if (c.protocolCode != null && c.protocolCode.equals(code)) {
                return c;
            }
        }
        return UNKNOWN;
    }
}
