package org.openrtm.extension.access;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.session.Connection;

/**
 * Told when a client's subscription takes effect (its SUBACK is being sent, so the broker already routes to it) and
 * when the client unsubscribes. Called on HiveMQ's extension task thread for the client; must not block.
 */
public interface SubscriptionListener {

    /** A subscription was granted and is in place. */
    void granted(@NotNull Connection connection, @NotNull String filter, int qos);

    /**
     * A subscription was granted and is in place, with the MQTT 5 Subscription Identifier of its SUBSCRIBE
     * ({@code null} if none). The default forwards to {@link #granted(Connection, String, int)}.
     */
    default void granted(final @NotNull Connection connection, final @NotNull String filter, final int qos,
                         final @Nullable Integer subscriptionId) {
        granted(connection, filter, qos);
    }

    /** The client unsubscribed from {@code filter}. */
    void removed(@NotNull Connection connection, @NotNull String filter);

    /** A subscription the client asked for was not granted (refused by the authorizer or the broker). */
    default void refused(final @NotNull Connection connection, final @NotNull String filter) {
    }
}
