package org.openrtm.gateway.internal.translate;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.RtmStatus;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a CoAP response says about an MQTT outcome: the response code, a short payload (the rtm-id on success, the
 * server's reason string on refusal) and, for the rate limit, a Max-Age in seconds. Immutable.
 *
 * @param code    the CoAP response code
 * @param payload the payload text (may be empty)
 * @param maxAge  the Max-Age option in seconds, or -1 for none
 */
public record Outcome(@NotNull ResponseCode code, @NotNull String payload, long maxAge) {

    private static final Pattern RETRY = Pattern.compile("retry in (\\d+) s");

    /** An outcome without Max-Age. */
    public static @NotNull Outcome of(final @NotNull ResponseCode code, final @Nullable String payload) {
        return new Outcome(code, payload == null ? "" : payload, -1);
    }

    /**
     * Translates the PUBACK of a QoS 1 publish.
     *
     * @param reasonCode the MQTT 5 reason code
     * @param status     the {@code rtm-status} user property, or null (topics outside rtm/ have none)
     * @param reason     the reason string, or null
     * @param rtmId      the {@code rtm-id} user property, or null
     * @param write      whether the publish was an attribute write (PUT) or delete (DELETE) rather than a message
     * @param delete     whether it was a delete
     */
    public static @NotNull Outcome ofPuback(final int reasonCode, final @Nullable String status, final @Nullable String reason,
                                            final @Nullable String rtmId, final boolean write, final boolean delete) {
        final String text = reason != null ? reason : "";
        if (reasonCode < 0x80) {
            if (reasonCode == 0x10 || RtmStatus.UNREACHABLE.code().equals(status)) {
                return of(ResponseCode.NOT_FOUND, text.isEmpty() ? "the recipient is offline and the message was not cached"
                        : text);
            }
            final String id = rtmId != null ? rtmId : "";
            if (write) {
                return of(delete ? ResponseCode.DELETED : ResponseCode.CHANGED, id);
            }
            if (RtmStatus.CACHED.code().equals(status)) {
                return of(ResponseCode.CREATED, id);
            }
            return of(ResponseCode.CHANGED, id);
        }
        final RtmStatus s = RtmStatus.fromCode(status);
        if (s == RtmStatus.RATE_LIMITED) {
            return new Outcome(ResponseCode.TOO_MANY_REQUESTS, text, retryAfterSeconds(text));
        }
        if (s == RtmStatus.BUSY) {
            // the recipient has a burst waiting: the device may retry after a second
            return new Outcome(ResponseCode.SERVICE_UNAVAILABLE, text, 1);
        }
        if (s == RtmStatus.TOO_LARGE || (s == null && reasonCode == 0x97)) {
            return of(ResponseCode.REQUEST_ENTITY_TOO_LARGE, text);
        }
        if (s == RtmStatus.CONFLICT) {
            return of(ResponseCode.PRECONDITION_FAILED, text);
        }
        if (s == RtmStatus.INTERNAL) {
            return of(ResponseCode.INTERNAL_SERVER_ERROR, text);
        }
        switch (reasonCode) {
            case 0x87:
                return of(ResponseCode.FORBIDDEN, text);
            case 0x90:
            case 0x99:
                return of(ResponseCode.BAD_REQUEST, text);
            case 0x83:
                return of(ResponseCode.PRECONDITION_FAILED, text);
            default:
                return of(ResponseCode.INTERNAL_SERVER_ERROR, text.isEmpty() ? "the broker refused the publish with reason "
                        + "code 0x" + Integer.toHexString(reasonCode) : text);
        }
    }

    /**
     * Translates the SUBACK reason code of a subscription that an observation or read needs.
     *
     * @return {@code null} when the subscription was granted
     */
    public static @Nullable Outcome ofSuback(final int reasonCode, final @Nullable String reason) {
        if (reasonCode < 0x80) {
            return null;
        }
        final String text = reason != null ? reason : "";
        switch (reasonCode) {
            case 0x87:
                return of(ResponseCode.FORBIDDEN, text);
            case 0x8F:
                return of(ResponseCode.BAD_REQUEST, text);
            case 0x97:
                return of(ResponseCode.FORBIDDEN, text);
            default:
                return of(ResponseCode.INTERNAL_SERVER_ERROR, text.isEmpty() ? "subscription refused with reason code 0x"
                        + Integer.toHexString(reasonCode) : text);
        }
    }

    /** Translates a refused CONNECT (CONNACK reason code) of a login. */
    public static @NotNull Outcome ofConnack(final int reasonCode, final @Nullable String reason) {
        final String text = reason != null ? reason : "";
        switch (reasonCode) {
            case 0x85:
                return of(ResponseCode.BAD_REQUEST, text);
            case 0x86:
            case 0x87:
            case 0x8C:
                return of(ResponseCode.UNAUTHORIZED, text);
            case 0x88:
            case 0x89:
            case 0x9F:
                return new Outcome(ResponseCode.SERVICE_UNAVAILABLE, text, 5);
            default:
                return of(ResponseCode.INTERNAL_SERVER_ERROR, text.isEmpty() ? "the broker refused the login with reason code"
                        + " 0x" + Integer.toHexString(reasonCode) : text);
        }
    }

    /** The server's retry hint ({@code "... retry in N s"}) in seconds, at least 1. */
    static long retryAfterSeconds(final @NotNull String reason) {
        final Matcher m = RETRY.matcher(reason);
        if (m.find()) {
            try {
                return Math.max(1, Long.parseLong(m.group(1)));
            } catch (final NumberFormatException e) {
                return 1;
            }
        }
        return 1;
    }
}
