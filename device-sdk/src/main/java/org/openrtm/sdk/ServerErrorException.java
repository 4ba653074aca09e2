package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;

/**
 * The server failed (for example its disk refused a write) and did nothing; the operation may be retried
 * (protocol status {@code internal}, PUBACK 0x80).
 */
public final class ServerErrorException extends RtmException {

    private static final long serialVersionUID = 1L;

    /**
     * @param code    the exact code ({@link RtmErrorCode#INTERNAL}, or a more specific one)
     * @param message the server's reason string or a description
     */
    public ServerErrorException(final @NotNull RtmErrorCode code, final @NotNull String message) {
        super(code, message, null);
    }
}
