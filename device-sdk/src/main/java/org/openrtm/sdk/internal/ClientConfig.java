package org.openrtm.sdk.internal;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.sdk.TokenSupplier;

import java.time.Duration;
import java.util.concurrent.Executor;

/** The validated options of one client (see {@code RtmClientBuilder} for their meaning). Immutable. */
public final class ClientConfig {

    final String serverUri;
    final String uid;
    final String token;
    final TokenSupplier tokenSupplier;
    final Duration sendTimeout;
    final Duration requestTimeout;
    final Duration loginTimeout;
    final Duration connectTimeout;
    final Duration keepAlive;
    final Duration sessionExpiry;
    final int outboxCapacity;
    final Duration backoffInitial;
    final Duration backoffMax;
    final double backoffJitter;
    final int receiveMaximum;
    final int duplicateMemory;
    final int receiptTracking;
    final Executor callbackExecutor;

    /** Called by the builder after validation; see there. */
    public ClientConfig(final @NotNull String serverUri, final @NotNull String uid, final @Nullable String token,
                        final @Nullable TokenSupplier tokenSupplier, final @NotNull Duration sendTimeout,
                        final @NotNull Duration requestTimeout, final @NotNull Duration loginTimeout,
                        final @NotNull Duration connectTimeout, final @NotNull Duration keepAlive,
                        final @NotNull Duration sessionExpiry, final int outboxCapacity,
                        final @NotNull Duration backoffInitial, final @NotNull Duration backoffMax,
                        final double backoffJitter, final int receiveMaximum, final int duplicateMemory,
                        final int receiptTracking, final @Nullable Executor callbackExecutor) {
        this.serverUri = serverUri;
        this.uid = uid;
        this.token = token;
        this.tokenSupplier = tokenSupplier;
        this.sendTimeout = sendTimeout;
        this.requestTimeout = requestTimeout;
        this.loginTimeout = loginTimeout;
        this.connectTimeout = connectTimeout;
        this.keepAlive = keepAlive;
        this.sessionExpiry = sessionExpiry;
        this.outboxCapacity = outboxCapacity;
        this.backoffInitial = backoffInitial;
        this.backoffMax = backoffMax;
        this.backoffJitter = backoffJitter;
        this.receiveMaximum = receiveMaximum;
        this.duplicateMemory = duplicateMemory;
        this.receiptTracking = receiptTracking;
        this.callbackExecutor = callbackExecutor;
    }
}
