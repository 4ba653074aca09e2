package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;

/**
 * The payload or request is larger than the server's limit (protocol status {@code too_large}, PUBACK 0x97;
 * the limit is {@code limits.maxPayloadBytes} of {@code serverInfo()}).
 */
public final class PayloadTooLargeException extends RtmException {

    private static final long serialVersionUID = 1L;

    /**
     * @param code    the exact code ({@link RtmErrorCode#TOO_LARGE}, or a more specific one)
     * @param message the server's reason string or a description
     */
    public PayloadTooLargeException(final @NotNull RtmErrorCode code, final @NotNull String message) {
        super(code, message, null);
    }
}
