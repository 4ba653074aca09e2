package org.openrtm.broker;

import org.jetbrains.annotations.NotNull;

/** The product version, from the jar manifest (or "dev" when run from classes). */
public final class Version {

    private Version() {
    }

    public static @NotNull String get() {
        final String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
