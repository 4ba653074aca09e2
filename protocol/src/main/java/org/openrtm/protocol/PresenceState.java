package org.openrtm.protocol;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/** Online status of a user, as in the retained {@code rtm/user/{uid}/presence} message. */
public enum PresenceState {
    /** Connected and authenticated. */
    ONLINE("online"),
    /** The connection was lost without a DISCONNECT; within the grace period. */
    UNREACHABLE("unreachable"),
    /** Disconnected cleanly, the grace period ran out, or never connected. */
    OFFLINE("offline");

    private final String wire;

    PresenceState(final String wire) {
        this.wire = wire;
    }

    /** The state's name on the wire, e.g. {@code "online"}. */
    public @NotNull String wire() {
        return wire;
    }

    /** Finds a state by its wire name; {@code null} if unknown. */
    public static @Nullable PresenceState fromWire(final @Nullable String wire) {
        for (final PresenceState s : values()) {
            if (s.wire.equals(wire)) {
                return s;
            }
        }
        return null;
    }
}
