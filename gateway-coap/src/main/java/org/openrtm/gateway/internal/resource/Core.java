package org.openrtm.gateway.internal.resource;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.EndpointContext;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.gateway.internal.mqtt.MqttLink;
import org.openrtm.gateway.internal.session.DeviceSession;
import org.openrtm.gateway.internal.session.LoginThrottle;
import org.openrtm.gateway.internal.session.SessionRegistry;
import org.openrtm.gateway.internal.translate.Outcome;
import org.openrtm.gateway.internal.translate.PublishOptions;

import java.security.Principal;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the resources share: the session registry, how MQTT links are opened, the scheduler, and the settings that
 * shape requests. Immutable; thread-safe.
 *
 * @param registry        the open sessions
 * @param link            where device sessions connect
 * @param scheduler       for read windows and transfer deadlines
 * @param keepAlive       keep-alive of a login that asks for none
 * @param keepAliveMin    smallest keep-alive granted
 * @param keepAliveMax    largest keep-alive granted
 * @param maxBodyBytes    largest request body
 * @param readWindow      how long a read waits for a retained value
 * @param transferTimeout how long a device may take to fetch the blocks of a notification
 * @param requestTimeout  how long a request waits for the broker
 * @param logins          the login throttle
 * @param maxObservations most observations of one session
 * @param blockSize       the block size: a request whose one datagram carries a larger body gets 4.13
 * @param nosecAnywhere   whether plain CoAP is served to any source address (else only to loopback ones)
 */
public record Core(@NotNull SessionRegistry registry, @NotNull MqttLink.Settings link,
                   @NotNull ScheduledExecutorService scheduler, @NotNull Duration keepAlive, @NotNull Duration keepAliveMin,
                   @NotNull Duration keepAliveMax, int maxBodyBytes, @NotNull Duration readWindow,
                   @NotNull Duration transferTimeout, @NotNull Duration requestTimeout, @NotNull LoginThrottle logins,
                   int maxObservations, int blockSize, boolean nosecAnywhere) {

    /** The text of every 4.13 about a body: the gateway's limit and the server's, by their settings. */
    public static @NotNull String tooLarge(final long bodyBytes, final int maxBodyBytes) {
        return "body is " + (bodyBytes >= 0 ? bodyBytes + " bytes" : "larger than the limit") + "; the gateway accepts at "
                + "most " + maxBodyBytes + " bytes (coap.max-body-bytes), and the server's limit for a message is "
                + "limits.max-payload-bytes";
    }

    /** Answers with a code and a short diagnostic text. */
    static void respond(final @NotNull CoapExchange exchange, final @NotNull ResponseCode code, final @Nullable String text) {
        respond(exchange, Outcome.of(code, text));
    }

    /** Answers with an outcome (code, text payload, Max-Age). */
    static void respond(final @NotNull CoapExchange exchange, final @NotNull Outcome outcome) {
        respond(exchange, outcome, null);
    }

    /** Answers with an outcome and, if not null, an ETag option. */
    static void respond(final @NotNull CoapExchange exchange, final @NotNull Outcome outcome, final byte @Nullable [] etag) {
        final Response r = new Response(outcome.code());
        if (etag != null) {
            r.getOptions().addETag(etag);
        }
        if (!outcome.payload().isEmpty()) {
            r.setPayload(outcome.payload());
            r.getOptions().setContentFormat(MediaTypeRegistry.TEXT_PLAIN);
        }
        if (outcome.maxAge() >= 0) {
            r.getOptions().setMaxAge(outcome.maxAge());
        }
        exchange.respond(r);
    }

    /** The DTLS peer's identity (PSK identity or certificate subject), or null over plain CoAP. */
    static @Nullable String principalName(final @NotNull Request request) {
        final Principal p = request.getSourceContext().getPeerIdentity();
        return p == null ? null : PrincipalNames.uidOf(p);
    }

    /**
     * Finds the session a request belongs to ({@code ?s=}, or over DTLS the peer's identity), checks that it may be
     * used from where the request came, and refreshes it (keep-alive and notification address). Answers 4.01 or
     * 4.03 itself and returns null when there is none.
     */
    @Nullable DeviceSession session(final @NotNull CoapExchange exchange, final @NotNull PublishOptions options) {
        final Request request = exchange.advanced().getRequest();
        final String principal = principalName(request);
        final boolean secure = principal != null;
        DeviceSession s = null;
        if (options.session() != null) {
            s = registry.bySid(options.session());
            if (s == null) {
                respond(exchange, ResponseCode.UNAUTHORIZED, "session '" + abbreviate(options.session())
                        + "' is unknown or has ended: log in again (POST /session?u=UID with the token)");
                return null;
            }
        } else if (principal != null) {
            s = registry.byUid(principal);
        }
        if (s == null) {
            respond(exchange, ResponseCode.UNAUTHORIZED,
                    "no session: log in with POST /session?u=UID (token as payload), then add ?s=SESSION to each request");
            return null;
        }
        if (s.isSecure() && !secure) {
            respond(exchange, ResponseCode.FORBIDDEN, "session was opened over DTLS and is usable only over DTLS");
            return null;
        }
        if (principal != null && !principal.equals(s.uid())) {
            respond(exchange, ResponseCode.FORBIDDEN, "session belongs to '" + s.uid() + "', but the DTLS identity is '"
                    + principal + "'");
            return null;
        }
        final EndpointContext from = request.getSourceContext();
        s.touch(from);
        registry.seenAt(s, from.getPeerAddress());
        if (options.session() != null) {
            s.confirmedBySession();
        }
        return s;
    }

    private static String abbreviate(final String sid) {
        return sid.length() > 24 ? sid.substring(0, 24) + "..." : sid;
    }
}
