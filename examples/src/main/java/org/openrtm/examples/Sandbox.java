package org.openrtm.examples;

import org.jetbrains.annotations.NotNull;
import org.openrtm.sdk.RtmClientBuilder;

import java.io.PrintStream;

/**
 * Where an example runs: a server to connect to, a way to get a user's client, and where to tell what happens. The
 * launcher's is an embedded broker ({@link EmbeddedSandbox}); the tests bring their own.
 */
public interface Sandbox {

    /**
     * A client builder for a user, with the server's address and a valid token already set.
     *
     * @param uid the user
     * @return the builder; add listeners and build
     */
    @NotNull RtmClientBuilder client(@NotNull String uid);

    /** Where the example narrates what happens, one line per step. */
    @NotNull PrintStream out();
}
