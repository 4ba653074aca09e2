package org.openrtm.extension.delivery;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * How the extension's services send messages to clients. The HiveMQ implementation is {@link HiveMqOutbound}; the
 * services never touch HiveMQ's publish service directly, which keeps their rules testable.
 */
public interface Outbound {

    /**
     * Hands a message to one client's session, if the client has a subscription that matches the topic.
     *
     * @return {@code true} if the message was queued for the client, {@code false} if it has no matching subscription;
     *         fails if the broker refused the call (for example while shutting down)
     */
    @NotNull CompletableFuture<Boolean> toClient(@NotNull String clientId, @NotNull RtmMessage message);

    /**
     * Adds (or replaces) a subscription in a client's session on the extension's behalf; no SUBACK, no retained
     * messages. The default does nothing (for test doubles that need no subscriptions).
     *
     * @param subscriptionId the MQTT 5 Subscription Identifier the subscription carries, or {@code null}
     * @return completes when the broker routes to it; fails if the client has no session
     */
    default @NotNull CompletableFuture<Void> subscribe(final @NotNull String clientId, final @NotNull String filter,
                                                       final int qos, final @Nullable Integer subscriptionId) {
        return CompletableFuture.completedFuture(null);
    }

    /** Removes a subscription the extension added with {@link #subscribe}. The default does nothing. */
    default @NotNull CompletableFuture<Void> unsubscribe(final @NotNull String clientId, final @NotNull String filter) {
        return CompletableFuture.completedFuture(null);
    }

    /** Publishes a message to every matching subscriber (and stores it if retained). */
    @NotNull CompletableFuture<Void> publish(@NotNull RtmMessage message);

    /**
     * Calls {@code action} with the topic and payload of every retained message the broker holds (for start-up
     * reconciliation). The action runs on a broker thread and must not block.
     */
    @NotNull CompletableFuture<Void> forEachRetained(@NotNull BiConsumer<String, byte[]> action);
}
