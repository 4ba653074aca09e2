package org.openrtm.sdk.presence;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/** A user's online state, as the server tells it. */
public enum OnlineState {
    /** Connected and logged in. */
    ONLINE("online"),
    /**
     * The connection was lost without a logout (network, keep-alive timeout). The user stays in its channels for the
     * server's grace period (30 s by default) and becomes {@link #OFFLINE} unless it comes back within it.
     */
    UNREACHABLE("unreachable"),
    /** Logged out, the grace period ran out, or never logged in. */
    OFFLINE("offline");

    private final String wire;

    OnlineState(final String wire) {
        this.wire = wire;
    }

    /** The state's name in the protocol, e.g. {@code "online"}. */
    public @NotNull String wire() {
        return wire;
    }

    /**
     * The state of a protocol name.
     *
     * @param wire a name such as {@code "online"}; may be null
     * @return the state, or null if the name is not one
     */
    public static @Nullable OnlineState fromWire(final @Nullable String wire) {
        for (final OnlineState s : values()) {
            if (s.wire.equals(wire)) {
                return s;
            }
        }
        return null;
    }
}
