package org.openrtm.sdk;

/** Why a login failed: the server's CONNACK reason code, or a local cause. See {@link LoginException}. */
public enum LoginError {
    /** CONNACK 0x85 Client Identifier not valid: the uid breaks the protocol's rules. */
    INVALID_UID,
    /** CONNACK 0x86 Bad user name or password: not a token, bad signature, or its subject is another uid. */
    BAD_TOKEN,
    /** CONNACK 0x87 Not authorized: the token has expired (or is not valid yet). */
    TOKEN_EXPIRED,
    /** CONNACK 0x8A Banned. */
    BANNED,
    /** CONNACK 0x88 Server unavailable, 0x89 Server busy, 0x9F Connection rate exceeded: retried until the login timeout. */
    SERVER_UNAVAILABLE,
    /** Another CONNACK refusal; {@link LoginException#reasonCode()} has the code. */
    REFUSED,
    /** The server refused the client's subscriptions to its own inbox, event and call topics. */
    SUBSCRIPTION_REFUSED,
    /** The server could not be reached (connection refused, network error) within the login timeout. */
    UNREACHABLE,
    /** The login did not complete within the login timeout. */
    TIMEOUT,
    /** The {@link TokenSupplier} failed or returned no usable token. */
    NO_TOKEN,
    /** {@code logout()} or {@code close()} was called before the login completed. */
    CANCELED
}
