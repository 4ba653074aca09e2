package org.openrtm.extension.delivery;

import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.builder.PublishBuilder;
import com.hivemq.extension.sdk.api.services.builder.TopicSubscriptionBuilder;
import com.hivemq.extension.sdk.api.services.publish.Publish;
import com.hivemq.extension.sdk.api.services.publish.PublishService;
import com.hivemq.extension.sdk.api.services.publish.PublishToClientResult;
import com.hivemq.extension.sdk.api.services.publish.RetainedMessageStore;
import com.hivemq.extension.sdk.api.services.subscription.SubscriptionStore;
import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.packets.publish.PayloadFormatIndicator;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/** {@link Outbound} on HiveMQ's {@link PublishService}. Thread-safe. */
public final class HiveMqOutbound implements Outbound {

    private final PublishService publishService;
    private final RetainedMessageStore retainedStore;
    private final SubscriptionStore subscriptionStore;

    public HiveMqOutbound(final @NotNull PublishService publishService, final @NotNull RetainedMessageStore retainedStore,
                          final @NotNull SubscriptionStore subscriptionStore) {
        this.publishService = publishService;
        this.retainedStore = retainedStore;
        this.subscriptionStore = subscriptionStore;
    }

    @Override
    public @NotNull CompletableFuture<Void> subscribe(final @NotNull String clientId, final @NotNull String filter,
                                                      final int qos, final @Nullable Integer subscriptionId) {
        final TopicSubscriptionBuilder b = Builders.topicSubscription().topicFilter(filter).qos(Qos.valueOf(qos));
        if (subscriptionId != null) {
            b.subscriptionIdentifier(subscriptionId);
        }
        return subscriptionStore.addSubscription(clientId, b.build());
    }

    @Override
    public @NotNull CompletableFuture<Void> unsubscribe(final @NotNull String clientId, final @NotNull String filter) {
        return subscriptionStore.removeSubscription(clientId, filter);
    }

    @Override
    public @NotNull CompletableFuture<Void> forEachRetained(final @NotNull BiConsumer<String, byte[]> action) {
        return retainedStore.iterateAllRetainedMessages((context, retained) -> {
            final byte[] payload = retained.getPayload().map(b -> {
                final byte[] a = new byte[b.remaining()];
                b.duplicate().get(a);
                return a;
            }).orElse(new byte[0]);
            action.accept(retained.getTopic(), payload);
        });
    }

    @Override
    public @NotNull CompletableFuture<Boolean> toClient(final @NotNull String clientId, final @NotNull RtmMessage message) {
        return publishService.publishToClient(build(message), clientId)
                .thenApply(r -> r == PublishToClientResult.SUCCESSFUL);
    }

    @Override
    public @NotNull CompletableFuture<Void> publish(final @NotNull RtmMessage message) {
        return publishService.publish(build(message));
    }

    static @NotNull Publish build(final @NotNull RtmMessage m) {
        final PublishBuilder b = Builders.publish()
                .topic(m.topic())
                .payload(ByteBuffer.wrap(m.payload()))
                .qos(Qos.valueOf(m.qos()))
                .retain(m.retain());
        for (final Map.Entry<String, String> p : m.properties()) {
            b.userProperty(p.getKey(), p.getValue());
        }
        if (m.expirySeconds() != null) {
            b.messageExpiryInterval(m.expirySeconds());
        }
        if (m.correlation() != null) {
            b.correlationData(ByteBuffer.wrap(m.correlation()));
        }
        if (m.responseTopic() != null) {
            b.responseTopic(m.responseTopic());
        }
        if (m.contentType() != null) {
            b.contentType(m.contentType());
        }
        if (m.utf8()) {
            b.payloadFormatIndicator(PayloadFormatIndicator.UTF_8);
        }
        return b.build();
    }
}
