package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;

import java.util.concurrent.CompletionStage;

/**
 * Fetches a token (a JWT for the uid) when the client needs one: at {@code login()} if the builder was given no
 * token, and whenever the server refuses the current token (expired, bad signature) at a connect or reconnect.
 *
 * <p>Called on the client's internal thread: return at once and complete the stage later (for example from an
 * HTTP client's callback). A stage that fails, or yields the token that was just refused, makes the login fail
 * (at {@code login()}) or leaves the client reconnecting with reason {@link ConnectionChangeReason#TOKEN_EXPIRED}.
 */
@FunctionalInterface
public interface TokenSupplier {

    /**
     * Fetches a fresh token.
     *
     * @param uid the client's uid
     * @return the token, eventually; never null
     */
    @NotNull CompletionStage<String> fetchToken(@NotNull String uid);
}
