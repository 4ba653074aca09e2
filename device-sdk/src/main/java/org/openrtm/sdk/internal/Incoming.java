package org.openrtm.sdk.internal;

import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.Props;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every received application message carries, read from its MQTT message once for the peer, channel and
 * broadcast paths alike: the server's id and time, the payload with its format and content type, and the sender's own
 * user properties. Immutable but for the payload array, which is Paho's and is not copied here (the public message
 * types copy it). Built and read on the engine thread.
 */
final class Incoming {

    /** The server's id ({@code rtm-id}), or "" if the server did not say. */
    final String messageId;
    /** When the server received it ({@code rtm-ts}), ms since the epoch; 0 if unknown or unreadable. */
    final long serverTimeMillis;
    final byte[] payload;
    /** Whether the sender marked the payload as UTF-8 text (MQTT Payload Format Indicator 1). */
    final boolean text;
    final @Nullable String contentType;
    /** The sender's own user properties, in order: every one but the protocol's {@code rtm-*}. Unmodifiable. */
    final Map<String, String> properties;

    private Incoming(final String messageId, final long serverTimeMillis, final byte[] payload, final boolean text,
                     final @Nullable String contentType, final Map<String, String> properties) {
        this.messageId = messageId;
        this.serverTimeMillis = serverTimeMillis;
        this.payload = payload;
        this.text = text;
        this.contentType = contentType;
        this.properties = properties;
    }

    /**
     * Reads a message.
     *
     * @param m  the MQTT message
     * @param up its user properties, as {@link ClientCore#userProperties} read them
     */
    static Incoming of(final MqttMessage m, final Map<String, String> up) {
        final MqttProperties props = m.getProperties();
        final String rtmId = up.get(Props.ID);
        return new Incoming(rtmId != null ? rtmId : "", ClientCore.parseLong(up.get(Props.TS)), m.getPayload(),
                props != null && props.getPayloadFormat(), props == null ? null : props.getContentType(),
                ownProperties(up));
    }

    /** The user properties that are not the protocol's ({@code rtm-*}), in their order. Unmodifiable. */
    static Map<String, String> ownProperties(final Map<String, String> up) {
        final Map<String, String> own = new LinkedHashMap<>();
        up.forEach((k, v) -> {
            if (!Props.isProtocols(k)) {
                own.put(k, v);
            }
        });
        return Collections.unmodifiableMap(own);
    }
}
