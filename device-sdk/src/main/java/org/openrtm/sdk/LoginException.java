package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/**
 * {@code login()} failed. {@link #error()} tells why; for a refusal by the server {@link #reasonCode()} is the
 * CONNACK reason code and the message is the server's reason string (for example
 * {@code token expired at 2026-11-22T02:00:00Z (server time ...)}).
 */
public final class LoginException extends RtmException {

    private static final long serialVersionUID = 1L;

    private final LoginError error;
    private final int reasonCode;

    /**
     * @param error      why
     * @param reasonCode the CONNACK reason code, or -1 if the server did not answer
     * @param message    the server's reason string or a description
     * @param cause      the local cause (I/O error), or null
     */
    public LoginException(final @NotNull LoginError error, final int reasonCode, final @NotNull String message,
                          final @Nullable Throwable cause) {
        super(RtmErrorCode.LOGIN_FAILED, message, cause);
        this.error = error;
        this.reasonCode = reasonCode;
    }

    /** Why the login failed. */
    public @NotNull LoginError error() {
        return error;
    }

    /** The CONNACK reason code of a refusal (0x80 and above), or -1 if the server gave none. */
    public int reasonCode() {
        return reasonCode;
    }
}
