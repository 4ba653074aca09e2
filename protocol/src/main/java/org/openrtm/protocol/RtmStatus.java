package org.openrtm.protocol;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/**
 * The outcome of a publish under {@code rtm/}, as carried by the {@value Props#STATUS} user property of the PUBACK,
 * with the MQTT 5 reason code that goes with it.
 */
public enum RtmStatus {
    /** The message was handed to the recipient's session (or, for channel messages, accepted for delivery). */
    DELIVERED("delivered", 0x00),
    /** The recipient is offline; the message is stored in its offline cache. */
    CACHED("cached", 0x00),
    /** The recipient is offline and the message was not cached. */
    UNREACHABLE("unreachable", 0x10),
    /** The publish is not allowed. */
    FORBIDDEN("forbidden", 0x87),
    /** The payload is larger than the limit. */
    TOO_LARGE("too_large", 0x97),
    /** The sender is over its rate. */
    RATE_LIMITED("rate_limited", 0x97),
    /**
     * The recipient is connected but has more messages waiting than it takes (a burst of many senders); nothing was
     * stored, retry later. Not in the shared contract's table: an addition of this implementation.
     */
    BUSY("busy", 0x97),
    /** The request is malformed (bad property, list too long, bad JSON). */
    INVALID("invalid", 0x99),
    /** A topic level (uid, cid, key) is malformed. Same code as {@link #INVALID}, different reason code. */
    INVALID_TOPIC("invalid", 0x90),
    /** An attribute write's {@value Props#IF_REV} does not match the current revision. */
    CONFLICT("conflict", 0x83),
    /**
     * The server failed (for example its disk refused a write); nothing was delivered and the publish may be
     * retried. Not in the shared contract's table: an addition of this implementation.
     */
    INTERNAL("internal", 0x80);

    private final String code;
    private final int reasonCode;

    RtmStatus(final String code, final int reasonCode) {
        this.code = code;
        this.reasonCode = reasonCode;
    }

    /** The stable code for programs, e.g. {@code "too_large"}. */
    public @NotNull String code() {
        return code;
    }

    /** The MQTT 5 PUBACK reason code. */
    public int reasonCode() {
        return reasonCode;
    }

    /** Whether the outcome is a success (reason code below 0x80). */
    public boolean isSuccess() {
        return reasonCode < 0x80;
    }

    /**
     * Finds a status by its stable code. {@code "invalid"} maps to {@link #INVALID}.
     *
     * @return the status, or {@code null} if the code is unknown
     */
    public static @Nullable RtmStatus fromCode(final @Nullable String code) {
        if (code == null) {
            return null;
        }
        for (final RtmStatus s : values()) {
            if (s.code.equals(code)) {
                return s;
            }
        }
        return null;
    }
}
