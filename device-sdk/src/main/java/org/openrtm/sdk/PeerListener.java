package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;

/**
 * Receives peer messages and receipts. Both methods have empty defaults: implement the ones you need. Called on the
 * client's callback executor, one call at a time and in order (messages in the order the server delivered them).
 *
 * <p>A message is acknowledged to the server only after {@link #onMessage(PeerMessage)} returns (or throws: the
 * exception is logged and the message still acknowledged), so a message whose callback did not complete, because
 * the process died, is delivered again. The sender's receipt means this callback ran.
 */
public interface PeerListener {

    /**
     * A peer message arrived. Each message is passed once, even if the server delivers it again after a reconnect.
     *
     * @param message the message; never null
     */
    default void onMessage(@NotNull PeerMessage message) {
    }

    /**
     * A receipt for a message this client sent arrived.
     *
     * @param receipt the receipt; never null
     */
    default void onReceipt(@NotNull Receipt receipt) {
    }
}
