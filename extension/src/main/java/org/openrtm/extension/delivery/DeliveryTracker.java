package org.openrtm.extension.delivery;

import com.hivemq.extension.sdk.api.interceptor.puback.PubackInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.puback.parameter.PubackInboundInput;
import com.hivemq.extension.sdk.api.interceptor.puback.parameter.PubackInboundOutput;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishOutboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishOutboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishOutboundOutput;
import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;
import org.jetbrains.annotations.NotNull;
import org.openrtm.extension.session.Connection;
import org.openrtm.protocol.Props;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns which of a client's QoS 1 deliveries is which message (outbound PUBLISH: packet id → rtm-id) and reports the
 * client's PUBACKs to the mailboxes. One instance per connection; HiveMQ calls it on the client's extension task queue.
 */
public final class DeliveryTracker implements PublishOutboundInterceptor, PubackInboundInterceptor {

    private static final Logger log = LoggerFactory.getLogger(DeliveryTracker.class);

    private final Connection connection;
    private final Mailboxes mailboxes;
    private final String ownPrefix;

    public DeliveryTracker(final @NotNull Connection connection, final @NotNull Mailboxes mailboxes) {
        this.connection = connection;
        this.mailboxes = mailboxes;
        this.ownPrefix = "rtm/user/" + connection.uid() + "/";
    }

    @Override
    public void onOutboundPublish(final @NotNull PublishOutboundInput input, final @NotNull PublishOutboundOutput output) {
        try {
            final PublishPacket p = input.getPublishPacket();
            if (p.getQos() == Qos.AT_MOST_ONCE || !p.getTopic().startsWith(ownPrefix)) {
                return;
            }
            p.getUserProperties().getFirst(Props.ID).ifPresent(id -> connection.trackDelivery(p.getPacketId(), id));
        } catch (final RuntimeException e) {
            log.error("Outbound tracking failed for {}: {}", connection.uid(), e.toString());
            log.debug("Outbound tracking failure", e);
        }
    }

    @Override
    public void onInboundPuback(final @NotNull PubackInboundInput input, final @NotNull PubackInboundOutput output) {
        try {
            final String rtmId = connection.takeDelivery(input.getPubackPacket().getPacketIdentifier());
            if (rtmId == null) {
                return;
            }
            final AckReasonCode code = input.getPubackPacket().getReasonCode();
            final boolean success = code == AckReasonCode.SUCCESS || code == AckReasonCode.NO_MATCHING_SUBSCRIBERS;
            mailboxes.acknowledged(connection, rtmId, success);
        } catch (final RuntimeException e) {
            log.error("PUBACK handling failed for {}: {}", connection.uid(), e.toString());
            log.debug("PUBACK failure", e);
        }
    }
}
