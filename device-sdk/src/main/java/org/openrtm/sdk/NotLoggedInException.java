package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;

/**
 * The operation needs a logged-in client: it was called before {@code login()}, after {@code logout()}, after the
 * server aborted the session, or it was still pending when one of these happened (then its outcome is unknown if
 * it had been sent).
 */
public final class NotLoggedInException extends RtmException {

    private static final long serialVersionUID = 1L;

    private final ConnectionState state;

    /**
     * @param state   the client's state at the time
     * @param message what happened
     */
    public NotLoggedInException(final @NotNull ConnectionState state, final @NotNull String message) {
        super(RtmErrorCode.NOT_LOGGED_IN, message, null);
        this.state = state;
    }

    /** The client's state when the operation failed ({@link ConnectionState#DISCONNECTED} or {@link ConnectionState#ABORTED}). */
    public @NotNull ConnectionState state() {
        return state;
    }
}
