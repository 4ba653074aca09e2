package org.openrtm.sdk.broadcast;

import org.jetbrains.annotations.NotNull;

/**
 * Receives broadcasts while the client listens ({@link Broadcasts#listen()}). Called on the client's callback
 * executor, one call at a time, in order.
 */
public interface BroadcastListener {

    /**
     * A broadcast arrived. Each is passed once, even if the server delivers it again after a reconnect; it is
     * acknowledged after this method returns.
     *
     * @param message the message; never null
     */
    void onBroadcast(@NotNull BroadcastMessage message);
}
