package org.openrtm.sdk.presence;

import org.jetbrains.annotations.NotNull;

/**
 * Receives the online state of the users this client watches ({@link Presence#subscribe(java.util.Collection)}).
 * Called on the client's callback executor, one call at a time, in the order the server published the changes.
 */
public interface PresenceListener {

    /**
     * A watched user's state: first its current state ({@link PresenceEvent#isInitial()}; a user the server has never
     * seen has none, so nothing comes until it logs in), then every change. The same state is never told twice, also
     * not after the client reconnects.
     *
     * @param event the state; never null
     */
    void onPresence(@NotNull PresenceEvent event);
}
