package org.openrtm.sdk.internal;

import org.jetbrains.annotations.NotNull;
import org.openrtm.sdk.ConnectionListener;
import org.openrtm.sdk.ConnectionState;
import org.openrtm.sdk.PeerListener;
import org.openrtm.sdk.PeerMessaging;
import org.openrtm.sdk.RtmClient;
import org.openrtm.sdk.SendOptions;
import org.openrtm.sdk.SendResult;
import org.openrtm.sdk.ServerInfo;
import org.openrtm.sdk.attribute.AttributeListener;
import org.openrtm.sdk.attribute.Attributes;
import org.openrtm.sdk.broadcast.BroadcastListener;
import org.openrtm.sdk.broadcast.Broadcasts;
import org.openrtm.sdk.call.CallListener;
import org.openrtm.sdk.call.Calls;
import org.openrtm.sdk.channel.ChannelListener;
import org.openrtm.sdk.channel.Channels;
import org.openrtm.sdk.history.History;
import org.openrtm.sdk.presence.Presence;
import org.openrtm.sdk.presence.PresenceListener;
import org.openrtm.protocol.Rpc;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The {@link RtmClient} implementation: argument checks, then everything goes to the {@link ClientCore}.
 * Thread-safe.
 */
public final class DefaultRtmClient implements RtmClient, PeerMessaging {

    private final ClientCore core;

    /**
     * @param config              the validated options
     * @param connectionListeners listeners added on the builder
     * @param peerListeners       listeners added on the builder
     * @param channelListeners    listeners added on the builder
     * @param presenceListeners   listeners added on the builder
     * @param broadcastListeners  listeners added on the builder
     * @param attributeListeners  listeners added on the builder
     * @param callListeners       listeners added on the builder
     */
    public DefaultRtmClient(final @NotNull ClientConfig config, final @NotNull List<ConnectionListener> connectionListeners,
                            final @NotNull List<PeerListener> peerListeners,
                            final @NotNull List<ChannelListener> channelListeners,
                            final @NotNull List<PresenceListener> presenceListeners,
                            final @NotNull List<BroadcastListener> broadcastListeners,
                            final @NotNull List<AttributeListener> attributeListeners,
                            final @NotNull List<CallListener> callListeners) {
        this.core = new ClientCore(config);
        core.connectionListeners.addAll(connectionListeners);
        core.peerListeners.addAll(peerListeners);
        core.channels.listeners.addAll(channelListeners);
        core.presence.listeners.addAll(presenceListeners);
        core.broadcasts.listeners.addAll(broadcastListeners);
        core.attributes.listeners.addAll(attributeListeners);
        core.calls.listeners.addAll(callListeners);
    }

    /** The engine, for tests in this package. */
    ClientCore core() {
        return core;
    }

    @Override
    public @NotNull String uid() {
        return core.config.uid;
    }

    @Override
    public @NotNull ConnectionState state() {
        return core.state();
    }

    @Override
    public @NotNull CompletableFuture<Void> login() {
        return core.login();
    }

    @Override
    public @NotNull CompletableFuture<Void> logout() {
        return core.logout();
    }

    @Override
    public void renewToken(final @NotNull String token) {
        Objects.requireNonNull(token, "token");
        if (token.isEmpty()) {
            throw new IllegalArgumentException("token must not be empty");
        }
        core.renewToken(token);
    }

    @Override
    public @NotNull PeerMessaging peer() {
        return this;
    }

    @Override
    public @NotNull Channels channels() {
        return core.channels;
    }

    @Override
    public @NotNull Presence presence() {
        return core.presence;
    }

    @Override
    public @NotNull Broadcasts broadcasts() {
        return core.broadcasts;
    }

    @Override
    public @NotNull Attributes attributes() {
        return core.attributes;
    }

    @Override
    public @NotNull History history() {
        return core.history;
    }

    @Override
    public @NotNull Calls calls() {
        return core.calls;
    }

    @Override
    public @NotNull CompletableFuture<ServerInfo> serverInfo() {
        return view(core.request(Rpc.SERVER_INFO, "{}"), r -> Json.serverInfo((String) r));
    }

    @Override
    public @NotNull CompletableFuture<String> request(final @NotNull String method, final @NotNull String jsonRequest) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(jsonRequest, "jsonRequest");
        if (!Json.isObject(jsonRequest)) {
            throw new IllegalArgumentException("jsonRequest must be a JSON object, but was '"
                    + (jsonRequest.length() > 80 ? jsonRequest.substring(0, 80) + "..." : jsonRequest) + "'");
        }
        return view(core.request(method, jsonRequest), r -> (String) r);
    }

    @Override
    public void addConnectionListener(final @NotNull ConnectionListener listener) {
        core.connectionListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeConnectionListener(final @NotNull ConnectionListener listener) {
        core.connectionListeners.remove(listener);
    }

    @Override
    public void close() {
        core.close();
    }

    // ------------------------------------------------------------------------------------------- PeerMessaging

    @Override
    public @NotNull CompletableFuture<SendResult> send(final @NotNull String to, final @NotNull String text) {
        return send(to, text, SendOptions.defaults());
    }

    @Override
    public @NotNull CompletableFuture<SendResult> send(final @NotNull String to, final @NotNull String text,
                                                       final @NotNull SendOptions options) {
        Objects.requireNonNull(text, "text");
        return send(to, text.getBytes(StandardCharsets.UTF_8), true, options);
    }

    @Override
    public @NotNull CompletableFuture<SendResult> send(final @NotNull String to, final byte @NotNull [] payload) {
        return send(to, payload, SendOptions.defaults());
    }

    @Override
    public @NotNull CompletableFuture<SendResult> send(final @NotNull String to, final byte @NotNull [] payload,
                                                       final @NotNull SendOptions options) {
        Objects.requireNonNull(payload, "payload");
        return send(to, payload.clone(), false, options);
    }

    private CompletableFuture<SendResult> send(final String to, final byte[] payload, final boolean text,
                                               final SendOptions options) {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(options, "options");
        return view(core.sendPeer(to, payload, text, options), r -> (SendResult) r);
    }

    /**
     * The future handed to the application: completes on the same thread as the internal one (the callback
     * executor), with its exception unwrapped, and cancelling it cancels the operation.
     */
    static <T> CompletableFuture<T> view(final CompletableFuture<Object> source, final Function<Object, T> map) {
        final CompletableFuture<T> out = new CompletableFuture<>();
        source.whenComplete((r, e) -> {
            if (e != null) {
                out.completeExceptionally(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
                return;
            }
            try {
                out.complete(map.apply(r));
            } catch (final RuntimeException ex) {
                out.completeExceptionally(ex);
            }
        });
        out.whenComplete((r, e) -> {
            if (out.isCancelled()) {
                source.cancel(false);
            }
        });
        return out;
    }

    @Override
    public void addListener(final @NotNull PeerListener listener) {
        core.peerListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeListener(final @NotNull PeerListener listener) {
        core.peerListeners.remove(listener);
    }
}
