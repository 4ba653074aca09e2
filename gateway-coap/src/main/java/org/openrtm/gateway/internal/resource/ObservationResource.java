package org.openrtm.gateway.internal.resource;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.observe.ObserveRelation;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.ResourceObserverAdapter;
import org.jetbrains.annotations.NotNull;
import org.openrtm.gateway.internal.session.DeviceSession;
import org.openrtm.gateway.internal.session.Feed;
import org.openrtm.gateway.internal.translate.CoapTopics;
import org.openrtm.gateway.internal.translate.Envelope;
import org.openrtm.gateway.internal.translate.Outcome;
import org.openrtm.gateway.internal.translate.PublishOptions;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.TopicFamily;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One observation (GET with Observe: 0) of a topic under {@code /rtm}: a resource instance made for one registration
 * and holding its one observe relation (RFC 7641). Its notifications carry the feed's messages one at a time as
 * confirmable messages addressed to the session's latest address; the relation's end (RST, retransmissions timed
 * out, deregistration, replacement by a newer registration) is reported to the session, which drops the MQTT
 * subscription. Thread-safe.
 */
final class ObservationResource extends CoapResource implements Feed.Sink {

    private static final Logger log = LoggerFactory.getLogger(ObservationResource.class);

    /**
     * Families observed with MQTT No Local: a device does not get its own channel messages and broadcasts back (as
     * with the device SDK); its own inbox still gets what it sends itself.
     */
    private static final Set<TopicFamily> NO_LOCAL = Set.of(TopicFamily.CHANNEL_MSG, TopicFamily.BROADCAST);

    private final Core core;
    private volatile DeviceSession session;
    private volatile Feed feed;
    private volatile ObserveRelation relation;
    private volatile boolean json = true;
    private volatile Outcome terminal;
    private volatile String lastSubackReason;

    ObservationResource(final @NotNull Core core, final @NotNull CoapResource parent) {
        super("observation", false);
        this.core = core;
        setParent(parent);
        setObservable(true);
        setObserveType(Type.CON);
        addObserver(new ResourceObserverAdapter() {
            @Override
            public void addedObserveRelation(final ObserveRelation r) {
                relation = r;
            }

            @Override
            public void removedObserveRelation(final ObserveRelation r) {
                final DeviceSession s = session;
                final Feed f = feed;
                if (s != null && f != null) {
                    s.observationEnded(f, ObservationResource.this, filter -> s.link().unsubscribe(filter));
                }
            }
        });
    }

    @Override
    public void handleGET(final CoapExchange exchange) {
        try {
            final ObserveRelation r = exchange.advanced().getRelation();
            if (r != null && r.isEstablished()) {
                notification(exchange);
            } else {
                register(exchange);
            }
        } catch (final RuntimeException e) {
            log.error("Observation failed unexpectedly: {}", e.toString());
            log.debug("Observation failure", e);
            Core.respond(exchange, ResponseCode.INTERNAL_SERVER_ERROR, "the gateway failed to handle the observation");
        }
    }

    private void register(final CoapExchange exchange) {
        final Request request = exchange.advanced().getRequest();
        final int accept = request.getOptions().getAccept();
        if (accept == MediaTypeRegistry.TEXT_PLAIN || accept == MediaTypeRegistry.APPLICATION_OCTET_STREAM) {
            json = false;
        } else if (accept != MediaTypeRegistry.UNDEFINED && accept != MediaTypeRegistry.APPLICATION_JSON) {
            Core.respond(exchange, ResponseCode.NOT_ACCEPTABLE, "notifications are application/json (envelope, default), "
                    + "text/plain or application/octet-stream (body only), not " + MediaTypeRegistry.toString(accept));
            return;
        }
        final PublishOptions options = PublishOptions.parse(request.getOptions().getUriQuery(), false);
        if (options.error() != null) {
            Core.respond(exchange, ResponseCode.BAD_REQUEST, options.error());
            return;
        }
        final DeviceSession s = core.session(exchange, options);
        if (s == null) {
            return;
        }
        final CoapTopics.Target target = CoapTopics.filter(request.getOptions().getUriPath());
        if (!target.ok()) {
            Core.respond(exchange, ResponseCode.BAD_REQUEST, target.error());
            return;
        }
        session = s;
        final DeviceSession.Attach attach = s.observe(target.topic(), target.family(), this,
                filter -> s.link().subscribe(filter, NO_LOCAL.contains(target.family())).thenApply(granted -> {
                    lastSubackReason = granted.reason();
                    return granted.code();
                }), core.maxObservations());
        if (attach.refusal() != null) {
            Core.respond(exchange, ResponseCode.FORBIDDEN, attach.refusal());
            return;
        }
        feed = attach.feed();
        attach.subscribed().whenComplete((code, error) -> {
            final Outcome refused = Outcome.ofSuback(code, lastSubackReason);
            if (refused != null) {
                s.refused(attach.feed(), this);
                Core.respond(exchange, refused);
                return;
            }
            final Response r = new Response(ResponseCode.CONTENT);
            r.getOptions().setContentFormat(json ? MediaTypeRegistry.APPLICATION_JSON : MediaTypeRegistry.TEXT_PLAIN);
            final AtomicBoolean once = new AtomicBoolean();
            r.addMessageObserver(new MessageObserverAdapter() {
                @Override
                public void onTransferComplete() {
                    if (once.compareAndSet(false, true)) {
                        s.ready(attach.feed(), ObservationResource.this);
                    }
                }
            });
            exchange.respond(r);
            log.debug("{} observes {}", s.uid(), attach.feed().filter());
        });
    }

    private void notification(final CoapExchange exchange) {
        final Outcome end = terminal;
        if (end != null) {
            final Response r = new Response(end.code());
            r.setPayload(end.payload());
            r.getOptions().setContentFormat(MediaTypeRegistry.TEXT_PLAIN);
            exchange.respond(r);
            return;
        }
        final DeviceSession s = session;
        final Feed f = feed;
        final Mqtt5Publish message = s.inflight(f, this);
        if (message == null) {
            return; // nothing to send (the message was taken back meanwhile)
        }
        final Response r = new Response(ResponseCode.CONTENT);
        r.setType(CoAP.Type.CON);
        r.setDestinationContext(s.context());
        final byte[] body = message.getPayloadAsBytes();
        if (json) {
            r.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
            r.setPayload(Envelope.json(message.getTopic().toString(), body, properties(message)));
        } else {
            r.getOptions().setContentFormat(message.getContentType()
                    .map(ct -> MediaTypeRegistry.parse(ct.toString()))
                    .filter(cf -> cf != MediaTypeRegistry.UNDEFINED)
                    .orElse(MediaTypeRegistry.APPLICATION_OCTET_STREAM));
            r.setPayload(body);
        }
        r.addMessageObserver(new Delivery(s, f, message, s.strayEmpties()));
        exchange.respond(r);
    }

    private static Map<String, String> properties(final Mqtt5Publish p) {
        final Map<String, String> out = new HashMap<>();
        p.getUserProperties().asList().forEach(u -> out.putIfAbsent(u.getName().toString(), u.getValue().toString()));
        return out;
    }

    @Override
    public void notifyDevice() {
        changed();
    }

    @Override
    public void cancelQuietly() {
        final ObserveRelation r = relation;
        if (r == null) {
            return;
        }
        final Exchange e = r.getExchange();
        e.execute(r::cancel);
    }

    @Override
    public boolean hasToken(final byte @NotNull [] token) {
        final ObserveRelation r = relation;
        return r != null && java.util.Arrays.equals(r.getExchange().getRequest().getToken().getBytes(), token);
    }

    @Override
    public void terminate(final int codeClass, final int codeDetail, final @NotNull String reason) {
        terminal = Outcome.of(ResponseCode.valueOf(codeClass << 5 | codeDetail), reason);
        if (relation == null) {
            return;
        }
        changed();
    }

    /**
     * How many stray empty ACKs or RSTs from a session's address, while a notification is in flight, make its
     * acknowledgement untrusted. Not one: an honest device may produce the odd stray (a late duplicate of an
     * acknowledgement whose id has expired), while a blind spoofer needs tens of thousands of wrong guesses on average;
     * it still gets one right within the first 64 with a chance of 64 in 65,000 per notification. Checked only where
     * plain CoAP is served to any address ({@code coap.nosec=any}): with the default (loopback only) a spoofer would
     * have to be on the gateway's host. (CoapSmokeIT's lost notifications, first blamed on this check, were
     * acknowledgements Californium dropped for ids in its multicast range; see {@link RandomMessageIds}.)
     */
    static final int UNTRUSTED_AFTER_STRAYS = 64;

    /** Waits for the device's acknowledgement and, for a body in blocks, for its last block. */
    private final class Delivery extends MessageObserverAdapter {
        private final DeviceSession s;
        private final Feed f;
        private final Mqtt5Publish message;
        private final long strayAtSend;
        private boolean acked;
        private boolean transferred;
        private ScheduledFuture<?> deadline;

        Delivery(final DeviceSession s, final Feed f, final Mqtt5Publish message, final long strayAtSend) {
            this.s = s;
            this.f = f;
            this.message = message;
            this.strayAtSend = strayAtSend;
        }

        @Override
        public void onAcknowledgement() {
            final long stray = s.strayEmpties() - strayAtSend;
            if (!s.isSecure() && core.nosecAnywhere() && stray >= UNTRUSTED_AFTER_STRAYS) {
                // Without DTLS an empty ACK proves only that its sender knew the address and guessed the 16-bit
                // message id; guesses that missed came first, so this one may be a guess too
                if (s.untrusted(f, ObservationResource.this, message)) {
                    log.warn("Acknowledgement of a notification to {} at {} not trusted: {} empty ACK/RST from that "
                            + "address matched no message meanwhile (spoofed?); the message is kept and sent again "
                            + "after the device's next request with its session id", s.uid(),
                            s.context().getPeerAddress(), stray);
                }
                return;
            }
            final boolean done;
            synchronized (this) {
                acked = true;
                done = transferred;
                if (!done) {
                    deadline = core.scheduler().schedule(this::transferTimedOut, core.transferTimeout().toMillis(),
                            TimeUnit.MILLISECONDS);
                }
            }
            s.touch();
            if (done) {
                s.delivered(f, ObservationResource.this, message);
            }
        }

        @Override
        public void onTransferComplete() {
            final boolean done;
            synchronized (this) {
                transferred = true;
                done = acked;
                if (deadline != null) {
                    deadline.cancel(false);
                }
            }
            if (done) {
                s.delivered(f, ObservationResource.this, message);
            }
        }

        private void transferTimedOut() {
            log.debug("{} did not fetch the blocks of a notification on {} in time: observation dropped", s.uid(),
                    Ids.show(message.getTopic().toString()));
            cancelQuietly();
        }

        @Override
        public void onSendError(final Throwable error) {
            // RST and timeouts end the relation inside Californium; a notification that cannot be sent ends it here.
            // A canceled notification (replaced by a fresh one, or its relation ended) needs nothing.
            log.debug("Notification to {} could not be sent: {}", s.uid(), error.toString());
            cancelQuietly();
        }
    }
}
