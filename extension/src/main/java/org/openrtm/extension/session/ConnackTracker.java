package org.openrtm.extension.session;

import com.hivemq.extension.sdk.api.interceptor.connack.ConnackOutboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.connack.parameter.ConnackOutboundInput;
import com.hivemq.extension.sdk.api.interceptor.connack.parameter.ConnackOutboundOutput;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.general.ModifiableUserProperties;
import org.jetbrains.annotations.NotNull;
import org.openrtm.protocol.Props;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sees every successful CONNACK, the moment a connection becomes its user's current one; only here does HiveMQ tell
 * whether it resumed a session. It also tells the client its publish rate limit ({@code rtm-rate},
 * {@code rtm-rate-burst}), so that a client can pace itself under it instead of being refused. Runs on HiveMQ's
 * extension task thread for the client; never blocks. Thread-safe.
 */
public final class ConnackTracker implements ConnackOutboundInterceptor {

    private static final Logger log = LoggerFactory.getLogger(ConnackTracker.class);

    private final Sessions sessions;

    public ConnackTracker(final @NotNull Sessions sessions) {
        this.sessions = sessions;
    }

    @Override
    public void onOutboundConnack(final @NotNull ConnackOutboundInput input, final @NotNull ConnackOutboundOutput output) {
        try {
            if (input.getConnackPacket().getReasonCode() != ConnackReasonCode.SUCCESS) {
                return;
            }
            final ModifiableUserProperties up = output.getConnackPacket().getUserProperties();
            up.addUserProperty(Props.RATE, Integer.toString(sessions.ratePerSecond()));
            up.addUserProperty(Props.RATE_BURST, Integer.toString(sessions.rateBurst()));
            final long number = ConnectionAttributes.number(input.getConnectionInformation());
            if (number >= 0) {
                sessions.established(number, input.getConnackPacket().getSessionPresent());
            }
        } catch (final RuntimeException e) {
            log.error("CONNACK handling failed for {}: {}", input.getClientInformation().getClientId(), e.toString());
            log.debug("CONNACK failure", e);
        }
    }
}
