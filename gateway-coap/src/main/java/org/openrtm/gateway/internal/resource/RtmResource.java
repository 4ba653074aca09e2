package org.openrtm.gateway.internal.resource;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserPropertiesBuilder;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.jetbrains.annotations.NotNull;
import org.openrtm.gateway.internal.session.DeviceSession;
import org.openrtm.gateway.internal.translate.CoapTopics;
import org.openrtm.gateway.internal.translate.Envelope;
import org.openrtm.gateway.internal.translate.Outcome;
import org.openrtm.gateway.internal.translate.PublishOptions;
import org.openrtm.gateway.internal.translate.Revisions;
import org.openrtm.protocol.Props;
import org.openrtm.protocol.TopicFamily;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code /rtm/...}: the topic tree. POST publishes a message (CON = QoS 1 with the PUBACK's outcome as the response
 * code, NON = QoS 0), PUT writes and DELETE deletes an attribute (retained QoS 1 publishes), GET without Observe reads
 * a retained value; GET with Observe is handled by an {@link ObservationResource} made for the registration.
 * The resource answers for every path below it. Thread-safe; never blocks a Californium thread.
 */
final class RtmResource extends CoapResource {

    private static final Logger log = LoggerFactory.getLogger(RtmResource.class);

    /** Families whose messages are not state: reading them would consume or join, so they are only observed. */
    private static final Set<TopicFamily> OBSERVE_ONLY = Set.of(TopicFamily.INBOX, TopicFamily.EVENT, TopicFamily.CALL,
            TopicFamily.CHANNEL_MSG, TopicFamily.BROADCAST, TopicFamily.RPC);
    private static final Set<TopicFamily> ATTRIBUTES = Set.of(TopicFamily.USER_ATTR, TopicFamily.CHANNEL_ATTR);

    private final Core core;

    RtmResource(final @NotNull Core core) {
        super("rtm");
        this.core = core;
        getAttributes().setTitle("RTM topic tree: POST publishes, GET+Observe subscribes, PUT/DELETE attributes");
    }

    @Override
    public Resource getChild(final String name) {
        return this;
    }

    @Override
    public void handlePOST(final CoapExchange exchange) {
        write(exchange, Kind.MESSAGE);
    }

    @Override
    public void handlePUT(final CoapExchange exchange) {
        write(exchange, Kind.PUT);
    }

    @Override
    public void handleDELETE(final CoapExchange exchange) {
        write(exchange, Kind.DELETE);
    }

    private enum Kind { MESSAGE, PUT, DELETE }

    private void write(final CoapExchange exchange, final Kind kind) {
        try {
            final Request request = exchange.advanced().getRequest();
            final PublishOptions options = PublishOptions.parse(request.getOptions().getUriQuery(), true);
            final DeviceSession s = core.session(exchange, options);
            if (s == null) {
                return;
            }
            if (options.error() != null) {
                Core.respond(exchange, ResponseCode.BAD_REQUEST, options.error());
                return;
            }
            final CoapTopics.Target target = CoapTopics.publishTopic(request.getOptions().getUriPath(), s.uid());
            if (!target.ok()) {
                Core.respond(exchange, ResponseCode.BAD_REQUEST, target.error());
                return;
            }
            final boolean attribute = target.family() != null && ATTRIBUTES.contains(target.family());
            if (kind != Kind.MESSAGE && !attribute) {
                Core.respond(exchange, ResponseCode.METHOD_NOT_ALLOWED, "PUT and DELETE write attributes "
                        + "(rtm/user/UID/attr/KEY, rtm/channel/CID/attr/KEY); messages are sent with POST");
                return;
            }
            if (kind == Kind.MESSAGE && attribute) {
                Core.respond(exchange, ResponseCode.METHOD_NOT_ALLOWED,
                        "attributes are written with PUT and deleted with DELETE");
                return;
            }
            final byte[] body = kind == Kind.DELETE ? new byte[0] : request.getPayload();
            if (body.length > core.maxBodyBytes()) {
                final Response r = new Response(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
                r.setPayload(Core.tooLarge(body.length, core.maxBodyBytes()));
                r.getOptions().setSize1(core.maxBodyBytes());
                exchange.respond(r);
                return;
            }
            final boolean qos1 = kind != Kind.MESSAGE || request.isConfirmable();
            final Mqtt5PublishBuilder.Complete b = Mqtt5Publish.builder().topic(target.topic())
                    .qos(qos1 ? MqttQos.AT_LEAST_ONCE : MqttQos.AT_MOST_ONCE)
                    .payload(body)
                    .retain(kind != Kind.MESSAGE);
            final Map<String, String> props = new LinkedHashMap<>(options.props());
            if (kind != Kind.MESSAGE) {
                final String conditionError = Revisions.condition(request.getOptions(), props);
                if (conditionError != null) {
                    Core.respond(exchange, ResponseCode.BAD_REQUEST, conditionError);
                    return;
                }
            }
            final Mqtt5UserPropertiesBuilder up = Mqtt5UserProperties.builder();
            props.forEach(up::add);
            b.userProperties(up.build());
            if (options.expiry() != null) {
                b.messageExpiryInterval(options.expiry());
            }
            final int cf = request.getOptions().getContentFormat();
            if (cf != MediaTypeRegistry.UNDEFINED) {
                b.contentType(MediaTypeRegistry.toString(cf));
                if (cf == MediaTypeRegistry.TEXT_PLAIN || cf == MediaTypeRegistry.APPLICATION_JSON) {
                    b.payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8);
                }
            }
            s.link().publish(b.build())
                    .orTimeout(core.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((result, error) -> answer(exchange, s, result, error, kind, qos1));
        } catch (final RuntimeException e) {
            log.error("Publish failed unexpectedly: {}", e.toString());
            log.debug("Publish failure", e);
            Core.respond(exchange, ResponseCode.INTERNAL_SERVER_ERROR, "the gateway failed to handle the request");
        }
    }

    private static void answer(final CoapExchange exchange, final DeviceSession s, final Mqtt5PublishResult result,
                               final Throwable error, final Kind kind, final boolean qos1) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        Mqtt5PubAck ack = null;
        if (cause instanceof Mqtt5PubAckException) {
            ack = ((Mqtt5PubAckException) cause).getMqttMessage();
            cause = null;
        } else if (cause == null && result instanceof Mqtt5PublishResult.Mqtt5Qos1Result) {
            ack = ((Mqtt5PublishResult.Mqtt5Qos1Result) result).getPubAck();
        }
        if (cause != null) {
            log.debug("Publish of {} failed: {}", s.uid(), cause.toString());
            final Response r = new Response(ResponseCode.SERVICE_UNAVAILABLE);
            r.setPayload(cause instanceof TimeoutException ? "the broker did not answer in time"
                    : "the broker is not reachable: " + cause.getMessage());
            r.getOptions().setMaxAge(5);
            exchange.respond(r);
            return;
        }
        if (!qos1 || ack == null) {
            exchange.respond(ResponseCode.CHANGED);
            return;
        }
        final String status = first(ack.getUserProperties(), Props.STATUS);
        final boolean write = kind != Kind.MESSAGE;
        // a message answers with its rtm-id, an attribute write with the key's new revision (also as ETag)
        final String id = first(ack.getUserProperties(), write ? Props.REV : Props.ID);
        final Outcome outcome = Outcome.ofPuback(ack.getReasonCode().getCode(), status,
                ack.getReasonString().map(Object::toString).orElse(null), id, write, kind == Kind.DELETE);
        final byte[] etag = write && outcome.code().isSuccess() ? Revisions.etag(id) : null;
        Core.respond(exchange, outcome, etag);
    }

    private static String first(final Mqtt5UserProperties props, final String name) {
        return props.asList().stream().filter(u -> u.getName().toString().equals(name))
                .map(u -> u.getValue().toString()).findFirst().orElse(null);
    }

    @Override
    public void handleGET(final CoapExchange exchange) {
        try {
            read(exchange);
        } catch (final RuntimeException e) {
            log.error("Read failed unexpectedly: {}", e.toString());
            log.debug("Read failure", e);
            Core.respond(exchange, ResponseCode.INTERNAL_SERVER_ERROR, "the gateway failed to handle the read");
        }
    }

    private void read(final CoapExchange exchange) {
        final Request request = exchange.advanced().getRequest();
        final PublishOptions options = PublishOptions.parse(request.getOptions().getUriQuery(), false);
        final DeviceSession s = core.session(exchange, options);
        if (s == null) {
            return;
        }
        if (request.getOptions().hasObserve()) {
            // deregistration (Observe: 1; Observe: 0 goes to a new ObservationResource): the relation is found by the
            // session and the token, not by the source address, so it also works after a NAT rebinding
            final boolean ended = s.deregister(request.getToken().getBytes());
            log.debug("{} deregistered an observation ({})", s.uid(), ended ? "ended" : "none with that token");
            exchange.respond(ResponseCode.CONTENT);
            return;
        }
        if (options.error() != null) {
            Core.respond(exchange, ResponseCode.BAD_REQUEST, options.error());
            return;
        }
        final CoapTopics.Target target = CoapTopics.filter(request.getOptions().getUriPath());
        if (!target.ok()) {
            Core.respond(exchange, ResponseCode.BAD_REQUEST, target.error());
            return;
        }
        if (target.family() == null || OBSERVE_ONLY.contains(target.family())) {
            Core.respond(exchange, ResponseCode.METHOD_NOT_ALLOWED, "messages on " + target.topic()
                    + " are received by observing it (GET with Observe: 0); GET without Observe reads state "
                    + "(presence, attributes, members, counts)");
            return;
        }
        final CompletableFuture<Integer> subAck = new CompletableFuture<>();
        final String[] reason = new String[1];
        final CompletableFuture<Mqtt5Publish> value = s.read(target.topic(), target.family(),
                filter -> s.link().subscribe(filter).thenApply(granted -> {
                    reason[0] = granted.reason();
                    return granted.code();
                }), subAck);
        subAck.whenComplete((code, error) -> {
            final Outcome refused = Outcome.ofSuback(code, reason[0]);
            if (refused != null) {
                s.endRead(target.topic(), value, filter -> s.link().unsubscribe(filter));
                Core.respond(exchange, refused);
                return;
            }
            core.scheduler().schedule(() -> value.complete(null), core.readWindow().toMillis(), TimeUnit.MILLISECONDS);
        });
        value.whenComplete((message, error) -> {
            s.endRead(target.topic(), value, filter -> s.link().unsubscribe(filter));
            if (subAck.isDone() && subAck.join() >= 0x80) {
                return;
            }
            if (message == null || message.getPayloadAsBytes().length == 0) {
                Core.respond(exchange, ResponseCode.NOT_FOUND, "no value is retained on " + target.topic());
                return;
            }
            final Response r = new Response(ResponseCode.CONTENT);
            r.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
            final Map<String, String> props = new HashMap<>();
            message.getUserProperties().asList().forEach(u -> props.putIfAbsent(u.getName().toString(),
                    u.getValue().toString()));
            r.setPayload(Envelope.json(message.getTopic().toString(), message.getPayloadAsBytes(), props));
            final byte[] etag = ATTRIBUTES.contains(target.family()) ? Revisions.etag(props.get(Props.REV)) : null;
            if (etag != null) {
                r.getOptions().addETag(etag);
            }
            exchange.respond(r);
        });
    }
}
