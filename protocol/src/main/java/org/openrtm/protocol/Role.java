package org.openrtm.protocol;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/** The role a token grants, from its {@code rtm.role} claim. */
public enum Role {
    /** An ordinary device or app user (the default). */
    USER("user"),
    /** A back-end service: may broadcast and use admin RPC. */
    SERVICE("service"),
    /** An operator. */
    ADMIN("admin");

    /** The name of the JWT claim that carries the role. */
    public static final String CLAIM = "rtm.role";

    private final String wire;

    Role(final String wire) {
        this.wire = wire;
    }

    /** The role's name on the wire, e.g. {@code "service"}. */
    public @NotNull String wire() {
        return wire;
    }

    /** Whether this role may broadcast, read other users' data with wildcards and use admin RPC. */
    public boolean isPrivileged() {
        return this != USER;
    }

    /** Finds a role by its wire name; {@code null} if unknown. */
    public static @Nullable Role fromWire(final @Nullable String wire) {
        for (final Role r : values()) {
            if (r.wire.equals(wire)) {
                return r;
            }
        }
        return null;
    }
}
