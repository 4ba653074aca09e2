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

    /** How many operations are unfinished (waiting in the outbox, or sent and unanswered). */
    public static long unfinished(final RtmClient client) throws Exception {
        return ((DefaultRtmClient) client).core().outboxCounts().get(5, TimeUnit.SECONDS)[1];
    }
}
