package org.openrtm.extension.delivery;

import org.jetbrains.annotations.NotNull;
import org.openrtm.extension.session.Connection;

/**
 * Told when a client acknowledges (PUBACK) a QoS 1 message the extension handed to it on one of the client's own
 * topics. {@link DeliveryTracker} routes each acknowledgement by the topic family of the message: inbox and event
 * messages to {@link Mailboxes}, call signalling to the call service. Called on HiveMQ's extension task thread for the
 * client; must not block.
 */
@FunctionalInterface
public interface Acknowledgements {

    /**
     * @param connection the acknowledging connection
     * @param rtmId      the {@code rtm-id} of the acknowledged message
     * @param success    whether the PUBACK's reason code was a success
     */
    void acknowledged(@NotNull Connection connection, @NotNull String rtmId, boolean success);

    /**
     * A message handed at QoS 0 (the client subscribed at QoS 0) is leaving for the client's socket: there will be no
     * acknowledgement, this is all the evidence of delivery there is. By default it counts as acknowledged.
     *
     * @param connection the receiving connection
     * @param rtmId      the {@code rtm-id} of the message
     */
    default void sentAtMostOnce(final @NotNull Connection connection, final @NotNull String rtmId) {
        acknowledged(connection, rtmId, true);
    }
}
