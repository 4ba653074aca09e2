package org.openrtm.sdk.internal;

import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.jetbrains.annotations.NotNull;
import org.openrtm.protocol.Props;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.sdk.RtmException;
import org.openrtm.sdk.broadcast.BroadcastListener;
import org.openrtm.sdk.broadcast.BroadcastMessage;
import org.openrtm.sdk.broadcast.BroadcastResult;
import org.openrtm.sdk.broadcast.Broadcasts;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@link Broadcasts}: argument checks on the caller's thread, everything else on the engine. */
final class BroadcastsImpl implements Broadcasts {

    private static final Logger LOG = Logger.getLogger(BroadcastsImpl.class.getName());

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
            if (!core.submitSubscription(true, subs(), error -> {
                if (error == null) {
                    core.complete(f, null);
                } else {
                    listening = was;
                    core.fail(f, error);
                }
            })) {
                core.fail(f, core.notLoggedIn());
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
            if (!core.submitSubscription(false, subs(), error -> {
                if (error == null) {
                    core.complete(f, null);
                } else {
                    core.fail(f, error);
                }
            })) {
                core.fail(f, core.notLoggedIn());
            }
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
        final MqttProperties props = m.getProperties();
        final Map<String, String> own = new LinkedHashMap<>();
        up.forEach((k, v) -> {
            if (!k.startsWith("rtm-")) {
                own.put(k, v);
            }
        });
        final String rtmId = up.get(Props.ID);
        final BroadcastMessage message = new BroadcastMessage(from, rtmId != null ? rtmId : "",
                ClientCore.parseLong(up.get(Props.TS)), m.getPayload(), props != null && props.getPayloadFormat(),
                props == null ? null : props.getContentType(), own);
        core.callbackThenAck("broadcast listener", l, m, () -> {
            for (final BroadcastListener listener : listeners) {
                try {
                    listener.onBroadcast(message);
                } catch (final RuntimeException e) {
                    LOG.log(Level.WARNING, "broadcast listener threw " + e, e);
                }
            }
        });
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
