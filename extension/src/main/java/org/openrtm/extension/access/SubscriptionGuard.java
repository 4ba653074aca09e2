package org.openrtm.extension.access;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.session.Connection;

/** An extra check on a subscription the access policy allows (for example a per-user limit). Thread-safe. */
@FunctionalInterface
public interface SubscriptionGuard {

    /** @return {@code null} to allow, or the refusal */
    @Nullable AccessPolicy.Decision check(@NotNull Connection connection, @NotNull String filter);
}
