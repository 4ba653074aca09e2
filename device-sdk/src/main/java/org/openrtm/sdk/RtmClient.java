package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;
import org.openrtm.sdk.attribute.Attributes;
import org.openrtm.sdk.broadcast.Broadcasts;
import org.openrtm.sdk.call.Calls;
import org.openrtm.sdk.channel.Channels;
import org.openrtm.sdk.history.History;
import org.openrtm.sdk.presence.Presence;

import java.util.concurrent.CompletableFuture;

/**
 * An OpenRTM client: one user (uid) connected to an OpenRTM server over MQTT 5. Build one with {@link #builder()}:
 *
 * <pre>{@code
 * RtmClient client = RtmClient.builder()
 *         .serverUri("tcp://127.0.0.1:1883")
 *         .uid("alice")
 *         .token(token)
 *         .build();
 * client.peer().addListener(new PeerListener() {
 *     public void onMessage(PeerMessage m) { ... }
 * });
 * client.login().join();
 * SendResult r = client.peer().send("bob", "hello").join();
 * }</pre>
 *
 * <p>Features are grouped in objects: {@link #peer()}, {@link #channels()}, {@link #presence()},
 * {@link #broadcasts()}, {@link #attributes()}, {@link #history()} and {@link #calls()}. The client's configuration is
 * immutable; its connection state changes over time and is reported to {@link ConnectionListener}s.
 *
 * <p><b>Threads.</b> Every method is thread-safe and returns at once. Futures complete, and listeners are called, on
 * the callback executor (one the SDK owns, or the one given to the builder), one at a time and in order; never on a
 * network thread. See the SDK's README, "Threading".
 */
public interface RtmClient extends AutoCloseable {

    /** A builder for a client. */
    static @NotNull RtmClientBuilder builder() {
        return new RtmClientBuilder();
    }

    /** This client's uid. */
    @NotNull String uid();

    /** The current connection state. */
    @NotNull ConnectionState state();

    /**
     * Logs in: connects (with a persistent MQTT session), subscribes to this user's inbox, event and call topics, and
     * keeps the connection up, reconnecting by itself, until {@link #logout()}. Messages cached while the user was
     * offline arrive right after.
     *
     * <p>Calling it while a login is under way returns that login's future; while connected, a completed future.
     *
     * @return completes when connected; fails with {@link LoginException}
     */
    @NotNull CompletableFuture<Void> login();

    /**
     * Logs out: fails every pending operation with {@link NotLoggedInException}, ends the MQTT session (so the server
     * keeps new messages in the offline cache) and disconnects. The user leaves every channel, and the client stops
     * watching presence and listening to broadcasts: after a new {@link #login()} it starts with none. Does nothing if
     * not logged in.
     *
     * @return completes when disconnected; never fails
     */
    @NotNull CompletableFuture<Void> logout();

    /**
     * Replaces the token; the next connect or reconnect uses it. Nothing is dropped: the connection stays as it is.
     * If the client is reconnecting because the server refused the old token, it retries at once.
     *
     * @param token the new token
     * @throws IllegalArgumentException if the token is empty
     */
    void renewToken(@NotNull String token);

    /** Peer (1:1) messages. */
    @NotNull PeerMessaging peer();

    /** Channels: join, leave, send, members, counts. */
    @NotNull Channels channels();

    /** Presence: query the online state of users, or watch it. */
    @NotNull Presence presence();

    /** Broadcasts: listen to them (every user), send them (services). */
    @NotNull Broadcasts broadcasts();

    /** Attributes of users and channels: read, write (with compare-and-set), delete, watch. */
    @NotNull Attributes attributes();

    /** Message history: query peer conversations and channels, page by page. */
    @NotNull History history();

    /** Call invitations: invite users, answer invitations. */
    @NotNull Calls calls();

    /**
     * Asks the server about itself and this client ({@code server.info}).
     *
     * @return the answer; fails like any request (see {@link #request(String, String)})
     */
    @NotNull CompletableFuture<ServerInfo> serverInfo();

    /**
     * Sends a request to the server ({@code rtm/rpc/{method}}) and returns the result as JSON text. This is the
     * general form behind methods like {@link #serverInfo()}, for server methods the SDK does not wrap yet.
     * Requests go through the outbox like messages; one whose connection dropped is sent again after the
     * reconnect, so use it for methods that may safely run twice.
     *
     * @param method      the method, e.g. {@code server.info}
     * @param jsonRequest the request body, a JSON object
     * @return the {@code result} of a successful reply, as JSON text; fails with the {@link RtmException} for the
     *         reply's error code ({@link InvalidRequestException} for {@code invalid} and {@code unknown_method}, ...),
     *         {@link RtmTimeoutException} after the request timeout
     * @throws IllegalArgumentException if the method is not a valid topic level
     */
    @NotNull CompletableFuture<String> request(@NotNull String method, @NotNull String jsonRequest);

    /**
     * Adds a connection listener.
     *
     * @param listener the listener
     */
    void addConnectionListener(@NotNull ConnectionListener listener);

    /**
     * Removes a connection listener; does nothing if it is not there.
     *
     * @param listener the listener
     */
    void removeConnectionListener(@NotNull ConnectionListener listener);

    /**
     * Logs out (like {@link #logout()}) and releases the client's threads. The client cannot be used afterwards:
     * every method that starts an operation fails with {@link NotLoggedInException}.
     *
     * <p>Blocks until the logout is sent to the server, at most 5 seconds (an unreachable server), so that a program
     * may end right after it: the user is then {@code offline} at once and has left its channels, instead of being
     * {@code unreachable} for the server's grace period. Safe to call on any thread, a callback included, and more
     * than once.
     */
    @Override
    void close();
}
