package org.openrtm.extension.access;

import org.jetbrains.annotations.NotNull;
import org.openrtm.extension.session.Connection;

/**
 * Told when a client's subscription takes effect (its SUBACK is being sent, so the broker already routes to it) and
 * when the client unsubscribes. Called on HiveMQ's extension task thread for the client; must not block.
 */
public interface SubscriptionListener {

    /** A subscription was granted and is in place. */
    void granted(@NotNull Connection connection, @NotNull String filter, int qos);

    /** The client unsubscribed from {@code filter}. */
    void removed(@NotNull Connection connection, @NotNull String filter);

    /** A subscription the client asked for was not granted (refused by the authorizer or the broker). */
    default void refused(final @NotNull Connection connection, final @NotNull String filter) {
    }
}
