package org.openrtm.sdk.testing;

import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.protocol.Role;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/** Tokens signed with the test broker's secret, including ones that are expired or short-lived. Test code. */
public final class Tokens {

    private Tokens() {
    }

    /** A token that expired an hour ago. */
    public static String expired(final String uid) {
        return new org.openrtm.extension.auth.Tokens(EmbeddedBroker.SECRET.getBytes(StandardCharsets.UTF_8),
                Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC), Duration.ZERO)
                .mint(uid, Role.USER, Duration.ofHours(1));
    }

    /** A token valid for the given time from now. */
    public static String validFor(final String uid, final Duration ttl) {
        return new org.openrtm.extension.auth.Tokens(EmbeddedBroker.SECRET.getBytes(StandardCharsets.UTF_8),
                Clock.systemUTC(), Duration.ZERO).mint(uid, Role.USER, ttl);
    }
}
