package org.openrtm.broker.http;

import org.jetbrains.annotations.NotNull;
import org.openrtm.extension.config.RtmConfig;
import org.openrtm.extension.config.Settings;

import java.time.Duration;

/**
 * The limits that keep slow or idle HTTP clients from holding the server: see the {@code http.*} settings in
 * {@code docs/configuration.md}. Immutable.
 *
 * @param maxConnections most connections open at once ({@code http.max-connections})
 * @param headerTimeout  longest wait for a request's line and headers ({@code http.header-timeout})
 * @param bodyTimeout    longest wait for a request's body ({@code http.body-timeout})
 * @param idleTimeout    longest time without any I/O on a connection ({@code http.idle-timeout})
 */
public record HttpLimits(int maxConnections, @NotNull Duration headerTimeout, @NotNull Duration bodyTimeout,
                         @NotNull Duration idleTimeout) {

    /** The limits of a configuration. */
    public static @NotNull HttpLimits of(final @NotNull RtmConfig config) {
        return new HttpLimits(config.get(Settings.HTTP_MAX_CONNECTIONS), config.get(Settings.HTTP_HEADER_TIMEOUT),
                config.get(Settings.HTTP_BODY_TIMEOUT), config.get(Settings.HTTP_IDLE_TIMEOUT));
    }
}
