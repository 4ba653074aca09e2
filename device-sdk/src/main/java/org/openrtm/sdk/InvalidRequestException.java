package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;

/**
 * The server found the request malformed (protocol status {@code invalid}, PUBACK 0x99 or 0x90, or an RPC
 * error {@code invalid} or {@code unknown_method}: see {@link #code()}).
 */
public final class InvalidRequestException extends RtmException {

    private static final long serialVersionUID = 1L;

    /**
     * @param code    the exact code ({@link RtmErrorCode#INVALID}, or a more specific one)
     * @param message the server's reason string or a description
     */
    public InvalidRequestException(final @NotNull RtmErrorCode code, final @NotNull String message) {
        super(code, message, null);
    }
}
