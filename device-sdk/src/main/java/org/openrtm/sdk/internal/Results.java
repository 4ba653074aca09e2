package org.openrtm.sdk.internal;

import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.RtmStatus;
import org.openrtm.sdk.ConflictException;
import org.openrtm.sdk.DeliveryStatus;
import org.openrtm.sdk.ForbiddenException;
import org.openrtm.sdk.InvalidRequestException;
import org.openrtm.sdk.NotFoundException;
import org.openrtm.sdk.PayloadTooLargeException;
import org.openrtm.sdk.RateLimitedException;
import org.openrtm.sdk.RtmErrorCode;
import org.openrtm.sdk.RtmException;
import org.openrtm.sdk.ServerErrorException;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the server's answers (a PUBACK's reason code, {@code rtm-status} and reason string; an RPC error) into
 * the SDK's results and exceptions. Pure and thread-safe.
 */
final class Results {

    private static final Pattern RETRY = Pattern.compile("retry in (\\d+) ?s");

    private Results() {
    }

    /** Whether a PUBACK is a success (reason code below 0x80). */
    static boolean isSuccess(final int reasonCode) {
        return reasonCode < 0x80;
    }

    /** The delivery status of a successful PUBACK; without {@code rtm-status}, from the reason code. */
    static DeliveryStatus delivery(final int reasonCode, final @Nullable String status) {
        final RtmStatus s = RtmStatus.fromCode(status);
        if (s == RtmStatus.CACHED) {
            return DeliveryStatus.CACHED;
        }
        if (s == RtmStatus.UNREACHABLE || (s == null && reasonCode == 0x10)) {
            return DeliveryStatus.UNREACHABLE;
        }
        return DeliveryStatus.DELIVERED;
    }

    /** The exception for a refused publish (reason code 0x80 or above). */
    static RtmException refusal(final int reasonCode, final @Nullable String status, final @Nullable String reason) {
        RtmErrorCode code = status != null ? RtmErrorCode.ofProtocolCode(status) : byReasonCode(reasonCode);
        final String message = (reason != null && !reason.isEmpty() ? Wording.serverReason(reason)
                : "the server refused it")
                + " [" + (status != null ? status : "no rtm-status") + ", PUBACK " + String.format("0x%02X", reasonCode) + "]";
        if (code == RtmErrorCode.UNKNOWN && status == null) {
            code = byReasonCode(reasonCode);
        }
        return exception(code, message, reason);
    }

    /** The exception for an RPC error reply {@code {"ok":false,"error":{"code":...,"message":...}}}. */
    static RtmException rpcError(final @Nullable String code, final @Nullable String message) {
        final String text = (message != null && !message.isEmpty() ? Wording.serverReason(message) : "the request failed")
                + " [" + (code != null ? code : "no code") + "]";
        return exception(RtmErrorCode.ofProtocolCode(code), text, message);
    }

    private static RtmException exception(final RtmErrorCode code, final String message, final @Nullable String reason) {
        switch (code) {
            case FORBIDDEN:
                return new ForbiddenException(code, message);
            case TOO_LARGE:
                return new PayloadTooLargeException(code, message);
            case RATE_LIMITED:
                return new RateLimitedException(message, retryAfter(reason));
            case INVALID:
            case UNKNOWN_METHOD:
                return new InvalidRequestException(code, message);
            case INTERNAL:
                return new ServerErrorException(code, message);
            case CONFLICT:
                return new ConflictException(message);
            case NOT_FOUND:
                return new NotFoundException(message);
            default:
                return new RtmException(code, message, null);
        }
    }

    private static RtmErrorCode byReasonCode(final int reasonCode) {
        switch (reasonCode) {
            case 0x87:
                return RtmErrorCode.FORBIDDEN;
            case 0x90:
            case 0x99:
                return RtmErrorCode.INVALID;
            case 0x80:
                return RtmErrorCode.INTERNAL;
            case 0x83:
                return RtmErrorCode.CONFLICT;
            default:
                // 0x97 is both too_large and rate_limited: without rtm-status it cannot be told apart
                return RtmErrorCode.UNKNOWN;
        }
    }

    /** The "retry in N s" hint of a rate-limit reason string, or null. */
    static @Nullable Duration retryAfter(final @Nullable String reason) {
        if (reason == null) {
            return null;
        }
        final Matcher m = RETRY.matcher(reason);
        return m.find() ? Duration.ofSeconds(Long.parseLong(m.group(1))) : null;
    }
}
