package org.openrtm.extension.routing;

import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.general.ModifiableUserProperties;
import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.packets.general.UserProperty;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.ModifiablePublishPacket;
import com.hivemq.extension.sdk.api.packets.publish.PayloadFormatIndicator;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.access.AccessPolicy;
import org.openrtm.extension.flood.FloodGuard;
import org.openrtm.extension.flood.RefusalWindow;
import org.openrtm.extension.metrics.RtmMetrics;
import org.openrtm.extension.session.Connection;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.ParsedTopic;
import org.openrtm.protocol.RtmStatus;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.protocol.TopicFamily;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Judges every PUBLISH of one connection: the rate limit, the topic, the size, and then the service of the topic's
 * family, which decides the outcome asynchronously. A connection that keeps sending over its rate limit is handed to
 * the {@link FloodGuard}, which disconnects it. The publish is either delivered by the service (and prevented
 * here), relayed by the broker with the service's stamps, or refused with the protocol's reason code; the PUBACK's
 * {@code rtm-*} properties are left for the {@link AckStamper}.
 *
 * <p>One instance per connection, called on HiveMQ's extension task queue for the client, one publish at a time
 * (HiveMQ waits for an async decision before it calls again for the same client). Never throws: an exception
 * escaping here would silently drop the message.
 */
public final class PublishRouter implements PublishInboundInterceptor {

    private static final Logger log = LoggerFactory.getLogger(PublishRouter.class);

    /** What the router needs to know besides the connection; shared by all connections. */
    public record Rules(
            @NotNull Map<TopicFamily, PublishHandler> handlers,
            @NotNull AccessPolicy policy,
            int maxPayloadBytes,
            int ratePerSecond,
            int rateBurst,
            @NotNull Duration timeout,
            @NotNull RtmMetrics metrics,
            @NotNull FloodGuard flood) {
    }

    private final Connection connection;
    private final Rules rules;
    private final RefusalWindow refusals;

    public PublishRouter(final @NotNull Connection connection, final @NotNull Rules rules) {
        this.connection = connection;
        this.rules = rules;
        this.refusals = rules.flood().window();
    }

    @Override
    public void onInboundPublish(final @NotNull PublishInboundInput input, final @NotNull PublishInboundOutput output) {
        final long started = System.nanoTime();
        final PublishPacket packet = input.getPublishPacket();
        try {
            route(started, packet, output);
        } catch (final RuntimeException e) {
            log.error("Publish from {} to {} failed: {}", connection.uid(), packet.getTopic(), e.toString());
            log.debug("Publish failure", e);
            failClosed(output);
        }
    }

    private void route(final long started, final PublishPacket packet, final PublishInboundOutput output) {
        // first and before anything is parsed or copied: an over-rate publish costs a bucket check and its answer
        if (!connection.bucket().tryTake()) {
            finish(started, output, packet, null, SendResult.refused(RtmStatus.RATE_LIMITED, "rate limit is "
                    + rules.ratePerSecond()
                    + " publishes per second with bursts of " + rules.rateBurst()
                    + " (limits.rate-per-second, limits.rate-burst); retry in " + connection.bucket().secondsUntilNext()
                    + " s"));
            if (refusals.refused(rules.flood().now())) {
                rules.flood().flooded(connection);
            }
            return;
        }
        final String topic = packet.getTopic();
        final ParsedTopic parsed = RtmTopics.parse(topic);
        switch (parsed.kind()) {
            case NOT_RTM:
                if (!rules.policy().allowsNonRtm()) {
                    finish(started, output, packet, parsed, SendResult.refused(RtmStatus.FORBIDDEN,
                            "topics outside rtm/ are closed on this server (access.non-rtm-topics=deny)"));
                }
                return;
            case UNKNOWN:
                finish(started, output, packet, parsed, SendResult.refused(RtmStatus.FORBIDDEN, parsed.error()));
                return;
            case INVALID:
                finish(started, output, packet, parsed, SendResult.refused(RtmStatus.INVALID_TOPIC, parsed.error()));
                return;
            default:
                break;
        }
        final TopicFamily family = parsed.family();
        if (family.isExtensionOnly()) {
            finish(started, output, packet, parsed, SendResult.refused(RtmStatus.FORBIDDEN,
                    AccessPolicy.describe(family) + " topic " + Ids.show(topic) + " is written only by the server"));
            return;
        }
        final PublishHandler handler = rules.handlers().get(family);
        if (handler == null) {
            finish(started, output, packet, parsed, SendResult.refused(RtmStatus.FORBIDDEN,
                    AccessPolicy.describe(family) + " is not available on this server"));
            return;
        }
        final ByteBuffer payloadBuffer = packet.getPayload().orElse(ByteBuffer.allocate(0));
        final int size = payloadBuffer.remaining();
        if (size > rules.maxPayloadBytes()) {
            finish(started, output, packet, parsed, SendResult.refused(RtmStatus.TOO_LARGE, "payload is " + size
                    + " bytes; the limit is " + rules.maxPayloadBytes() + " bytes (limits.max-payload-bytes)"));
            return;
        }
        final byte[] payload = new byte[size];
        payloadBuffer.duplicate().get(payload);
        final List<Map.Entry<String, String>> props = new ArrayList<>();
        for (final UserProperty up : packet.getUserProperties().asList()) {
            props.add(Map.entry(up.getName(), up.getValue()));
        }
        final byte[] correlation = packet.getCorrelationData().map(b -> {
            final byte[] c = new byte[b.remaining()];
            b.duplicate().get(c);
            return c;
        }).orElse(null);
        final InboundPublish p = new InboundPublish(topic, parsed, payload, packet.getQos().getQosNumber(),
                packet.getRetain(), props, packet.getMessageExpiryInterval().orElse(null), correlation,
                packet.getResponseTopic().orElse(null), packet.getContentType().orElse(null),
                packet.getPayloadFormatIndicator().map(f -> f == PayloadFormatIndicator.UTF_8).orElse(false));
        final Async<PublishInboundOutput> async = output.async(rules.timeout(), TimeoutFallback.FAILURE,
                AckReasonCode.UNSPECIFIED_ERROR, "the server did not decide within " + rules.timeout().toMillis() + " ms");
        handler.handle(connection, p).whenComplete((result, error) -> {
            try {
                if (error != null) {
                    log.error("Handling a publish from {} to {} failed: {}", connection.uid(), topic, error.toString());
                    log.debug("Publish handler failure", error);
                    finish(started, output, packet, parsed, SendResult.refused(RtmStatus.INTERNAL,
                            "the server failed to handle the publish"));
                } else {
                    finish(started, output, packet, parsed, result);
                }
            } catch (final RuntimeException e) {
                log.warn("Publish outcome for {} could not be applied: {}", connection.uid(), e.toString());
                log.debug("Outcome failure", e);
                failClosed(output);
            } finally {
                async.resume();
            }
        });
    }

    private void finish(final long started, final PublishInboundOutput output, final PublishPacket packet,
                        final @Nullable ParsedTopic parsed,
                        final SendResult result) {
        rules.metrics().decided(parsed != null && parsed.isValid() ? parsed.family() : null, result.status(),
                RtmMetrics.transport(connection), started);
        if (packet.getQos() != Qos.AT_MOST_ONCE && connection.isMqtt5()) {
            connection.stampAck(packet.getPacketId(), new Connection.AckStamp(result.status().code(), result.rtmId(),
                    result.reason(), result.extra()));
        }
        if (result.relay() != null && result.status().isSuccess()) {
            final ModifiablePublishPacket m = output.getPublishPacket();
            final ModifiableUserProperties up = m.getUserProperties();
            up.clear();
            for (final Map.Entry<String, String> e : result.relay()) {
                up.addUserProperty(e.getKey(), e.getValue());
            }
            m.setRetain(result.relayRetain());
            return;
        }
        AckReasonCode code = reasonCode(result.status());
        if (!connection.isMqtt5() && code == AckReasonCode.NO_MATCHING_SUBSCRIBERS) {
            code = AckReasonCode.SUCCESS; // MQTT 3.1.1 would be disconnected for any code but success
        }
        if (!result.status().isSuccess()) {
            rules.flood().refusals().publish(connection.uid(), packet.getTopic(), result.status().code(), result.reason());
        }
        // HiveMQ refuses a reason string with SUCCESS; the stamper puts success reasons on the PUBACK instead
        output.preventPublishDelivery(code, connection.isMqtt5() && code != AckReasonCode.SUCCESS ? result.reason() : null);
    }

    /** Never let a publish through by accident: if applying the outcome failed, stop delivery. */
    private static void failClosed(final PublishInboundOutput output) {
        try {
            output.preventPublishDelivery(AckReasonCode.UNSPECIFIED_ERROR, "the server failed to handle the publish");
        } catch (final RuntimeException alreadyDecided) {
            log.debug("Publish was already decided: {}", alreadyDecided.toString());
        }
    }

    static @NotNull AckReasonCode reasonCode(final @NotNull RtmStatus status) {
        switch (status.reasonCode()) {
            case 0x00:
                return AckReasonCode.SUCCESS;
            case 0x10:
                return AckReasonCode.NO_MATCHING_SUBSCRIBERS;
            case 0x83:
                return AckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR;
            case 0x87:
                return AckReasonCode.NOT_AUTHORIZED;
            case 0x90:
                return AckReasonCode.TOPIC_NAME_INVALID;
            case 0x97:
                return AckReasonCode.QUOTA_EXCEEDED;
            case 0x99:
                return AckReasonCode.PAYLOAD_FORMAT_INVALID;
            default:
                return AckReasonCode.UNSPECIFIED_ERROR;
        }
    }
}
