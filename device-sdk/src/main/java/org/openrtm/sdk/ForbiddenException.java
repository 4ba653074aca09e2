package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;

/**
 * The server refused the operation as not allowed (protocol status {@code forbidden}, PUBACK 0x87).
 */
public final class ForbiddenException extends RtmException {

    private static final long serialVersionUID = 1L;

    /**
     * @param code    the exact code ({@link RtmErrorCode#FORBIDDEN}, or a more specific one)
     * @param message the server's reason string or a description
     */
    public ForbiddenException(final @NotNull RtmErrorCode code, final @NotNull String message) {
        super(code, message, null);
    }
}
