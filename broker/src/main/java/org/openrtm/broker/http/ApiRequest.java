package org.openrtm.broker.http;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.rpc.Params;
import org.openrtm.extension.rpc.RpcException;
import org.openrtm.extension.session.Connection;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** One authenticated REST request: the caller, path and query parameters, and the JSON body. Immutable. */
public final class ApiRequest {

    private final Connection caller;
    private final Map<String, String> path;
    private final Map<String, String> query;
    private final String body;

    ApiRequest(final @NotNull Connection caller, final @NotNull Map<String, String> path,
               final @Nullable String rawQuery, final @NotNull String body) {
        this.caller = caller;
        this.path = Map.copyOf(path);
        this.query = parseQuery(rawQuery);
        this.body = body;
    }

    /** The calling service (uid and role of its token). */
    public @NotNull Connection caller() {
        return caller;
    }

    /** A path parameter (URL-decoded). */
    public @NotNull String path(final @NotNull String name) {
        final String v = path.get(name);
        if (v == null) {
            throw new IllegalStateException("route has no path parameter " + name);
        }
        return URLDecoder.decode(v, StandardCharsets.UTF_8);
    }

    /** A query parameter, or {@code null}. */
    public @Nullable String query(final @NotNull String name) {
        return query.get(name);
    }

    /**
     * The body as a JSON object ({@code {}} when empty), with no field outside {@code fields}.
     *
     * @throws ApiException (400) if the body is not a JSON object
     * @throws RpcException (invalid, 400) naming the first unknown field and the known ones, so that a misspelt
     *                      field is refused instead of ignored
     */
    public @NotNull JsonObject json(final @NotNull String... fields) {
        final JsonObject o = json();
        Params.onlyKnown(o, fields);
        return o;
    }

    private JsonObject json() {
        if (body.isBlank()) {
            return new JsonObject();
        }
        try {
            final JsonElement e = JsonParser.parseString(body);
            if (!e.isJsonObject()) {
                throw ApiException.invalid("request body must be a JSON object");
            }
            return e.getAsJsonObject();
        } catch (final JsonParseException e) {
            throw ApiException.invalid("request body is not valid JSON");
        }
    }

    private static Map<String, String> parseQuery(final @Nullable String raw) {
        final Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (final String pair : raw.split("&")) {
            final int eq = pair.indexOf('=');
            final String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            final String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(k, v);
        }
        return out;
    }
}
