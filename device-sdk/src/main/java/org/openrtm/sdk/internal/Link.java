package org.openrtm.sdk.internal;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.openrtm.protocol.Props;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One MQTT connection attempt and, if it succeeds, the connection: its own Paho client, thrown away when the
 * connection ends. A fresh Paho client per connection means Paho never replays anything by itself; the engine
 * decides every retry (with the same {@code rtm-cid}). Paho's callbacks only hand events to the engine thread.
 *
 * <p>Fields other than the Paho client are touched only on the engine thread.
 */
final class Link implements MqttCallback {

    private static final Logger LOG = Logger.getLogger(Link.class.getName());
    /** How long a logout's socket waits for the server to close its side after the DISCONNECT (see the factory). */
    private static final long LINGER_MILLIS = 1500;

    final long number;
    final MqttAsyncClient paho;
    final ConnackSniffer sniffer = new ConnackSniffer();
    final SubackPatch subackPatch = new SubackPatch();
    private volatile NoDelaySocketFactory sockets;
    /** Messages sent on this connection and not yet acknowledged, in send order. */
    final Set<Pending> inFlight = new LinkedHashSet<>();
    /** The server's Receive Maximum: most unacknowledged QoS 1 publishes at once. */
    int window = 10;
    /** CONNACK received. */
    boolean connected;
    /** The server resumed the session (CONNACK session present). */
    boolean sessionPresent;
    /** SUBACK received: the outbox may be sent. */
    boolean ready;
    /** The features' subscriptions made again with the login's SUBSCRIBE (a fresh session), else empty. */
    List<Subscriptions.Sub> resubscribed = List.of();
    /** The engine has dealt with the end of this connection. */
    boolean ended;
    private final ClientCore core;

    Link(final ClientCore core, final long number) throws MqttException {
        this.core = core;
        this.number = number;
        this.paho = new MqttAsyncClient(core.config.serverUri, core.config.uid, new MemoryPersistence(),
                new EnginePingSender(core.engine, core.io), null);
        paho.setCallback(this);
        paho.setManualAcks(true);
    }

    /** Starts connecting; the outcome comes as {@code onConnected} or {@code onConnectFailed} on the engine. */
    void connect(final String token) throws MqttException {
        final ClientConfig c = core.config;
        final MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(c.sessionExpiry.getSeconds());
        o.setPassword(token.getBytes(StandardCharsets.UTF_8));
        o.setKeepAliveInterval((int) c.keepAlive.getSeconds());
        o.setConnectionTimeout((int) c.connectTimeout.getSeconds());
        o.setAutomaticReconnect(false);
        o.setReceiveMaximum(c.receiveMaximum);
        o.setUseSubscriptionIdentifiers(false);
        sockets = new NoDelaySocketFactory(sniffer, subackPatch);
        o.setSocketFactory(sockets);
        paho.connect(o, null, new MqttActionListener() {
            @Override
            public void onSuccess(final IMqttToken token) {
                final MqttProperties props = token.getResponseProperties();
                final Integer max = props == null ? null : props.getReceiveMaximum();
                final Map<String, String> up = ClientCore.userProperties(props);
                final long rate = ClientCore.parseLong(up.get(Props.RATE));
                final long burst = ClientCore.parseLong(up.get(Props.RATE_BURST));
                final boolean present = token.getSessionPresent();
                final NoDelaySocketFactory s = sockets;
                if (s != null) {
                    s.connectionAccepted();
                }
                core.onEngine(() -> core.onConnected(Link.this, present, max == null ? 65535 : max, rate, burst));
            }

            @Override
            public void onFailure(final IMqttToken token, final Throwable exception) {
                core.onEngine(() -> core.onConnectFailed(Link.this, exception));
            }
        });
    }

    /** What the engine does with a SUBACK or UNSUBACK: the reason codes in filter order, and the reason string. */
    interface Answer {
        void answered(int[] codes, String reason);
    }

    /**
     * Subscribes at QoS 1; the SUBACK comes to {@code answer} on the engine. If the SUBSCRIBE fails on the client
     * side (the connection went down), the connection is treated as broken.
     */
    void subscribe(final List<Subscriptions.Sub> filters, final Answer answer) throws MqttException {
        final MqttSubscription[] subs = new MqttSubscription[filters.size()];
        for (int i = 0; i < subs.length; i++) {
            subs[i] = new MqttSubscription(filters.get(i).filter, 1);
            subs[i].setNoLocal(filters.get(i).noLocal);
        }
        paho.subscribe(subs, null, listener(answer, true), new MqttProperties());
    }

    /** Unsubscribes; the UNSUBACK comes to {@code answer} on the engine. */
    void unsubscribe(final String[] filters, final Answer answer) throws MqttException {
        paho.unsubscribe(filters, null, listener(answer, false), new MqttProperties());
    }

    private MqttActionListener listener(final Answer answer, final boolean subscribe) {
        return new MqttActionListener() {
            @Override
            public void onSuccess(final IMqttToken token) {
                final int[] original = subscribe ? subackPatch.originalCodes(token.getMessageId()) : null;
                final int[] codes = original != null ? original
                        : token.getReasonCodes() == null ? new int[0] : token.getReasonCodes();
                final String reason = token.getResponseProperties() == null ? null
                        : token.getResponseProperties().getReasonString();
                core.onEngine(() -> answer.answered(codes, reason));
            }

            @Override
            public void onFailure(final IMqttToken token, final Throwable exception) {
                core.onEngine(() -> core.onLinkBroken(Link.this, (subscribe ? "subscribe" : "unsubscribe")
                        + " failed: " + exception));
            }
        };
    }

    /** Publishes at QoS 1; the PUBACK comes as {@code onPubAck}. */
    void publish(final Pending p, final MqttMessage message) throws MqttException {
        paho.publish(p.topic, message, null, new MqttActionListener() {
            @Override
            public void onSuccess(final IMqttToken token) {
                final int[] codes = token.getReasonCodes();
                final int code = codes == null || codes.length == 0 ? 0 : codes[0];
                final MqttProperties props = token.getResponseProperties();
                core.onEngine(() -> core.onPubAck(Link.this, p, code, props));
            }

            @Override
            public void onFailure(final IMqttToken token, final Throwable exception) {
                core.onEngine(() -> core.onPublishFailed(Link.this, p, exception));
            }
        });
    }

    /** Acknowledges a received message (after its listener ran). */
    void acknowledge(final MqttMessage message) {
        if (message.getQos() == 0) {
            return;
        }
        try {
            paho.messageArrivedComplete(message.getId(), message.getQos());
        } catch (final MqttException | RuntimeException e) {
            LOG.log(Level.FINE, "acknowledgement of message {0} not sent: {1}", new Object[] {message.getId(), e});
        }
    }

    /** Closes the connection without a DISCONNECT and releases Paho's threads. May block: run on the I/O executor. */
    void close() {
        try {
            if (paho.isConnected()) {
                paho.disconnectForcibly(0, 1000, false);
            }
        } catch (final MqttException | RuntimeException e) {
            LOG.log(Level.FINE, "forcible disconnect of connection {0}: {1}", new Object[] {number, e});
        }
        try {
            paho.close(true);
        } catch (final MqttException | RuntimeException e) {
            LOG.log(Level.FINE, "close of connection {0}: {1}", new Object[] {number, e});
        }
    }

    /**
     * Disconnects cleanly, ending the MQTT session (Session Expiry Interval 0), then closes. May block: run on the
     * I/O executor.
     */
    void logout() {
        try {
            if (paho.isConnected()) {
                final NoDelaySocketFactory s = sockets;
                if (s != null) {
                    s.lingerOnClose(LINGER_MILLIS);
                }
                final MqttProperties props = new MqttProperties();
                props.setSessionExpiryInterval(0L);
                paho.disconnect(0, null, null, 0, props).waitForCompletion(2000);
                // Paho completes the token before it closes the socket: wait for the graceful close too
                if (s != null && !s.awaitClosed(LINGER_MILLIS + 500)) {
                    LOG.log(Level.FINE, "connection {0}: the socket did not close in time after the DISCONNECT", number);
                }
            }
        } catch (final MqttException | RuntimeException e) {
            LOG.log(Level.FINE, "disconnect of connection {0}: {1}", new Object[] {number, e});
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    // -------------------------------------------------------------------- Paho's callbacks (Paho's threads)

    @Override
    public void disconnected(final MqttDisconnectResponse response) {
        final int code = response.getException() == null ? response.getReturnCode() : -1;
        final String detail = response.getException() != null ? describe(response.getException())
                : response.getReasonString();
        core.onEngine(() -> core.onConnectionLost(this, code, detail));
    }

    @Override
    public void mqttErrorOccurred(final MqttException exception) {
        LOG.log(Level.FINE, "MQTT error on connection {0}: {1}", new Object[] {number, exception});
    }

    @Override
    public void messageArrived(final String topic, final MqttMessage message) {
        core.onEngine(() -> core.onMessage(this, topic, message));
    }

    @Override
    public void deliveryComplete(final IMqttToken token) {
        // results come through each publish's own listener
    }

    @Override
    public void connectComplete(final boolean reconnect, final String serverURI) {
        // the connect listener reports this
    }

    @Override
    public void authPacketArrived(final int reasonCode, final MqttProperties properties) {
        // no enhanced authentication
    }

    static String describe(final Throwable t) {
        final Throwable cause = t.getCause() != null ? t.getCause() : t;
        final String m = cause.getMessage();
        return cause.getClass().getSimpleName() + (m != null ? ": " + m : "");
    }

    @Override
    public String toString() {
        return "connection " + number;
    }
}
