package org.openrtm.broker.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.RtmRuntime;
import org.openrtm.extension.config.Setting;
import org.openrtm.extension.config.Settings;
import org.openrtm.extension.delivery.RtmMessage;
import org.openrtm.extension.metrics.RtmMetrics;
import org.openrtm.extension.routing.InboundPublish;
import org.openrtm.extension.routing.SendResult;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Props;
import org.openrtm.protocol.Role;
import org.openrtm.protocol.Rpc;
import org.openrtm.protocol.RtmStatus;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.protocol.TopicFamily;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The REST operations. Each one calls the same service or RPC method an MQTT client would, so both protocols share
 * every rule, limit and error message. See {@code openapi.json} for the contract.
 */
final class RestRoutes {

    /** The body fields of each kind of message, as openapi.json documents them (OpenApiIT keeps them equal). */
    private static final String[] PEER_FIELDS = {"text", "base64", "properties", "contentType", "offline", "receipt", "history",
        "expirySeconds", "cid", "async"};
    private static final String[] CHANNEL_FIELDS = {"text", "base64", "properties", "contentType", "only", "except",
        "history"};
    private static final String[] BROADCAST_FIELDS = {"text", "base64", "properties", "contentType", "history"};

    private RestRoutes() {
    }

    static @NotNull List<Route> all(final @NotNull Supplier<RtmRuntime> runtime) {
        final List<Route> r = new ArrayList<>();
        r.add(new Route("POST", "/api/v1/users/{uid}/messages", Route.Access.SERVICE, 200,
                req -> counted(runtime.get(), TopicFamily.INBOX, req, RestRoutes::sendPeer)));
        r.add(new Route("POST", "/api/v1/channels/{cid}/messages", Route.Access.SERVICE, 200,
                req -> counted(runtime.get(), TopicFamily.CHANNEL_MSG, req, RestRoutes::sendChannel)));
        r.add(new Route("POST", "/api/v1/broadcast", Route.Access.SERVICE, 200,
                req -> counted(runtime.get(), TopicFamily.BROADCAST, req, RestRoutes::broadcast)));
        r.add(new Route("GET", "/api/v1/presence", Route.Access.SERVICE, 200, req -> {
            final JsonObject p = new JsonObject();
            p.add("uids", list(req.query("uids"), "uids"));
            return runtime.get().rpc().call(Rpc.PRESENCE_QUERY, req.caller(), p);
        }));
        r.add(new Route("GET", "/api/v1/users/{uid}/presence", Route.Access.SERVICE, 200, req -> {
            final String uid = uid(req.path("uid"));
            return runtime.get().presence().state(uid).thenApply(s -> {
                final JsonObject o = new JsonObject();
                o.addProperty("uid", uid);
                o.addProperty("state", s.wire());
                return o;
            });
        }));
        r.add(new Route("GET", "/api/v1/users/{uid}/channels", Route.Access.SERVICE, 200, req -> {
            final JsonObject p = new JsonObject();
            p.addProperty("uid", uid(req.path("uid")));
            return runtime.get().rpc().call(Rpc.CHANNEL_JOINED, req.caller(), p);
        }));
        r.add(new Route("GET", "/api/v1/channels/{cid}/members", Route.Access.SERVICE, 200, req -> {
            final JsonObject p = new JsonObject();
            p.addProperty("cid", req.path("cid"));
            if (req.query("limit") != null) {
                p.addProperty("limit", number(req.query("limit"), "limit"));
            }
            if (req.query("cursor") != null) {
                p.addProperty("cursor", req.query("cursor"));
            }
            return runtime.get().rpc().call(Rpc.CHANNEL_MEMBERS, req.caller(), p);
        }));
        r.add(new Route("GET", "/api/v1/channels", Route.Access.SERVICE, 200, req -> {
            final JsonObject p = new JsonObject();
            p.add("cids", list(req.query("cids"), "cids"));
            return runtime.get().rpc().call(Rpc.CHANNEL_COUNT, req.caller(), p);
        }));
        for (final String scope : new String[] {"user", "channel"}) {
            final String base = scope.equals("user") ? "/api/v1/users/{uid}/attributes" : "/api/v1/channels/{cid}/attributes";
            final String idName = scope.equals("user") ? "uid" : "cid";
            r.add(new Route("GET", base, Route.Access.SERVICE, 200, req -> {
                final JsonObject p = attrTarget(scope, req.path(idName));
                if (req.query("keys") != null) {
                    p.add("keys", list(req.query("keys"), "keys"));
                }
                return runtime.get().rpc().call(Rpc.ATTR_GET, req.caller(), p);
            }));
            r.add(new Route("PUT", base, Route.Access.SERVICE, 200,
                    req -> attrSet(runtime.get(), req, scope, idName, "replace")));
            r.add(new Route("PATCH", base, Route.Access.SERVICE, 200,
                    req -> attrSet(runtime.get(), req, scope, idName, "merge")));
            r.add(new Route("DELETE", base, Route.Access.SERVICE, 200, req -> {
                final JsonObject p = attrTarget(scope, req.path(idName));
                final String keys = req.query("keys");
                final String all = req.query("all");
                if ((keys == null) == !"true".equals(all)) {
                    throw ApiException.invalid("give exactly one of keys=k1,k2 or all=true");
                }
                if (keys != null) {
                    p.add("keys", list(keys, "keys"));
                } else {
                    p.addProperty("all", true);
                }
                return runtime.get().rpc().call(Rpc.ATTR_DELETE, req.caller(), p);
            }));
        }
        r.add(new Route("GET", "/api/v1/users/{uid}/history", Route.Access.SERVICE, 200, req -> {
            final JsonObject p = historyQuery(req);
            p.addProperty("uid", uid(req.path("uid")));
            final String peer = req.query("peer");
            if (peer == null) {
                throw ApiException.invalid("peer is required: the other side of the conversation");
            }
            p.addProperty("peer", peer);
            return runtime.get().rpc().call(Rpc.HISTORY_QUERY, req.caller(), p);
        }));
        r.add(new Route("GET", "/api/v1/channels/{cid}/history", Route.Access.SERVICE, 200, req -> {
            final JsonObject p = historyQuery(req);
            p.addProperty("cid", req.path("cid"));
            return runtime.get().rpc().call(Rpc.HISTORY_QUERY, req.caller(), p);
        }));
        r.add(new Route("GET", "/api/v1/server", Route.Access.SERVICE, 200,
                req -> runtime.get().rpc().call(Rpc.SERVER_INFO, req.caller(), new JsonObject())));
        r.add(new Route("GET", "/api/v1/stats", Route.Access.SERVICE, 200, req -> stats(runtime.get())));
        r.add(new Route("POST", "/api/v1/tokens", Route.Access.ADMIN, 201, req -> mint(runtime.get(), req)));
        r.add(new Route("POST", "/api/v1/users/{uid}/kick", Route.Access.ADMIN, 200, req -> {
            final String uid = uid(req.path("uid"));
            final String reason = optString(req.json("reason"), "reason");
            final String why = reason == null || reason.isBlank() ? "disconnected by an administrator" : reason;
            if (why.length() > 256) {
                throw ApiException.invalid("reason must be at most 256 characters, but was " + why.length());
            }
            return runtime.get().kick(uid, why).thenApply(was -> {
                final JsonObject o = new JsonObject();
                o.addProperty("uid", uid);
                o.addProperty("kicked", was);
                return o;
            });
        }));
        return List.copyOf(r);
    }

    // ------------------------------------------------------------------------------------------------------ sending

    /** A send route: answers the request, counting the service's decision with {@link #decided}. */
    @FunctionalInterface
    private interface Send {
        CompletableFuture<JsonElement> send(RtmRuntime rt, ApiRequest req, Counted counted);
    }

    /** Counts one decision of the message service, whatever it is. */
    @FunctionalInterface
    private interface Counted {
        CompletableFuture<SendResult> decided(CompletableFuture<SendResult> sent);
    }

    /**
     * Runs a send route and counts its outcome in the metrics as the MQTT path does (transport {@code rest}): the
     * service's decision, or the refusal of a request that never reached the service (bad body, too large).
     */
    private static CompletableFuture<JsonElement> counted(final RtmRuntime rt, final TopicFamily family,
                                                          final ApiRequest req, final Send route) {
        final long started = System.nanoTime();
        try {
            return route.send(rt, req, sent -> sent.whenComplete((result, error) -> rt.metrics().decided(family,
                    result != null ? result.status() : RtmStatus.INTERNAL, RtmMetrics.REST, started)));
        } catch (final ApiException e) {
            final RtmStatus status = RtmStatus.fromCode(e.code());
            rt.metrics().decided(family, status == null || status.isSuccess() ? RtmStatus.INVALID : status,
                    RtmMetrics.REST, started);
            throw e;
        }
    }

    private static CompletableFuture<JsonElement> sendPeer(final RtmRuntime rt, final ApiRequest req,
                                                           final Counted counted) {
        final String to = uid(req.path("uid"));
        final JsonObject body = req.json(PEER_FIELDS);
        final String topic = RtmTopics.inbox(to, req.caller().uid());
        final InboundPublish p = publish(rt, topic, body);
        final boolean async = bool(body, "async", false);
        final CompletableFuture<SendResult> sent = counted.decided(rt.peer().send(req.caller(), p));
        if (async) {
            final JsonObject accepted = new JsonObject();
            accepted.addProperty("accepted", true);
            return CompletableFuture.completedFuture(accepted);
        }
        return sent.thenApply(result -> {
            final JsonObject o = outcome(result);
            o.addProperty("status", result.status().code());
            return o;
        });
    }

    private static CompletableFuture<JsonElement> sendChannel(final RtmRuntime rt, final ApiRequest req,
                                                              final Counted counted) {
        final String cid = req.path("cid");
        final String cidError = Ids.cidError(cid);
        if (cidError != null) {
            throw ApiException.invalid(cidError);
        }
        final JsonObject body = req.json(CHANNEL_FIELDS);
        final InboundPublish p = publish(rt, RtmTopics.channelMsg(cid, req.caller().uid()), body);
        return counted.decided(rt.channels().sendAsService(req.caller(), p))
                .thenApply(RestRoutes::outcomeWithRecipients);
    }

    private static CompletableFuture<JsonElement> broadcast(final RtmRuntime rt, final ApiRequest req,
                                                            final Counted counted) {
        final InboundPublish p = publish(rt, RtmTopics.broadcast(req.caller().uid()), req.json(BROADCAST_FIELDS));
        return counted.decided(rt.channels().broadcast(req.caller(), p)).thenCompose(result -> {
            if (result.relay() == null || !result.status().isSuccess()) {
                return CompletableFuture.completedFuture(outcomeWithRecipients(result));
            }
            // over MQTT the broker relays the publish itself; here the server publishes it
            final RtmMessage m = new RtmMessage(p.topic(), p.payload(), 1, false, result.relay(), null, null, null,
                    p.contentType(), p.utf8());
            return rt.outbound().publish(m).thenApply(v -> outcomeWithRecipients(result));
        });
    }

    private static JsonObject outcome(final SendResult result) {
        if (!result.status().isSuccess()) {
            throw new ApiException(ApiException.statusOf(result.status().code()), result.status().code(),
                    result.reason() == null ? result.status().code() : result.reason());
        }
        final JsonObject o = new JsonObject();
        o.addProperty("id", result.rtmId());
        return o;
    }

    private static JsonElement outcomeWithRecipients(final SendResult result) {
        final JsonObject o = outcome(result);
        final String n = result.extra().get(Props.RECIPIENTS);
        o.addProperty("recipients", n == null ? 0 : Integer.parseInt(n));
        return o;
    }

    /** A publish as an MQTT client would have sent it, from the request body's fields (checked by the caller). */
    private static InboundPublish publish(final RtmRuntime rt, final String topic, final JsonObject body) {
        final String text = optString(body, "text");
        final String b64 = optString(body, "base64");
        if ((text == null) == (b64 == null)) {
            throw ApiException.invalid("give the payload as exactly one of text or base64");
        }
        final byte[] payload;
        try {
            payload = text != null ? text.getBytes(StandardCharsets.UTF_8) : Base64.getDecoder().decode(b64);
        } catch (final IllegalArgumentException e) {
            throw ApiException.invalid("base64 is not valid Base64");
        }
        final int max = rt.config().get(Settings.MAX_PAYLOAD_BYTES);
        if (payload.length > max) {
            throw new ApiException(413, Rpc.ERR_TOO_LARGE, "payload is " + payload.length + " bytes; the limit is " + max
                    + " bytes (limits.max-payload-bytes)");
        }
        final List<Map.Entry<String, String>> props = new ArrayList<>();
        final JsonElement custom = body.get("properties");
        if (custom != null && !custom.isJsonNull()) {
            if (!custom.isJsonObject()) {
                throw ApiException.invalid("properties must be an object of strings");
            }
            for (final Map.Entry<String, JsonElement> e : custom.getAsJsonObject().entrySet()) {
                if (!e.getValue().isJsonPrimitive() || e.getKey().startsWith("rtm-")) {
                    throw ApiException.invalid("properties must map names to strings, and names must not start with rtm-");
                }
                props.add(Map.entry(e.getKey(), e.getValue().getAsString()));
            }
        }
        if (body.has("offline")) {
            props.add(Map.entry(Props.OFFLINE, Boolean.toString(bool(body, "offline", true))));
        }
        if (body.has("history")) {
            props.add(Map.entry(Props.HISTORY, Boolean.toString(bool(body, "history", true))));
        }
        if (bool(body, "receipt", false)) {
            props.add(Map.entry(Props.RECEIPT, Props.TRUE));
        }
        final String cid = optString(body, "cid");
        if (cid != null) {
            props.add(Map.entry(Props.CID, cid));
        }
        if (body.has("only")) {
            props.add(Map.entry(Props.ONLY, joined(body.get("only"), "only")));
        }
        if (body.has("except")) {
            props.add(Map.entry(Props.EXCEPT, joined(body.get("except"), "except")));
        }
        Long expiry = null;
        if (body.has("expirySeconds")) {
            final long e = number(body.get("expirySeconds").getAsString(), "expirySeconds");
            if (e < 0 || e > 4_294_967_295L) {
                throw ApiException.invalid("expirySeconds must be between 0 and 4294967295, but was " + e);
            }
            expiry = e;
        }
        return new InboundPublish(topic, RtmTopics.parse(topic), payload, 1, false, props, expiry, null, null,
                optString(body, "contentType"), text != null);
    }

    // ------------------------------------------------------------------------------------------- attributes, history

    private static JsonObject attrTarget(final String scope, final String id) {
        final JsonObject p = new JsonObject();
        p.addProperty("scope", scope);
        p.addProperty("id", id);
        return p;
    }

    private static CompletableFuture<JsonElement> attrSet(final RtmRuntime rt, final ApiRequest req, final String scope,
                                                          final String idName, final String mode) {
        final JsonObject body = req.json("attrs", "ifRev");
        final JsonObject p = attrTarget(scope, req.path(idName));
        final JsonElement attrs = body.get("attrs");
        if (attrs == null || !attrs.isJsonObject()) {
            throw ApiException.invalid("attrs is required: an object of keys to string values");
        }
        p.add("attrs", attrs);
        p.addProperty("mode", mode);
        final JsonElement ifRev = body.get("ifRev");
        if (ifRev != null && !ifRev.isJsonNull()) {
            p.add("ifRev", ifRev);
        }
        return rt.rpc().call(Rpc.ATTR_SET, req.caller(), p);
    }

    private static JsonObject historyQuery(final ApiRequest req) {
        final JsonObject p = new JsonObject();
        for (final String name : new String[] {"start", "end", "limit"}) {
            if (req.query(name) != null) {
                p.addProperty(name, number(req.query(name), name));
            }
        }
        for (final String name : new String[] {"order", "cursor"}) {
            if (req.query(name) != null) {
                p.addProperty(name, req.query(name));
            }
        }
        return p;
    }

    // -------------------------------------------------------------------------------------------------------- admin

    private static CompletableFuture<JsonElement> mint(final RtmRuntime rt, final ApiRequest req) {
        final JsonObject body = req.json("uid", "role", "ttl");
        final String uid = uid(optString(body, "uid"));
        final String roleText = optString(body, "role");
        final Role role = roleText == null ? Role.USER : Role.fromWire(roleText);
        if (role == null) {
            throw ApiException.invalid("role must be user, service or admin, but was " + Ids.show(roleText));
        }
        final String ttlText = optString(body, "ttl");
        final Duration ttl = ttlText == null ? Duration.ofHours(24) : Setting.parseDuration(ttlText);
        if (ttl == null || ttl.isZero() || ttl.compareTo(Duration.ofDays(366)) > 0) {
            throw ApiException.invalid("ttl must be a duration between 1ms and 366d such as 30m, 24h or 7d, but was "
                    + Ids.show(ttlText));
        }
        final JsonObject o = new JsonObject();
        o.addProperty("uid", uid);
        o.addProperty("role", role.wire());
        o.addProperty("token", rt.tokens().mint(uid, role, ttl));
        o.addProperty("expiresAt", Instant.now().plus(ttl).toEpochMilli());
        return CompletableFuture.completedFuture(o);
    }

    private static CompletableFuture<JsonElement> stats(final RtmRuntime rt) {
        final JsonObject o = new JsonObject();
        o.addProperty("time", System.currentTimeMillis());
        final JsonObject gauges = new JsonObject();
        rt.metrics().gaugeValues().forEach(gauges::addProperty);
        o.add("gauges", gauges);
        final JsonObject accepted = new JsonObject();
        rt.metrics().acceptedCounts().forEach(accepted::addProperty);
        o.add("messages", accepted);
        final JsonObject refused = new JsonObject();
        rt.metrics().refusalCounts().forEach(refused::addProperty);
        o.add("refusals", refused);
        return CompletableFuture.completedFuture(o);
    }

    // ------------------------------------------------------------------------------------------------------ parsing

    private static String uid(final @Nullable String uid) {
        final String error = Ids.uidError(uid);
        if (error != null) {
            throw ApiException.invalid(error);
        }
        return uid;
    }

    private static JsonArray list(final @Nullable String csv, final String name) {
        if (csv == null || csv.isEmpty()) {
            throw ApiException.invalid(name + " is required: a comma-separated list");
        }
        final JsonArray a = new JsonArray();
        for (final String s : csv.split(",", -1)) {
            a.add(s.trim());
        }
        return a;
    }

    private static String joined(final JsonElement e, final String name) {
        if (!e.isJsonArray()) {
            throw ApiException.invalid(name + " must be an array of uids");
        }
        final StringBuilder sb = new StringBuilder();
        for (final JsonElement x : e.getAsJsonArray()) {
            if (!x.isJsonPrimitive()) {
                throw ApiException.invalid(name + " must be an array of uids");
            }
            sb.append(sb.length() == 0 ? "" : ",").append(x.getAsString());
        }
        return sb.toString();
    }

    private static long number(final @Nullable String text, final String name) {
        try {
            return Long.parseLong(text);
        } catch (final NumberFormatException e) {
            throw ApiException.invalid(name + " must be a whole number, but was " + Ids.show(text));
        }
    }

    private static @Nullable String optString(final JsonObject o, final String name) {
        final JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw ApiException.invalid(name + " must be a string");
        }
        return e.getAsString();
    }

    private static boolean bool(final JsonObject o, final String name, final boolean def) {
        final JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            return def;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw ApiException.invalid(name + " must be true or false");
        }
        return e.getAsBoolean();
    }
}
