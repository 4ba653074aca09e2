package org.openrtm.sdk;

/** What the server did with a peer message (the {@code rtm-status} of its acknowledgement). */
public enum DeliveryStatus {
    /** The peer is online: the message was handed to its session. A {@link Receipt} follows when its client has it. */
    DELIVERED,
    /** The peer is offline: the message waits in its offline cache and is delivered (with a receipt) when it returns. */
    CACHED,
    /** The peer is offline and the message was not cached ({@code offline(false)} or an expiry of zero). */
    UNREACHABLE
}
