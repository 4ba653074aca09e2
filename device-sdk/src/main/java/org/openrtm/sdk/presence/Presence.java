package org.openrtm.sdk.presence;

import org.jetbrains.annotations.NotNull;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Presence: {@link org.openrtm.sdk.RtmClient#presence()}. Ask for the online state of up to 256 users at once, or
 * watch users and be told of every change. Thread-safe: call from any thread; futures complete and listeners run on
 * the client's callback executor.
 *
 * <p>Watching is a subscription to each user's presence. The client keeps its subscriptions across reconnects: if
 * the server still has the session they are simply still there, otherwise the client makes them again before it
 * reports {@code CONNECTED}. {@code logout()} ends them all.
 */
public interface Presence {

    /** Most users in one {@link #query(Collection)}. */
    int MAX_QUERY = 256;

    /**
     * Asks the server for the online state of users ({@code presence.query}). A user the server has never seen is
     * {@link OnlineState#OFFLINE}.
     *
     * @param uids 1 to {@value #MAX_QUERY} users (duplicates count once)
     * @return every asked user's state; fails like any request ({@link org.openrtm.sdk.RtmTimeoutException},
     *         {@link org.openrtm.sdk.NotLoggedInException}, ...)
     * @throws IllegalArgumentException if the list is empty, longer than {@value #MAX_QUERY}, or holds an invalid uid
     */
    @NotNull CompletableFuture<Map<String, OnlineState>> query(@NotNull Collection<String> uids);

    /**
     * Starts watching users: each one's current state, then every change, goes to the {@link PresenceListener}s.
     * Watching a user already watched changes nothing. All or nothing: if the server refuses any of the users, none
     * of this call's new ones is watched.
     *
     * @param uids the users (at least one)
     * @return completes when the server confirmed the subscriptions; fails with
     *         {@link org.openrtm.sdk.LimitExceededException} ({@code PRESENCE_SUBSCRIPTIONS}) when the server's limit
     *         of watched users per connection (512 by default) would be exceeded,
     *         {@link org.openrtm.sdk.RtmTimeoutException} after the request timeout (then nothing changed, also if the
     *         server answers later), {@link org.openrtm.sdk.NotLoggedInException}
     * @throws IllegalArgumentException if the list is empty or holds an invalid uid
     */
    @NotNull CompletableFuture<Void> subscribe(@NotNull Collection<String> uids);

    /**
     * Stops watching users; no event about them comes any more, from the moment of the call. Users not watched are
     * ignored.
     *
     * @param uids the users
     * @return completes when the server confirmed; fails with {@link org.openrtm.sdk.RtmTimeoutException} if the
     *         server did not confirm in time (the unsubscription still happens as soon as the client is connected),
     *         {@link org.openrtm.sdk.NotLoggedInException}
     * @throws IllegalArgumentException if a uid is invalid
     */
    @NotNull CompletableFuture<Void> unsubscribe(@NotNull Collection<String> uids);

    /**
     * The users this client watches now, or is about to (an unmodifiable snapshot). A {@link #subscribe(Collection)}
     * or {@link #unsubscribe(Collection)} shows here as soon as the client has taken it, a moment after the call.
     */
    @NotNull Set<String> subscriptions();

    /**
     * Adds a listener. Listeners added before {@link #subscribe(Collection)} see the initial states.
     *
     * @param listener the listener
     */
    void addListener(@NotNull PresenceListener listener);

    /**
     * Removes a listener; does nothing if it is not there.
     *
     * @param listener the listener
     */
    void removeListener(@NotNull PresenceListener listener);
}
