package org.openrtm.sdk.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.Limits;
import org.openrtm.sdk.ServerInfo;
import org.openrtm.sdk.channel.MemberPage;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The few JSON documents the SDK reads (events, RPC replies, {@code server.info}), with Gson. Pure. */
final class Json {

    private Json() {
    }

    /** Parses a JSON object; null if the bytes are not one. */
    static @Nullable JsonObject object(final byte[] utf8) {
        try {
            final JsonElement e = JsonParser.parseString(new String(utf8, StandardCharsets.UTF_8));
            return e.isJsonObject() ? e.getAsJsonObject() : null;
        } catch (final JsonParseException | IllegalStateException e) {
            return null;
        }
    }

    /** Whether the text is a JSON object. */
    static boolean isObject(final String json) {
        return object(json.getBytes(StandardCharsets.UTF_8)) != null;
    }

    static @Nullable String string(final JsonObject o, final String name) {
        final JsonElement e = o.get(name);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
    }

    static long number(final JsonObject o, final String name, final long fallback) {
        final JsonElement e = o.get(name);
        try {
            return e != null && e.isJsonPrimitive() ? e.getAsLong() : fallback;
        } catch (final NumberFormatException ex) {
            return fallback;
        }
    }

    /** Reads a {@code server.info} result. */
    static ServerInfo serverInfo(final String resultJson) {
        final JsonObject r = object(resultJson.getBytes(StandardCharsets.UTF_8));
        if (r == null) {
            throw new IllegalArgumentException("server.info result is not a JSON object");
        }
        final JsonObject l = r.has("limits") && r.get("limits").isJsonObject() ? r.getAsJsonObject("limits") : new JsonObject();
        final ServerInfo.Limits limits = new ServerInfo.Limits(
                (int) number(l, "maxPayloadBytes", Limits.MAX_PAYLOAD_BYTES),
                (int) number(l, "ratePerSecond", Limits.RATE_PER_SECOND),
                (int) number(l, "rateBurst", Limits.RATE_BURST),
                (int) number(l, "offlineMaxMessages", Limits.OFFLINE_MAX_MESSAGES),
                Duration.ofSeconds(number(l, "offlineTtlSeconds", Limits.OFFLINE_TTL_SECONDS)),
                Duration.ofSeconds(number(l, "dedupWindowSeconds", Limits.DEDUP_WINDOW_SECONDS)),
                (int) number(l, "maxRecipientList", Limits.MAX_RECIPIENT_LIST));
        return new ServerInfo(orEmpty(string(r, "version")), orEmpty(string(r, "uid")), orEmpty(string(r, "role")),
                orEmpty(string(r, "via")), Instant.ofEpochMilli(number(r, "time", 0)), limits);
    }

    /** Parses an RPC result that must be a JSON object. */
    static JsonObject resultObject(final String method, final String resultJson) {
        final JsonObject r = object(resultJson.getBytes(StandardCharsets.UTF_8));
        if (r == null) {
            throw new IllegalArgumentException(method + " result is not a JSON object");
        }
        return r;
    }

    /** The strings of an array field, unmodifiable (empty if the field is missing). */
    static List<String> strings(final JsonObject o, final String name) {
        final JsonElement array = o.get(name);
        final List<String> out = new ArrayList<>();
        if (array != null && array.isJsonArray()) {
            for (final JsonElement e : array.getAsJsonArray()) {
                if (e.isJsonPrimitive()) {
                    out.add(e.getAsString());
                }
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Reads a {@code channel.members} result. */
    static MemberPage memberPage(final String cid, final String resultJson) {
        final JsonObject r = resultObject("channel.members", resultJson);
        return new MemberPage(cid, strings(r, "members"), string(r, "cursor"));
    }

    private static String orEmpty(final @Nullable String s) {
        return s == null ? "" : s;
    }
}
