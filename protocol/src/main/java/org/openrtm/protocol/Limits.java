package org.openrtm.protocol;

/**
 * The protocol's default limits. Deployments change them in the extension's configuration; clients learn the
 * limits in force from the {@code server.info} RPC.
 */
public final class Limits {

    /** Largest payload of a message, in bytes. */
    public static final int MAX_PAYLOAD_BYTES = 8192;
    /** Sustained publishes per second per client (token bucket rate). */
    public static final int RATE_PER_SECOND = 100;
    /** Token bucket size: how many publishes a client may send at once after being idle. */
    public static final int RATE_BURST = 100;
    /** Offline cache: messages kept per recipient. */
    public static final int OFFLINE_MAX_MESSAGES = 200;
    /** Offline cache: longest time a message is kept, in seconds (7 days). */
    public static final long OFFLINE_TTL_SECONDS = 7L * 24 * 3600;
    /** De-duplication window for {@value Props#CID}, in seconds (10 minutes). */
    public static final long DEDUP_WINDOW_SECONDS = 600;
    /** Longest {@value Props#CID} a sender may give, in characters. */
    public static final int MAX_CID_LENGTH = 128;
    /** Most uids in an {@value Props#ONLY} or {@value Props#EXCEPT} list. */
    public static final int MAX_RECIPIENT_LIST = 128;
    /** Most presence subscriptions per client. */
    public static final int MAX_PRESENCE_SUBSCRIPTIONS = 512;
    /** Most channels a user may be in at once. */
    public static final int MAX_CHANNELS_PER_USER = 50;
    /** Grace period after a lost connection before a user goes offline, in seconds. */
    public static final long PRESENCE_GRACE_SECONDS = 30;
    /** Largest attribute value, in bytes. */
    public static final int MAX_ATTR_VALUE_BYTES = 8192;
    /** Most attribute keys per user and per channel. */
    public static final int MAX_ATTR_KEYS = 32;
    /** Largest total of all attribute values of one channel, in bytes. */
    public static final int MAX_CHANNEL_ATTR_BYTES = 32 * 1024;
    /** Most uids in one {@code presence.query}. */
    public static final int MAX_PRESENCE_QUERY = 256;
    /** Most members in one {@code channel.members} page. */
    public static final int MAX_MEMBERS_PAGE = 100;
    /** Most channels in one {@code channel.count}. */
    public static final int MAX_COUNT_QUERY = 32;
    /** Most messages in one {@code history.query} page. */
    public static final int MAX_HISTORY_PAGE = 100;
    /** History retention, in seconds (7 days). */
    public static final long HISTORY_RETENTION_SECONDS = 7L * 24 * 3600;
    /** Call invitations: how long the callee may be offline before the call fails, in seconds. */
    public static final long CALL_OFFLINE_TIMEOUT_SECONDS = 30;
    /** Call invitations: how long the callee's client may take to acknowledge the invite, in seconds. */
    public static final long CALL_ACK_TIMEOUT_SECONDS = 30;
    /** Call invitations: how long after {@code received} an answer may take, in seconds. */
    public static final long CALL_ANSWER_TIMEOUT_SECONDS = 60;
    /** Call invitations: largest content or response, in bytes. */
    public static final int MAX_CALL_CONTENT_BYTES = 8192;

    private Limits() {
    }
}
