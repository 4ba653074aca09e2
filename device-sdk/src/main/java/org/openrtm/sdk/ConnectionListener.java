package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;

/**
 * Told about every change of a client's {@link ConnectionState}. Called on the client's callback executor, one
 * call at a time and in order (see the SDK's README, "Threading").
 */
@FunctionalInterface
public interface ConnectionListener {

    /**
     * The connection state changed.
     *
     * @param change what changed and why; never null
     */
    void onConnectionStateChanged(@NotNull ConnectionChange change);
}
