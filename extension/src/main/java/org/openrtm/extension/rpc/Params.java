package org.openrtm.extension.rpc;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Rpc;

import java.math.BigDecimal;

/**
 * Reads the fields of an RPC request, refusing a wrong one with an {@link RpcException} ({@code invalid}) that names
 * the field, the rule and the value. Stateless and thread-safe.
 */
public final class Params {

    private Params() {
    }

    /**
     * A string field.
     *
     * @return the value, or {@code null} if absent (or JSON null) and not required
     * @throws RpcException if required and absent, or not a string
     */
    public static @Nullable String string(final @NotNull JsonObject params, final @NotNull String name,
                                          final boolean required) {
        final JsonElement e = params.get(name);
        if (e == null || e.isJsonNull()) {
            if (required) {
                throw new RpcException(Rpc.ERR_INVALID, name + " is required");
            }
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new RpcException(Rpc.ERR_INVALID, name + " must be a string, but was " + Ids.show(e.toString()));
        }
        return e.getAsString();
    }

    /**
     * A whole-number field between {@code min} and {@code max}.
     *
     * @return the value, or {@code def} if absent
     * @throws RpcException if not a whole number in range
     */
    public static long whole(final @NotNull JsonObject params, final @NotNull String name, final long def,
                             final long min, final long max) {
        final JsonElement e = params.get(name);
        if (e == null || e.isJsonNull()) {
            return def;
        }
        return whole(e, name, min, max);
    }

    /**
     * A JSON value that must be a whole number between {@code min} and {@code max}.
     *
     * @param what how the value is called in the message
     * @throws RpcException if it is not
     */
    public static long whole(final @NotNull JsonElement e, final @NotNull String what, final long min, final long max) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new RpcException(Rpc.ERR_INVALID, what + " must be a whole number between " + min + " and " + max
                    + ", but was " + Ids.show(e.toString()));
        }
        final BigDecimal v = e.getAsBigDecimal();
        if (v.signum() != 0 && v.stripTrailingZeros().scale() > 0
                || v.compareTo(BigDecimal.valueOf(min)) < 0
                || v.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw new RpcException(Rpc.ERR_INVALID, what + " must be a whole number between " + min + " and " + max
                    + ", but was " + Ids.show(e.toString()));
        }
        return v.longValue();
    }

    /**
     * A boolean field.
     *
     * @return the value, or {@code def} if absent
     * @throws RpcException if not a boolean
     */
    public static boolean bool(final @NotNull JsonObject params, final @NotNull String name, final boolean def) {
        final JsonElement e = params.get(name);
        if (e == null || e.isJsonNull()) {
            return def;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new RpcException(Rpc.ERR_INVALID, name + " must be true or false, but was " + Ids.show(e.toString()));
        }
        return e.getAsBoolean();
    }

    /**
     * An array field.
     *
     * @return the array, or {@code null} if absent and not required
     * @throws RpcException if required and absent, not an array, or longer than {@code maxSize}
     */
    public static @Nullable JsonArray array(final @NotNull JsonObject params, final @NotNull String name,
                                            final boolean required, final int maxSize) {
        final JsonElement e = params.get(name);
        if (e == null || e.isJsonNull()) {
            if (required) {
                throw new RpcException(Rpc.ERR_INVALID, name + " is required");
            }
            return null;
        }
        if (!e.isJsonArray()) {
            throw new RpcException(Rpc.ERR_INVALID, name + " must be an array, but was " + Ids.show(e.toString()));
        }
        if (e.getAsJsonArray().size() > maxSize) {
            throw new RpcException(Rpc.ERR_INVALID, name + " may list at most " + maxSize + " entries, but listed "
                    + e.getAsJsonArray().size());
        }
        return e.getAsJsonArray();
    }

    /**
     * An object field.
     *
     * @return the object, or {@code null} if absent and not required
     * @throws RpcException if required and absent, or not an object
     */
    public static @Nullable JsonObject object(final @NotNull JsonObject params, final @NotNull String name,
                                              final boolean required) {
        final JsonElement e = params.get(name);
        if (e == null || e.isJsonNull()) {
            if (required) {
                throw new RpcException(Rpc.ERR_INVALID, name + " is required");
            }
            return null;
        }
        if (!e.isJsonObject()) {
            throw new RpcException(Rpc.ERR_INVALID, name + " must be an object, but was " + Ids.show(e.toString()));
        }
        return e.getAsJsonObject();
    }

    /**
     * Refuses fields the method does not know, so that a misspelt field is not silently ignored.
     *
     * @throws RpcException naming the first unknown field and the known ones
     */
    public static void onlyKnown(final @NotNull JsonObject params, final @NotNull String... known) {
        for (final String name : params.keySet()) {
            boolean ok = false;
            for (final String k : known) {
                if (k.equals(name)) {
                    ok = true;
                    break;
                }
            }
            if (!ok) {
                throw new RpcException(Rpc.ERR_INVALID, "unknown field " + Ids.show(name)
                        + "; the fields are " + String.join(", ", known));
            }
        }
    }
}
