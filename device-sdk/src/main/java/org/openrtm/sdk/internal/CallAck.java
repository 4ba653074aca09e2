package org.openrtm.sdk.internal;

import org.openrtm.sdk.DeliveryStatus;

/** The server's acceptance of a call action: delivered or cached, its {@code rtm-id}, and whether it was a retry. */
final class CallAck {

    final DeliveryStatus status;
    final String rtmId;
    /** A retry the server found in conflict with the call: the first attempt went through. */
    final boolean retried;

    CallAck(final DeliveryStatus status, final String rtmId, final boolean retried) {
        this.status = status;
        this.rtmId = rtmId;
        this.retried = retried;
    }
}
