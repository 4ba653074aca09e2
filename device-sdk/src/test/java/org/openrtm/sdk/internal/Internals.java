package org.openrtm.sdk.internal;

import org.openrtm.sdk.RtmClient;

import java.util.concurrent.TimeUnit;

/** A look inside a client's engine, for tests in other packages. Test code. */
public final class Internals {

    private Internals() {
    }

    /** How many publishes were retries of operations already sent once. */
    public static long resends(final RtmClient client) throws Exception {
        return ((DefaultRtmClient) client).core().outboxCounts().get(5, TimeUnit.SECONDS)[3];
    }

    /** How many publishes the server refused as rate_limited (each was sent again). */
    public static long rateLimited(final RtmClient client) throws Exception {
        return ((DefaultRtmClient) client).core().outboxCounts().get(5, TimeUnit.SECONDS)[4];
    }

    /** How many operations are unfinished (waiting in the outbox, or sent and unanswered). */
    public static long unfinished(final RtmClient client) throws Exception {
        return ((DefaultRtmClient) client).core().outboxCounts().get(5, TimeUnit.SECONDS)[1];
    }
}
