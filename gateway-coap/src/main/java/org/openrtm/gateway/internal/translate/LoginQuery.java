package org.openrtm.gateway.internal.translate;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.Ids;

import java.util.List;

/**
 * The URI query of a login ({@code POST /session?u=UID&ka=SECONDS}), translated. Immutable.
 *
 * @param uid              the {@code u} parameter (not validated here: the server's rules apply), or null
 * @param keepAliveSeconds the {@code ka} parameter, at least 1, or null
 * @param error            why the query is refused (4.00), or null
 */
public record LoginQuery(@Nullable String uid, @Nullable Long keepAliveSeconds, @Nullable String error) {

    /**
     * Parses the URI-Query options of a login; the last {@code u} and {@code ka} win.
     *
     * @param query the URI-Query options, each {@code name=value}
     * @return the parameters, or the first problem
     */
    public static @NotNull LoginQuery parse(final @NotNull List<String> query) {
        String uid = null;
        Long ka = null;
        for (final String q : query) {
            final int eq = q.indexOf('=');
            final String name = eq < 0 ? q : q.substring(0, eq);
            final String value = eq < 0 ? "" : q.substring(eq + 1);
            if (name.equals("u")) {
                uid = value;
            } else if (name.equals("ka")) {
                ka = seconds(value);
                if (ka == null) {
                    return new LoginQuery(null, null, "ka must be a keep-alive in whole seconds (1 or more), but was "
                            + Ids.show(value));
                }
            } else {
                return new LoginQuery(null, null, "unknown login query parameter " + Ids.show(name) + " (known: u, ka)");
            }
        }
        return new LoginQuery(uid, ka, null);
    }

    private static @Nullable Long seconds(final String value) {
        if (value.isEmpty() || value.length() > 18) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return null;
            }
        }
        final long v = Long.parseLong(value);
        return v < 1 ? null : v;
    }
}
