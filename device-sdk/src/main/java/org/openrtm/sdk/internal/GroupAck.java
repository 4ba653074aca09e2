package org.openrtm.sdk.internal;

/** The server's acceptance of a channel message or broadcast: its {@code rtm-id}, {@code rtm-cid}, recipients. */
final class GroupAck {

    final String rtmId;
    final String clientMessageId;
    final int recipients;

    GroupAck(final String rtmId, final String clientMessageId, final int recipients) {
        this.rtmId = rtmId;
        this.clientMessageId = clientMessageId;
        this.recipients = recipients;
    }
}
