package org.openrtm.extension.routing;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.ParsedTopic;

import java.util.List;
import java.util.Map;

/**
 * A client's publish under {@code rtm/}, copied out of HiveMQ's packet so that the services that judge it do not
 * depend on HiveMQ types.
 *
 * @param topic         the topic name
 * @param parsed        what the topic means
 * @param payload       the payload
 * @param qos           0, 1 or 2
 * @param retain        the retain flag
 * @param properties    the user properties, in order
 * @param expirySeconds the Message Expiry Interval, or {@code null}
 * @param correlation   the Correlation Data, or {@code null}
 * @param responseTopic the Response Topic, or {@code null}
 * @param contentType   the Content Type, or {@code null}
 * @param utf8          whether the Payload Format Indicator says UTF-8
 */
public record InboundPublish(
        @NotNull String topic,
        @NotNull ParsedTopic parsed,
        byte @NotNull [] payload,
        int qos,
        boolean retain,
        @NotNull List<Map.Entry<String, String>> properties,
        @Nullable Long expirySeconds,
        byte @Nullable [] correlation,
        @Nullable String responseTopic,
        @Nullable String contentType,
        boolean utf8) {

    /** The value of the first user property of that name, or {@code null}. */
    public @Nullable String property(final @NotNull String name) {
        for (final Map.Entry<String, String> e : properties) {
            if (e.getKey().equals(name)) {
                return e.getValue();
            }
        }
        return null;
    }
}
