package org.openrtm.extension.rpc;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.delivery.Outbound;
import org.openrtm.extension.delivery.RtmMessage;
import org.openrtm.extension.routing.InboundPublish;
import org.openrtm.extension.routing.SendResult;
import org.openrtm.extension.metrics.RtmMetrics;
import org.openrtm.extension.session.Connection;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Rpc;
import org.openrtm.protocol.RtmStatus;
import org.openrtm.protocol.RtmTopics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests to the extension: a JSON body published to {@code rtm/rpc/{method}}, answered on the caller's own event
 * topic (as the MQTT 5 Response Topic with the same Correlation Data, or, without one, as an event of type
 * {@code rpc} carrying the request's {@code rid}). Thread-safe.
 */
public final class RpcService {

    private static final Logger log = LoggerFactory.getLogger(RpcService.class);
    private static final String OK = "ok";

    private final Map<String, RpcHandler> handlers = new ConcurrentHashMap<>();
    private final Outbound outbound;
    private final RtmMetrics metrics;

    public RpcService(final @NotNull Outbound outbound, final @NotNull RtmMetrics metrics) {
        this.outbound = outbound;
        this.metrics = metrics;
    }

    /** Adds a method. */
    public void register(final @NotNull String method, final @NotNull RpcHandler handler) {
        handlers.put(method, handler);
    }

    /** The methods registered, sorted. */
    public @NotNull List<String> methods() {
        return List.copyOf(new TreeMap<>(handlers).keySet());
    }

    /**
     * Calls a method directly (for the REST API), without MQTT around it.
     *
     * @return the result; fails with {@link RpcException} for a protocol error (also for an unknown method)
     */
    public @NotNull CompletableFuture<JsonElement> call(final @NotNull String method, final @NotNull Connection caller,
                                                        final @NotNull JsonObject params) {
        final long started = System.nanoTime();
        final RpcHandler handler = handlers.get(method);
        CompletableFuture<JsonElement> result;
        if (handler == null) {
            result = CompletableFuture.failedFuture(new RpcException(Rpc.ERR_UNKNOWN_METHOD, "unknown method " + method));
        } else {
            try {
                result = handler.handle(caller, params);
            } catch (final RpcException e) {
                result = CompletableFuture.failedFuture(e);
            }
        }
        return result.whenComplete((value, error) -> {
            final Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            final String outcome = cause == null ? OK : cause instanceof RpcException
                    ? ((RpcException) cause).code() : Rpc.ERR_INTERNAL;
            metrics.rpc(methodLabel(method), outcome, RtmMetrics.transport(caller), started);
        });
    }

    private String methodLabel(final String method) {
        return handlers.containsKey(method) ? method : RtmMetrics.UNKNOWN_KIND;
    }

    /**
     * Handles a request: answers it on the caller's event topic and says what the PUBACK carries. Never fails.
     *
     * @param caller the connection
     * @param p      the publish to {@code rtm/rpc/{method}}
     */
    public @NotNull CompletableFuture<SendResult> handle(final @NotNull Connection caller, final @NotNull InboundPublish p) {
        final long started = System.nanoTime();
        final String method = p.parsed().id();
        final String eventTopic = RtmTopics.event(caller.uid());
        if (p.responseTopic() != null && !p.responseTopic().equals(eventTopic)) {
            return CompletableFuture.completedFuture(SendResult.refused(RtmStatus.FORBIDDEN,
                    "response topic must be your own event topic " + eventTopic + ", but was " + Ids.show(p.responseTopic())));
        }
        JsonObject params;
        String rid = null;
        try {
            final String text = new String(p.payload(), StandardCharsets.UTF_8).trim();
            final JsonElement body = text.isEmpty() ? new JsonObject() : JsonParser.parseString(text);
            if (!body.isJsonObject()) {
                throw new RpcException(Rpc.ERR_INVALID, "request body must be a JSON object");
            }
            params = body.getAsJsonObject();
            final JsonElement ridElement = params.remove(Rpc.FIELD_RID);
            if (ridElement != null) {
                if (!ridElement.isJsonPrimitive()) {
                    throw new RpcException(Rpc.ERR_INVALID, "rid must be a string or a number");
                }
                rid = ridElement.getAsString();
                if (rid.length() > 128) {
                    throw new RpcException(Rpc.ERR_INVALID, "rid must be at most 128 characters, but was "
                            + rid.length() + " characters");
                }
            }
        } catch (final JsonParseException | IllegalStateException e) {
            return reply(started, caller, p, method, null, Rpc.ERR_INVALID, "request body is not valid JSON", null);
        } catch (final RpcException e) {
            return reply(started, caller, p, method, rid, e.code(), e.getMessage(), null);
        }
        final RpcHandler handler = handlers.get(method);
        if (handler == null) {
            return reply(started, caller, p, method, rid, Rpc.ERR_UNKNOWN_METHOD,
                    "unknown method " + Ids.show(method) + "; the methods are " + methods(), null);
        }
        final String requestId = rid;
        final JsonObject request = params;
        CompletableFuture<JsonElement> result;
        try {
            result = handler.handle(caller, request);
        } catch (final RpcException e) {
            result = CompletableFuture.failedFuture(e);
        } catch (final RuntimeException e) {
            log.error("RPC {} from {} failed: {}", method, caller.uid(), e.toString());
            log.debug("RPC failure", e);
            result = CompletableFuture.failedFuture(new RpcException(Rpc.ERR_INTERNAL, "the server failed: " + e));
        }
        return result.handle((value, error) -> {
            if (error == null) {
                return reply(started, caller, p, method, requestId, null, null, value);
            }
            final Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof RpcException) {
                final RpcException re = (RpcException) cause;
                return reply(started, caller, p, method, requestId, re.code(), re.getMessage(), null);
            }
            log.error("RPC {} from {} failed: {}", method, caller.uid(), cause.toString());
            log.debug("RPC failure", cause);
            return reply(started, caller, p, method, requestId, Rpc.ERR_INTERNAL, "the server failed: " + cause, null);
        }).thenCompose(f -> f);
    }

    private CompletableFuture<SendResult> reply(
            final long started,
            final Connection caller,
            final InboundPublish p,
            final String method,
            final @Nullable String rid,
            final @Nullable String errorCode,
            final @Nullable String errorMessage,
            final @Nullable JsonElement result) {
        metrics.rpc(methodLabel(method), errorCode == null ? OK : errorCode, RtmMetrics.transport(caller), started);
        final JsonObject body = new JsonObject();
        final boolean asEvent = p.responseTopic() == null;
        if (asEvent) {
            body.addProperty(Rpc.FIELD_TYPE, "rpc");
            body.addProperty(Rpc.FIELD_METHOD, method);
        }
        if (rid != null) {
            body.addProperty(Rpc.FIELD_RID, rid);
        }
        body.addProperty(Rpc.FIELD_OK, errorCode == null);
        if (errorCode == null) {
            body.add(Rpc.FIELD_RESULT, result == null ? new JsonObject() : result);
        } else {
            final JsonObject error = new JsonObject();
            error.addProperty("code", errorCode);
            error.addProperty("message", errorMessage);
            body.add(Rpc.FIELD_ERROR, error);
        }
        final String topic = RtmTopics.event(caller.uid());
        final RtmMessage reply = new RtmMessage(topic, body.toString().getBytes(StandardCharsets.UTF_8), 1, false,
                List.of(), null, p.correlation(), null, "application/json", true);
        final SendResult ack = ackFor(caller, errorCode, errorMessage);
        return outbound.toClient(caller.uid(), reply).handle((handed, error) -> {
            if (error != null || !Boolean.TRUE.equals(handed)) {
                log.debug("RPC reply to {} not delivered: not subscribed to {}", caller.uid(), topic);
            }
            return ack;
        });
    }

    private static SendResult ackFor(final Connection caller, final @Nullable String errorCode, final @Nullable String message) {
        if (errorCode == null || !caller.isMqtt5()) {
            // MQTT 3.1.1 has no negative PUBACK: the reply carries the error
            return SendResult.ok(RtmStatus.DELIVERED, null, null);
        }
        switch (errorCode) {
            case Rpc.ERR_INVALID:
            case Rpc.ERR_UNKNOWN_METHOD:
                return SendResult.refused(RtmStatus.INVALID, message);
            case Rpc.ERR_FORBIDDEN:
                return SendResult.refused(RtmStatus.FORBIDDEN, message);
            case Rpc.ERR_TOO_LARGE:
                return SendResult.refused(RtmStatus.TOO_LARGE, message);
            case Rpc.ERR_RATE_LIMITED:
                return SendResult.refused(RtmStatus.RATE_LIMITED, message);
            default:
                // the request itself was fine; the reply says what went wrong
                return SendResult.ok(RtmStatus.DELIVERED, null, null);
        }
    }
}
