package org.openrtm.sdk;

/** Why a client's {@link ConnectionState} changed. */
public enum ConnectionChangeReason {
    /** {@code login()} was called: the client starts connecting. */
    LOGIN,
    /** The first connection of a login succeeded. */
    LOGIN_SUCCESS,
    /** The server refused the login (bad uid, bad token, ...), or it could not be reached in time. */
    LOGIN_FAILURE,
    /** The connection was lost (network, keep-alive, server restart); the client reconnects. */
    INTERRUPTED,
    /** A reconnect succeeded. {@link ConnectionChange#sessionResumed()} says whether the server kept the session. */
    RECONNECTED,
    /**
     * The server refused the token at a reconnect because it expired. The client keeps retrying with backoff;
     * call {@link RtmClient#renewToken(String)} (or configure a {@link TokenSupplier}) and nothing is lost.
     */
    TOKEN_EXPIRED,
    /** Another client logged in with the same uid and took the session over (DISCONNECT 0x8E). */
    REMOTE_LOGIN,
    /** The server banned this client (DISCONNECT 0x8A Banned, or 0x87 Not authorized). */
    BANNED,
    /** The server ended the connection for another reason it considers final (for example 0x98 Administrative action). */
    KICKED,
    /** {@code logout()} was called. */
    LOGOUT
}
