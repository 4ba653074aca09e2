package org.openrtm.sdk;

/**
 * Where a client's connection to the server stands. See {@link ConnectionChange} for why it changed.
 *
 * <pre>
 *  DISCONNECTED --login()--&gt; CONNECTING --&gt; CONNECTED &lt;--&gt; RECONNECTING
 *        ^                        |             |                 |
 *        +---- logout(), login failure ---------+-----------------+
 *  any state --server ends the session (remote login, ban, kick)--&gt; ABORTED
 * </pre>
 */
public enum ConnectionState {
    /** Not logged in: before {@code login()}, after {@code logout()}, or after a login failed. */
    DISCONNECTED,
    /** {@code login()} was called and the first connection is being set up. Sends wait in the outbox. */
    CONNECTING,
    /** Logged in: connected, subscribed, and the outbox is being sent. */
    CONNECTED,
    /** The connection was lost; the client reconnects by itself with backoff. Sends wait in the outbox. */
    RECONNECTING,
    /**
     * The server ended the session for good (another login with the same uid, a ban, a kick). The client does not
     * reconnect; pending sends failed. Call {@code login()} to start again.
     */
    ABORTED
}
