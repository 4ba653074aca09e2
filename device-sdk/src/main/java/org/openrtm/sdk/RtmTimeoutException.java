package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;

/**
 * An operation got no answer within its timeout. If {@link #wasSent()} is false the request never left the outbox
 * and certainly had no effect; if true it was sent at least once and its outcome is unknown (a peer message may
 * or may not have been delivered). The SDK does not retry it any more either way.
 */
public final class RtmTimeoutException extends RtmException {

    private static final long serialVersionUID = 1L;

    private final boolean sent;

    /**
     * @param message what timed out, and after how long
     * @param sent    whether the request was sent to the server at least once
     */
    public RtmTimeoutException(final @NotNull String message, final boolean sent) {
        super(RtmErrorCode.TIMEOUT, message, null);
        this.sent = sent;
    }

    /** Whether the request was sent at least once (then its outcome is unknown); false if it never left the outbox. */
    public boolean wasSent() {
        return sent;
    }
}
