package org.openrtm.sdk.broadcast;

import org.jetbrains.annotations.NotNull;

import java.util.concurrent.CompletableFuture;

/**
 * Broadcasts: {@link org.openrtm.sdk.RtmClient#broadcasts()}. Every user may listen; only services (a token with role
 * {@code service} or {@code admin}) may send. Thread-safe; futures complete and listeners run on the client's
 * callback executor.
 *
 * <p>Listening is a subscription to every broadcast (with No Local: a service does not get its own), kept across
 * reconnects like channel memberships, and ended by {@code logout()}.
 */
public interface Broadcasts {

    /**
     * Starts listening to broadcasts. Does nothing more if already listening.
     *
     * @return completes when the server confirmed; fails with {@link org.openrtm.sdk.RtmTimeoutException} (then the
     *         client does not listen), {@link org.openrtm.sdk.NotLoggedInException}
     */
    @NotNull CompletableFuture<Void> listen();

    /**
     * Stops listening; no broadcast reaches the listeners any more, from the moment of the call.
     *
     * @return completes when the server confirmed; fails with {@link org.openrtm.sdk.RtmTimeoutException} if it did
     *         not in time (the unsubscription still happens as soon as the client is connected)
     */
    @NotNull CompletableFuture<Void> stopListening();

    /** Whether the client listens to broadcasts now (or is about to). */
    boolean isListening();

    /**
     * Broadcasts a text message to every user that listens. Needs role {@code service} or {@code admin}.
     *
     * @param text the message
     * @return the server's answer; fails with {@link org.openrtm.sdk.ForbiddenException} for role {@code user}, and
     *         like a peer message otherwise ({@link org.openrtm.sdk.PayloadTooLargeException}, timeouts, ...)
     */
    @NotNull CompletableFuture<BroadcastResult> send(@NotNull String text);

    /**
     * Broadcasts a binary message. Needs role {@code service} or {@code admin}.
     *
     * @param payload the message (copied)
     * @return see {@link #send(String)}
     */
    @NotNull CompletableFuture<BroadcastResult> send(byte @NotNull [] payload);

    /**
     * Adds a listener.
     *
     * @param listener the listener
     */
    void addListener(@NotNull BroadcastListener listener);

    /**
     * Removes a listener; does nothing if it is not there.
     *
     * @param listener the listener
     */
    void removeListener(@NotNull BroadcastListener listener);
}
