package org.openrtm.extension.auth;

import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.packets.general.MqttVersion;
import org.jetbrains.annotations.NotNull;
import org.openrtm.extension.flood.FloodGuard;
import org.openrtm.extension.session.Connection;
import org.openrtm.extension.session.ConnectionAttributes;
import org.openrtm.extension.session.Sessions;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Props;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.protocol.ViaProof;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Authenticates every CONNECT: the client id must be a valid uid and the password a token for it, and the user must
 * not be banned for flooding. One instance serves
 * all clients; runs on HiveMQ's extension task threads and never blocks (verifying an HS256 signature takes
 * microseconds). Thread-safe.
 */
public final class RtmAuthenticator implements SimpleAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(RtmAuthenticator.class);
    /** What HiveMQ CE assigns to an empty client id: {@code ClientIds.generateNext()}. */
    private static final Pattern ASSIGNED = Pattern.compile("hmq_[A-Za-z0-9]{1,16}_[0-9]+_[0-9a-f]{32}");

    private final Tokens tokens;
    private final byte[] viaKey;
    private final Sessions sessions;
    private final FloodGuard flood;
    private final long clientQueue;

    /**
     * @param tokens   verifies tokens
     * @param viaKey   the key of the CoAP gateway's proof ({@link ViaProof#key}): {@code rtm-via: coap} counts only
     *                 with a valid {@code rtm-via-proof}
     * @param sessions where authenticated connections are registered
     * @param flood       which users are refused for a while after being disconnected for flooding
     * @param clientQueue how many messages HiveMQ may queue per client (limits.client-queue)
     */
    public RtmAuthenticator(final @NotNull Tokens tokens, final byte @NotNull [] viaKey,
                            final @NotNull Sessions sessions, final @NotNull FloodGuard flood, final long clientQueue) {
        this.tokens = tokens;
        this.viaKey = viaKey.clone();
        this.sessions = sessions;
        this.flood = flood;
        this.clientQueue = clientQueue;
    }

    @Override
    public void onConnect(final @NotNull SimpleAuthInput input, final @NotNull SimpleAuthOutput output) {
        try {
            final ConnectPacket connect = input.getConnectPacket();
            final String uid = connect.getClientId();
            if (assignedByHiveMq(uid)) {
                // an empty client id: HiveMQ assigned one before asking us, and that id has no token; say what is wrong
                refuse(output, ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
                        "client id must be the uid, but it was empty", uid);
                return;
            }
            final String uidError = Ids.uidError(uid);
            if (uidError != null) {
                refuse(output, ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "client id is the uid: " + uidError, uid);
                return;
            }
            if (connect.getPassword().isEmpty()) {
                refuse(output, ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD,
                        "the password must be a token (JWT) for uid " + Ids.show(uid) + ", but none was given", uid);
                return;
            }
            if (connect.getWillPublish().isPresent()) {
                final String willTopic = connect.getWillPublish().get().getTopic();
                if (!RtmTopics.parse(willTopic).kind().equals(org.openrtm.protocol.ParsedTopic.Kind.NOT_RTM)) {
                    refuse(output, ConnackReasonCode.NOT_AUTHORIZED, "will topic " + Ids.show(willTopic)
                            + " is not allowed: the rtm/ tree is written only through the protocol", uid);
                    return;
                }
            }
            final ByteBuffer pw = connect.getPassword().get();
            final byte[] raw = new byte[pw.remaining()];
            pw.duplicate().get(raw);
            final TokenCheck check = tokens.verify(uid, new String(raw, StandardCharsets.UTF_8));
            switch (check.outcome()) {
                case BAD:
                    refuse(output, ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, check.reason(), uid);
                    return;
                case EXPIRED:
                    refuse(output, ConnackReasonCode.NOT_AUTHORIZED, check.reason(), uid);
                    return;
                default:
                    break;
            }
            final Duration banned = flood.banRemaining(uid);
            if (banned != null) {
                refuse(output, ConnackReasonCode.CONNECTION_RATE_EXCEEDED, "uid " + Ids.show(uid)
                        + " was disconnected for sending over the rate limit; retry in "
                        + Math.max(1, (banned.toMillis() + 999) / 1000) + " s (limits.flood-ban)", uid);
                return;
            }
            final boolean mqtt5 = connect.getMqttVersion() == MqttVersion.V_5;
            final Connection connection = sessions.prepare(uid, check.role(), via(connect, uid), mqtt5,
                    connect.getSessionExpiryInterval());
            ConnectionAttributes.bind(input.getConnectionInformation(), connection);
            log.debug("{} authenticated as {}", uid, check.role().wire());
            // HiveMQ discards, silently, what does not fit in a client's queue (1,000 by default): room for a burst of
            // channel messages to a member that reads slowly (the mailboxes keep peer messages within their window)
            output.getClientSettings().setClientQueueSizeMaximum(clientQueue);
            output.authenticateSuccessfully();
        } catch (final RuntimeException e) {
            log.error("Authentication failed unexpectedly: {}", e.toString());
            log.debug("Authentication failure", e);
            output.failAuthentication(ConnackReasonCode.UNSPECIFIED_ERROR, "the server failed to check the token");
        }
    }

    /**
     * How the user is attached: {@code rtm-via: coap} only with the gateway's proof for this uid; anything else
     * (no property, another value, no or a wrong proof) is an ordinary MQTT connection. Not refused: a client that
     * claims to be the gateway gains nothing, and a gateway without the deployment secret still works.
     */
    private Connection.Via via(final ConnectPacket connect, final String uid) {
        if (!"coap".equals(connect.getUserProperties().getFirst(Props.VIA).orElse(""))) {
            return Connection.Via.MQTT;
        }
        if (ViaProof.verify(viaKey, uid, connect.getUserProperties().getFirst(Props.VIA_PROOF).orElse(null))) {
            return Connection.Via.COAP;
        }
        log.debug("{} sent rtm-via: coap without the gateway's proof; counted as MQTT", uid);
        return Connection.Via.MQTT;
    }

    /**
     * Whether a client id is one HiveMQ assigned to a CONNECT with an empty client id ({@code hmq_<broker id>_<counter>_
     * <32 hex digits>}). The extension SDK does not say whether the id was assigned, and HiveMQ assigns one before the
     * authenticator runs; an id of that shape is reserved (see docs/protocol.md), so no user has it.
     */
    static boolean assignedByHiveMq(final @NotNull String clientId) {
        return ASSIGNED.matcher(clientId).matches();
    }

    private void refuse(final SimpleAuthOutput output, final ConnackReasonCode code, final String reason,
                        final String uid) {
        flood.refusals().login(uid, code, reason);
        output.failAuthentication(code, reason);
    }
}
