package org.openrtm.extension.delivery;

import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.builder.PublishBuilder;
import com.hivemq.extension.sdk.api.services.builder.TopicSubscriptionBuilder;
import com.hivemq.extension.sdk.api.services.publish.Publish;
import com.hivemq.extension.sdk.api.services.publish.PublishService;
import com.hivemq.extension.sdk.api.services.publish.PublishToClientResult;
import com.hivemq.extension.sdk.api.services.publish.RetainedMessageStore;
import com.hivemq.extension.sdk.api.services.publish.RetainedPublish;
import com.hivemq.extension.sdk.api.services.subscription.SubscriptionStore;
import com.hivemq.extension.sdk.api.services.subscription.TopicSubscription;
import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.packets.publish.PayloadFormatIndicator;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.access.SubscriptionRepair;
import org.openrtm.protocol.RtmTopics;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * {@link Outbound} on HiveMQ's {@link PublishService}, and what {@link SubscriptionRepair} needs from HiveMQ (the same
 * three services). Thread-safe.
 */
public final class HiveMqOutbound implements Outbound, SubscriptionRepair.Broker {

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
        return subscriptionStore.addSubscription(clientId, subscription(filter, qos, subscriptionId).build());
    }

    private static TopicSubscriptionBuilder subscription(final String filter, final int qos,
                                                         final @Nullable Integer subscriptionId) {
        final TopicSubscriptionBuilder b = Builders.topicSubscription().topicFilter(filter).qos(Qos.valueOf(qos));
        if (subscriptionId != null) {
            b.subscriptionIdentifier(subscriptionId);
        }
        return b;
    }

    /** A client's subscriptions as HiveMQ holds them: filter → QoS. */
    @Override
    public @NotNull CompletableFuture<Map<String, Integer>> subscriptionsOf(final @NotNull String clientId) {
        return subscriptionStore.getSubscriptions(clientId).thenApply(set -> {
            final Map<String, Integer> out = new HashMap<>();
            for (final TopicSubscription s : set) {
                out.put(s.getTopicFilter(), s.getQos().getQosNumber());
            }
            return out;
        });
    }

    @Override
    public @NotNull CompletableFuture<Void> add(final @NotNull String clientId,
                                                final @NotNull SubscriptionRepair.Granted g) {
        return subscriptionStore.addSubscription(clientId, subscription(g.filter(), g.qos(), g.subscriptionId())
                .noLocal(g.noLocal()).retainAsPublished(g.retainAsPublished()).build());
    }

    @Override
    public @NotNull CompletableFuture<Integer> sendRetained(final @NotNull String clientId,
                                                            final @NotNull SubscriptionRepair.Granted g) {
        final List<RetainedPublish> matching = new ArrayList<>();
        final CompletableFuture<Void> found;
        if (g.filter().contains("+") || g.filter().contains("#")) {
            found = retainedStore.iterateAllRetainedMessages((context, p) -> {
                if (RtmTopics.matches(g.filter(), p.getTopic())) {
                    synchronized (matching) {
                        matching.add(p);
                    }
                }
            });
        } else {
            found = retainedStore.getRetainedMessage(g.filter()).thenAccept(p -> p.ifPresent(matching::add));
        }
        return found.thenCompose(v -> {
            final List<CompletableFuture<?>> sent = new ArrayList<>();
            synchronized (matching) {
                for (final RetainedPublish p : matching) {
                    sent.add(publishService.publishToClient(Builders.publish().fromPublish(p)
                            .qos(Qos.valueOf(Math.min(p.getQos().getQosNumber(), g.qos()))).retain(true).build(),
                            clientId));
                }
            }
            return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).thenApply(x -> sent.size());
        });
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
