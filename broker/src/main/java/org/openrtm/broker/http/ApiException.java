package org.openrtm.broker.http;

import org.jetbrains.annotations.NotNull;
import org.openrtm.protocol.Rpc;

/**
 * A REST error: an HTTP status, one of the protocol's stable codes, and a message that names the rule and the value.
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final long retryAfterSeconds;

    public ApiException(final int status, final @NotNull String code, final @NotNull String message) {
        this(status, code, message, 0);
    }

    public ApiException(final int status, final @NotNull String code, final @NotNull String message,
                        final long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400 with code {@code invalid}. */
    public static @NotNull ApiException invalid(final @NotNull String message) {
        return new ApiException(400, Rpc.ERR_INVALID, message);
    }

    public int status() {
        return status;
    }

    public @NotNull String code() {
        return code;
    }

    /** For 429: seconds until a retry may succeed; 0 otherwise. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The HTTP status that fits a protocol error code. */
    public static int statusOf(final @NotNull String code) {
        switch (code) {
            case Rpc.ERR_INVALID:
            case Rpc.ERR_UNKNOWN_METHOD:
                return 400;
            case "unauthorized":
                return 401;
            case Rpc.ERR_FORBIDDEN:
                return 403;
            case Rpc.ERR_NOT_FOUND:
                return 404;
            case Rpc.ERR_CONFLICT:
                return 409;
            case Rpc.ERR_TOO_LARGE:
                return 413;
            case Rpc.ERR_RATE_LIMITED:
                return 429;
            case "busy": // RtmStatus.BUSY: the recipient has a burst waiting; retry later
                return 503;
            default:
                return 500;
        }
    }
}
