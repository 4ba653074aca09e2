package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;

/**
 * The outbox already holds as many unfinished operations as the builder's {@code outboxCapacity} allows; this one
 * was not accepted (nothing was sent). Wait for some of the pending futures to complete, or raise the capacity.
 */
public final class OutboxFullException extends RtmException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message names the capacity and how it is configured
     */
    public OutboxFullException(final @NotNull String message) {
        super(RtmErrorCode.OUTBOX_FULL, message, null);
    }
}
