package org.openrtm.sdk.call;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/** Why an invitation failed. */
public enum CallFailureReason {
    /** The callee was not online within the server's {@code call.offline-timeout} (30 s by default). */
    PEER_OFFLINE("peer_offline"),
    /** The callee's client did not acknowledge the invitation within {@code call.ack-timeout} (30 s). */
    NO_RESPONSE("no_response"),
    /** The callee neither accepted nor refused within {@code call.answer-timeout} (60 s) of receiving it. */
    EXPIRED("expired"),
    /** The server refused the invitation itself (see the {@code sent()} future's exception); nothing was sent. */
    NOT_SENT(null),
    /**
     * The server said nothing within the invitation's own timeout ({@link InvitationOptions#timeout()}), for example
     * because it restarted (calls live in its memory). The SDK then cancels the invitation, as far as it still can.
     */
    TIMEOUT(null),
    /** This client logged out, or its session ended, while the call was open. */
    SESSION_ENDED(null),
    /** A reason this SDK does not know. */
    UNKNOWN(null);

    private final String wire;

    CallFailureReason(final String wire) {
        this.wire = wire;
    }

    /** The protocol's name of the reason, or null for the SDK's own. */
    public @Nullable String wireName() {
        return wire;
    }

    /**
     * The reason for a protocol name.
     *
     * @param wire a reason such as {@code "peer_offline"}; may be null
     * @return the reason, or {@link #UNKNOWN}
     */
    public static @NotNull CallFailureReason fromWire(final @Nullable String wire) {
        for (final CallFailureReason r : values()) {
            if (r.wire != null && r.wire.equals(wire)) {
                return r;
            }
        }
        return UNKNOWN;
    }
}
