package org.openrtm.broker.http;

import com.google.gson.JsonElement;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One REST operation: method, path pattern (with {@code {name}} segments), who may call it, and its handler.
 *
 * @param method  the HTTP method
 * @param pattern the path, e.g. {@code /api/v1/users/{uid}/messages}
 * @param access  who may call it
 * @param status  the HTTP status of a success
 * @param handler the operation
 */
public record Route(@NotNull String method, @NotNull String pattern, @NotNull Access access, int status,
                    @NotNull Handler handler) {

    /** Who may call an operation. */
    public enum Access {
        /** Tokens with role service or admin. */
        SERVICE,
        /** Tokens with role admin. */
        ADMIN
    }

    /** The work of an operation; may complete later. */
    @FunctionalInterface
    public interface Handler {
        @NotNull CompletableFuture<JsonElement> handle(@NotNull ApiRequest request);
    }

    /** The path parameters if {@code path} matches this route's pattern, else {@code null}. */
    public @Nullable Map<String, String> match(final @NotNull String path) {
        final String[] want = pattern.split("/", -1);
        final String[] got = path.split("/", -1);
        if (want.length != got.length) {
            return null;
        }
        final Map<String, String> params = new HashMap<>();
        for (int i = 0; i < want.length; i++) {
            if (want[i].startsWith("{") && want[i].endsWith("}")) {
                if (got[i].isEmpty()) {
                    return null;
                }
                params.put(want[i].substring(1, want[i].length() - 1), got[i]);
            } else if (!want[i].equals(got[i])) {
                return null;
            }
        }
        return params;
    }
}
