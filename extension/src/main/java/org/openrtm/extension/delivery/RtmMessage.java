package org.openrtm.extension.delivery;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A message the extension sends to clients, independent of HiveMQ's types.
 *
 * @param topic          the topic
 * @param payload        the payload (never modified; do not change the array)
 * @param qos            0, 1 or 2
 * @param retain         whether to retain
 * @param properties     user properties, in order
 * @param expirySeconds  Message Expiry Interval, or {@code null} for none
 * @param correlation    Correlation Data, or {@code null}
 * @param responseTopic  Response Topic, or {@code null}
 * @param contentType    Content Type, or {@code null}
 * @param utf8           Payload Format Indicator: UTF-8 text
 */
public record RtmMessage(
        @NotNull String topic,
        byte @NotNull [] payload,
        int qos,
        boolean retain,
        @NotNull List<Map.Entry<String, String>> properties,
        @Nullable Long expirySeconds,
        byte @Nullable [] correlation,
        @Nullable String responseTopic,
        @Nullable String contentType,
        boolean utf8) {

    public RtmMessage {
        properties = List.copyOf(properties);
    }

    /** A QoS 1 message with UTF-8 JSON payload and the given properties. */
    public static @NotNull RtmMessage json(
            final @NotNull String topic, final byte @NotNull [] json, final @NotNull List<Map.Entry<String, String>> props) {
        return new RtmMessage(topic, json, 1, false, props, null, null, null, "application/json", true);
    }

    /** The value of the first user property of that name, or {@code null}. */
    public @Nullable String property(final @NotNull String name) {
        for (final Map.Entry<String, String> e : properties) {
            if (e.getKey().equals(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** A copy with one more user property. */
    public @NotNull RtmMessage withProperty(final @NotNull String name, final @NotNull String value) {
        final List<Map.Entry<String, String>> p = new ArrayList<>(properties);
        p.add(Map.entry(name, value));
        return new RtmMessage(topic, payload, qos, retain, p, expirySeconds, correlation, responseTopic, contentType, utf8);
    }

    /** A copy with another Message Expiry Interval. */
    public @NotNull RtmMessage withExpiry(final @Nullable Long seconds) {
        return new RtmMessage(topic, payload, qos, retain, properties, seconds, correlation, responseTopic, contentType,
                utf8);
    }
}
