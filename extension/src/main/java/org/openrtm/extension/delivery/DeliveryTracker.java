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
import org.openrtm.protocol.ParsedTopic;
import org.openrtm.protocol.Props;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.protocol.TopicFamily;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.Map;

/**
 * Learns which of a client's QoS 1 deliveries is which message (outbound PUBLISH on the client's own topics carrying
 * an {@code rtm-id}: packet id → rtm-id and topic family) and routes the client's PUBACKs by family to the service
 * that handed the message: inbox and event messages to the mailboxes, call signalling to the call service. One
 * instance per connection; HiveMQ calls it on the client's extension task queue.
 *
 * <p>A message delivered at QoS 0 (the client subscribed at QoS 0) cannot be acknowledged; its service is told when
 * HiveMQ sends it ({@link Acknowledgements#sentAtMostOnce}). Until then the mailbox counts it in the client's window:
 * HiveMQ discards QoS 0 messages beyond a small per-client memory, so handing them all at once lost them.
 *
 * <p>It also finishes channel deliveries: it applies a relayed message's {@code rtm-except} list, and puts the channel
 * topic back on a listed message handed to this member through its internal {@code rtm/direct/} subscription. Every
 * other delivery costs it two prefix tests.
 */
public final class DeliveryTracker implements PublishOutboundInterceptor, PubackInboundInterceptor {

    private static final Logger log = LoggerFactory.getLogger(DeliveryTracker.class);

    private static final String CHANNEL_PREFIX = "rtm/channel/";

    private final Connection connection;
    private final Map<TopicFamily, Acknowledgements> routes;
    private final String ownPrefix;

    /**
     * @param connection the client's connection
     * @param routes     who is told about acknowledgements of messages of each family (families not listed are not
     *                   tracked)
     */
    public DeliveryTracker(final @NotNull Connection connection, final @NotNull Map<TopicFamily, Acknowledgements> routes) {
        this.connection = connection;
        this.routes = routes.isEmpty() ? Map.of() : new EnumMap<>(routes);
        this.ownPrefix = "rtm/user/" + connection.uid() + "/";
    }

    @Override
    public void onOutboundPublish(final @NotNull PublishOutboundInput input, final @NotNull PublishOutboundOutput output) {
        try {
            final PublishPacket p = input.getPublishPacket();
            final String t = p.getTopic();
            if (!t.startsWith(ownPrefix)) {
                // the cheap tests first: most deliveries are channel messages and broadcasts
                if (t.startsWith(CHANNEL_PREFIX)) {
                    applyRecipientList(p, output);
                } else if (t.startsWith(RtmTopics.DIRECT_PREFIX)) {
                    toChannelTopic(t, output);
                }
                return;
            }
            final String rtmId = p.getUserProperties().getFirst(Props.ID).orElse(null);
            if (rtmId == null) {
                return;
            }
            final ParsedTopic topic = RtmTopics.parse(p.getTopic());
            if (!topic.isValid() || !connection.uid().equals(topic.id()) || !routes.containsKey(topic.family())) {
                return;
            }
            if (p.getQos() == Qos.AT_MOST_ONCE) {
                routes.get(topic.family()).sentAtMostOnce(connection, rtmId);
                return;
            }
            connection.trackDelivery(p.getPacketId(), new Connection.Delivery(rtmId, topic.family()));
        } catch (final RuntimeException e) {
            log.error("Outbound tracking failed for {}: {}", connection.uid(), e.toString());
            log.debug("Outbound tracking failure", e);
        }
    }

    /**
     * A channel message sent with {@code rtm-except} is relayed to every member with its list (whitelists are handed
     * to their members one by one and never come here with a list); this member gets it only if it is not listed and
     * did not send it, and without the list.
     */
    private void applyRecipientList(final PublishPacket p, final PublishOutboundOutput output) {
        final String except = p.getUserProperties().getFirst(Props.EXCEPT).orElse(null);
        if (except == null) {
            return;
        }
        final String me = connection.uid();
        final String from = p.getTopic().substring(p.getTopic().lastIndexOf('/') + 1);
        if (me.equals(from) || listed(except, me)) {
            output.preventPublishDelivery();
            return;
        }
        output.getPublishPacket().getUserProperties().removeName(Props.EXCEPT);
    }

    /**
     * A listed channel message handed to this member through its internal subscription ({@code rtm/direct/...}, see
     * {@code ChannelService}) leaves on the channel topic it was sent to. A malformed internal topic (which only the
     * extension could have produced) is not delivered.
     */
    private void toChannelTopic(final String topic, final PublishOutboundOutput output) {
        final String channelTopic = RtmTopics.channelMsgOfDirect(topic);
        if (channelTopic == null) {
            log.error("Internal topic {} for {} is malformed; not delivered", topic, connection.uid());
            output.preventPublishDelivery();
            return;
        }
        output.getPublishPacket().setTopic(channelTopic);
    }

    /** Whether {@code uid} is one of the comma-separated uids of {@code csv} (uids contain no commas). */
    static boolean listed(final @NotNull String csv, final @NotNull String uid) {
        int from = 0;
        while (true) {
            final int at = csv.indexOf(uid, from);
            if (at < 0) {
                return false;
            }
            final int end = at + uid.length();
            if ((at == 0 || csv.charAt(at - 1) == ',') && (end == csv.length() || csv.charAt(end) == ',')) {
                return true;
            }
            from = at + 1;
        }
    }

    @Override
    public void onInboundPuback(final @NotNull PubackInboundInput input, final @NotNull PubackInboundOutput output) {
        try {
            final Connection.Delivery delivery = connection.takeDelivery(input.getPubackPacket().getPacketIdentifier());
            if (delivery == null) {
                return;
            }
            final AckReasonCode code = input.getPubackPacket().getReasonCode();
            final boolean success = code == AckReasonCode.SUCCESS || code == AckReasonCode.NO_MATCHING_SUBSCRIBERS;
            routes.get(delivery.family()).acknowledged(connection, delivery.rtmId(), success);
        } catch (final RuntimeException e) {
            log.error("PUBACK handling failed for {}: {}", connection.uid(), e.toString());
            log.debug("PUBACK failure", e);
        }
    }
}
