package org.openrtm.gateway.internal.resource;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.jetbrains.annotations.NotNull;
import org.openrtm.gateway.internal.mqtt.MqttLink;
import org.openrtm.gateway.internal.session.DeviceSession;
import org.openrtm.gateway.internal.session.LoginThrottle;
import org.openrtm.gateway.internal.translate.LoginQuery;
import org.openrtm.gateway.internal.translate.Outcome;
import org.openrtm.gateway.internal.translate.PublishOptions;
import org.openrtm.protocol.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code /session}: log in ({@code POST /session?u=UID[&ka=SECONDS]}, the token as payload; 2.01 Created with
 * {@code Location-Path: session/SID} and the payload {@code {"sid":...,"keepalive":N}}); and {@code /session/SID}:
 * heartbeat ({@code POST}, 2.04), state ({@code GET}, 2.05) and logout ({@code DELETE}, 2.02). Any other request of
 * the session counts as a heartbeat too. Thread-safe; never blocks a Californium thread.
 */
public final class SessionResource extends CoapResource {

    private static final Logger log = LoggerFactory.getLogger(SessionResource.class);

    /** The resource name. */
    public static final String NAME = "session";

    private final Core core;
    private final LinkFactory links;

    /** Opens MQTT links; the gateway passes {@link MqttLink#connect}. */
    @FunctionalInterface
    public interface LinkFactory {
        /** Opens the MQTT side of a device session; see {@link MqttLink#connect}. */
        @NotNull CompletableFuture<MqttLink> connect(@NotNull MqttLink.Settings settings, @NotNull String uid,
                                                     @NotNull String token, @NotNull MqttLink.Listener listener);
    }

    /**
     * @param core  what the resources share
     * @param links how device sessions reach the broker
     */
    public SessionResource(final @NotNull Core core, final @NotNull LinkFactory links) {
        super(NAME);
        this.core = core;
        this.links = links;
        getAttributes().setTitle("RTM device sessions: POST ?u=UID with the token to log in");
    }

    @Override
    public Resource getChild(final String name) {
        return new OneSession(name);
    }

    @Override
    public void handlePOST(final CoapExchange exchange) {
        try {
            login(exchange);
        } catch (final RuntimeException e) {
            log.error("Login failed unexpectedly: {}", e.toString());
            log.debug("Login failure", e);
            Core.respond(exchange, ResponseCode.INTERNAL_SERVER_ERROR, "the gateway failed to log in");
        }
    }

    private void login(final CoapExchange exchange) {
        final Request request = exchange.advanced().getRequest();
        final LoginThrottle.Refused throttled = core.logins().acquire(request.getSourceContext().getPeerAddress()
                .getAddress(), System.nanoTime());
        if (throttled != null) {
            log.debug("Login from {} throttled", request.getSourceContext().getPeerAddress());
            final Response r = new Response(ResponseCode.TOO_MANY_REQUESTS);
            r.setPayload(throttled.reason());
            r.getOptions().setContentFormat(MediaTypeRegistry.TEXT_PLAIN);
            r.getOptions().setMaxAge(throttled.refusal().retrySeconds());
            exchange.respond(r);
            return;
        }
        final String principal = Core.principalName(request);
        final LoginQuery query = LoginQuery.parse(request.getOptions().getUriQuery());
        if (query.error() != null) {
            Core.respond(exchange, ResponseCode.BAD_REQUEST, query.error());
            return;
        }
        String uid = query.uid();
        final Long ka = query.keepAliveSeconds();
        if (uid == null) {
            uid = principal;
        }
        if (uid == null) {
            Core.respond(exchange, ResponseCode.BAD_REQUEST, "the uid is missing: POST /session?u=UID with the token as payload");
            return;
        }
        final String uidError = Ids.uidError(uid);
        if (uidError != null) {
            Core.respond(exchange, ResponseCode.BAD_REQUEST, uidError);
            return;
        }
        if (principal != null && !principal.equals(uid)) {
            Core.respond(exchange, ResponseCode.FORBIDDEN, "the DTLS identity is '" + principal + "', but the login is for '"
                    + uid + "'");
            return;
        }
        final byte[] body = request.getPayload();
        if (body == null || body.length == 0) {
            Core.respond(exchange, ResponseCode.UNAUTHORIZED, "the token is missing: send it as the payload of the login");
            return;
        }
        if (!core.registry().hasRoom()) {
            final Response r = new Response(ResponseCode.SERVICE_UNAVAILABLE);
            r.setPayload("the gateway holds its maximum of sessions (session.max)");
            r.getOptions().setMaxAge(30);
            exchange.respond(r);
            return;
        }
        final long keepAlive = grantKeepAlive(ka);
        final String token = new String(body, StandardCharsets.UTF_8).trim();
        final DeviceSession session = core.registry().create(uid, principal != null, keepAlive, request.getSourceContext());
        final String finalUid = uid;
        links.connect(core.link(), uid, token, new MqttLink.Listener() {
            @Override
            public void onMessage(final com.hivemq.client.mqtt.mqtt5.message.publish.@NotNull Mqtt5Publish publish) {
                session.onMessage(publish);
            }

            @Override
            public void onClosed(final MqttLink.@NotNull End end, final @NotNull String reason) {
                core.registry().end(session, end == MqttLink.End.TAKEN_OVER ? DeviceSession.EndReason.TAKEN_OVER
                        : DeviceSession.EndReason.BROKER, reason);
            }
        }).whenComplete((link, error) -> {
            if (error != null) {
                respondConnectFailure(exchange, finalUid, error);
                return;
            }
            core.registry().open(session, link);
            log.debug("{} logged in (keep-alive {} ms)", finalUid, keepAlive);
            final Response r = new Response(ResponseCode.CREATED);
            r.getOptions().setLocationPath(NAME + "/" + session.sid());
            r.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
            r.setPayload("{\"sid\":\"" + session.sid() + "\",\"keepalive\":" + keepAlive / 1000 + "}");
            exchange.respond(r);
        });
    }

    private long grantKeepAlive(final Long requestedSeconds) {
        if (requestedSeconds == null) {
            return core.keepAlive().toMillis();
        }
        final long ms = Duration.ofSeconds(Math.min(requestedSeconds, 10L * 365 * 86_400)).toMillis();
        return Math.max(core.keepAliveMin().toMillis(), Math.min(core.keepAliveMax().toMillis(), ms));
    }

    private static void respondConnectFailure(final CoapExchange exchange, final String uid, final Throwable error) {
        final Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof Mqtt5ConnAckException) {
            final Mqtt5ConnAck ack = ((Mqtt5ConnAckException) cause).getMqttMessage();
            log.debug("Login of {} refused: {}", Ids.show(uid), ack.getReasonCode());
            Core.respond(exchange, Outcome.ofConnack(ack.getReasonCode().getCode(),
                    ack.getReasonString().map(Object::toString).orElse(null)));
            return;
        }
        log.warn("Login of {} failed: the broker is not reachable: {}", Ids.show(uid), cause.toString());
        final Response r = new Response(ResponseCode.SERVICE_UNAVAILABLE);
        r.setPayload("the broker is not reachable; try again later");
        r.getOptions().setMaxAge(5);
        exchange.respond(r);
    }

    /** {@code /session/SID}. */
    private final class OneSession extends CoapResource {

        OneSession(final String sid) {
            super(sid);
            setParent(SessionResource.this);
        }

        private DeviceSession find(final CoapExchange exchange) {
            final List<String> query = exchange.advanced().getRequest().getOptions().getUriQuery();
            final PublishOptions options = PublishOptions.parse(query, false);
            if (options.error() != null) {
                Core.respond(exchange, ResponseCode.BAD_REQUEST, options.error());
                return null;
            }
            return core.session(exchange, new PublishOptions(getName(), options.props(), null, null));
        }

        @Override
        public void handlePOST(final CoapExchange exchange) {
            final DeviceSession s = find(exchange);
            if (s != null) {
                final Response r = new Response(ResponseCode.CHANGED);
                r.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
                r.setPayload(state(s));
                exchange.respond(r);
            }
        }

        @Override
        public void handleGET(final CoapExchange exchange) {
            final DeviceSession s = find(exchange);
            if (s != null) {
                final Response r = new Response(ResponseCode.CONTENT);
                r.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
                r.setPayload(state(s));
                exchange.respond(r);
            }
        }

        @Override
        public void handleDELETE(final CoapExchange exchange) {
            final DeviceSession s = find(exchange);
            if (s != null) {
                core.registry().end(s, DeviceSession.EndReason.LOGOUT, "the device logged out");
                exchange.respond(ResponseCode.DELETED);
            }
        }

        private String state(final DeviceSession s) {
            return "{\"uid\":\"" + s.uid() + "\",\"keepalive\":" + s.keepAliveMillis() / 1000 + ",\"observing\":"
                    + s.observations() + "}";
        }
    }
}
