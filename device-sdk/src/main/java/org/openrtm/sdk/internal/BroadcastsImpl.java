package org.openrtm.sdk.internal;

import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.jetbrains.annotations.NotNull;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.sdk.RtmException;
import org.openrtm.sdk.broadcast.BroadcastListener;
import org.openrtm.sdk.broadcast.BroadcastMessage;
import org.openrtm.sdk.broadcast.BroadcastResult;
import org.openrtm.sdk.broadcast.Broadcasts;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** {@link Broadcasts}: argument checks on the caller's thread, everything else on the engine. */
final class BroadcastsImpl implements Broadcasts {


    private final ClientCore core;
    final CopyOnWriteArrayList<BroadcastListener> listeners = new CopyOnWriteArrayList<>();
    /** Written on the engine only; read anywhere. */
    private volatile boolean listening;

    BroadcastsImpl(final ClientCore core) {
        this.core = core;
    }

    private static List<Subscriptions.Sub> subs() {
        return List.of(new Subscriptions.Sub(RtmTopics.BROADCAST_FILTER, true));
    }

    @Override
    public @NotNull CompletableFuture<Void> listen() {
        final CompletableFuture<Void> f = new CompletableFuture<>();
        core.onEngine(() -> {
            final boolean was = listening;
            if (!core.submitSubscription(subs(), f, () -> listening = was)) {
                return;
            }
            listening = true;
        });
        return f;
    }

    @Override
    public @NotNull CompletableFuture<Void> stopListening() {
        final CompletableFuture<Void> f = new CompletableFuture<>();
        core.onEngine(() -> {
            listening = false;
            core.submitUnsubscription(subs(), f);
        });
        return f;
    }

    @Override
    public boolean isListening() {
        return listening;
    }

    @Override
    public @NotNull CompletableFuture<BroadcastResult> send(final @NotNull String text) {
        Objects.requireNonNull(text, "text");
        return send(text.getBytes(StandardCharsets.UTF_8), true);
    }

    @Override
    public @NotNull CompletableFuture<BroadcastResult> send(final byte @NotNull [] payload) {
        Objects.requireNonNull(payload, "payload");
        return send(payload.clone(), false);
    }

    private CompletableFuture<BroadcastResult> send(final byte[] payload, final boolean text) {
        return DefaultRtmClient.view(core.sendGroup(Pending.Kind.BROADCAST, RtmTopics.broadcast(core.config.uid), payload,
                text, Map.of(), null, null, 1), r -> {
                    final GroupAck a = (GroupAck) r;
                    return new BroadcastResult(a.rtmId, a.clientMessageId, a.recipients);
                });
    }

    @Override
    public void addListener(final @NotNull BroadcastListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeListener(final @NotNull BroadcastListener listener) {
        listeners.remove(listener);
    }

    // -------------------------------------------------------------------------------------------- engine side

    /** A broadcast; acknowledged after the listeners ran. Engine thread. */
    void onMessage(final Link l, final MqttMessage m, final String from, final Map<String, String> up) {
        if (!listening) {
            core.acknowledge(l, m);
            return;
        }
        final Incoming in = Incoming.of(m, up);
        final BroadcastMessage message = new BroadcastMessage(from, in.messageId, in.serverTimeMillis, in.payload, in.text,
                in.contentType, in.properties);
        core.deliverThenAck("broadcast listener", l, m, listeners, listener -> listener.onBroadcast(message));
    }

    /** The server refused to restore the subscription after a fresh-session reconnect. Engine thread. */
    void lost(final String filter, final RtmException why) {
        if (RtmTopics.BROADCAST_FILTER.equals(filter)) {
            listening = false;
        }
    }

    /** The session ended. Engine thread. */
    void clear() {
        listening = false;
    }
}
