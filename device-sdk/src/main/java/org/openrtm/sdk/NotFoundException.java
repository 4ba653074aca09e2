package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;

/**
 * The server does not know the thing a request names (protocol error code {@code not_found}). Immutable and
 * thread-safe.
 */
public final class NotFoundException extends RtmException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message the server's reason string or a description
     */
    public NotFoundException(final @NotNull String message) {
        super(RtmErrorCode.NOT_FOUND, message, null);
    }
}
