package org.openrtm.extension.routing;

import com.hivemq.extension.sdk.api.interceptor.puback.PubackOutboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.puback.parameter.PubackOutboundInput;
import com.hivemq.extension.sdk.api.interceptor.puback.parameter.PubackOutboundOutput;
import com.hivemq.extension.sdk.api.interceptor.pubrec.PubrecOutboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.pubrec.parameter.PubrecOutboundInput;
import com.hivemq.extension.sdk.api.interceptor.pubrec.parameter.PubrecOutboundOutput;
import com.hivemq.extension.sdk.api.packets.general.ModifiableUserProperties;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import org.jetbrains.annotations.NotNull;
import org.openrtm.extension.session.Connection;
import org.openrtm.protocol.Props;
import org.openrtm.protocol.RtmStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Puts {@code rtm-status}, {@code rtm-id} and friends on the PUBACK (or PUBREC for QoS 2) of each publish the router
 * decided. One instance per MQTT 5 connection (MQTT 3.1.1 acknowledgements have no properties).
 */
public final class AckStamper implements PubackOutboundInterceptor, PubrecOutboundInterceptor {

    private static final Logger log = LoggerFactory.getLogger(AckStamper.class);

    private final Connection connection;

    public AckStamper(final @NotNull Connection connection) {
        this.connection = connection;
    }

    @Override
    public void onOutboundPuback(final @NotNull PubackOutboundInput input, final @NotNull PubackOutboundOutput output) {
        try {
            final Connection.AckStamp stamp = connection.takeAckStamp(input.getPubackPacket().getPacketIdentifier());
            stamp(stamp, output.getPubackPacket().getUserProperties());
            if (stamp != null && RtmStatus.DELIVERED.code().equals(stamp.status())
                    && output.getPubackPacket().getReasonCode() == AckReasonCode.NO_MATCHING_SUBSCRIBERS) {
                // a relayed channel message or broadcast nobody is subscribed to right now is still accepted
                output.getPubackPacket().setReasonCode(AckReasonCode.SUCCESS);
            }
            if (stamp != null && stamp.reason() != null && output.getPubackPacket().getReasonString().isEmpty()) {
                output.getPubackPacket().setReasonString(stamp.reason());
            }
        } catch (final RuntimeException e) {
            log.error("PUBACK stamping failed for {}: {}", connection.uid(), e.toString());
            log.debug("PUBACK stamping failure", e);
        }
    }

    @Override
    public void onOutboundPubrec(final @NotNull PubrecOutboundInput input, final @NotNull PubrecOutboundOutput output) {
        try {
            final Connection.AckStamp stamp = connection.takeAckStamp(input.getPubrecPacket().getPacketIdentifier());
            stamp(stamp, output.getPubrecPacket().getUserProperties());
            if (stamp != null && stamp.reason() != null && output.getPubrecPacket().getReasonString().isEmpty()) {
                output.getPubrecPacket().setReasonString(stamp.reason());
            }
        } catch (final RuntimeException e) {
            log.error("PUBREC stamping failed for {}: {}", connection.uid(), e.toString());
            log.debug("PUBREC stamping failure", e);
        }
    }

    private static void stamp(final Connection.AckStamp stamp, final ModifiableUserProperties props) {
        if (stamp == null) {
            return;
        }
        props.addUserProperty(Props.STATUS, stamp.status());
        if (stamp.rtmId() != null) {
            props.addUserProperty(Props.ID, stamp.rtmId());
        }
        if (stamp.extra() != null) {
            for (final Map.Entry<String, String> e : stamp.extra().entrySet()) {
                props.addUserProperty(e.getKey(), e.getValue());
            }
        }
    }
}
