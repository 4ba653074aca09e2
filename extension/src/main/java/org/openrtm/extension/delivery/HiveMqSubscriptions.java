package org.openrtm.extension.delivery;

import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.builder.TopicSubscriptionBuilder;
import com.hivemq.extension.sdk.api.services.publish.Publish;
import com.hivemq.extension.sdk.api.services.publish.PublishService;
import com.hivemq.extension.sdk.api.services.publish.RetainedMessageStore;
import com.hivemq.extension.sdk.api.services.publish.RetainedPublish;
import com.hivemq.extension.sdk.api.services.subscription.SubscriptionStore;
import com.hivemq.extension.sdk.api.services.subscription.TopicSubscription;
import org.jetbrains.annotations.NotNull;
import org.openrtm.extension.access.SubscriptionRepair;
import org.openrtm.protocol.RtmTopics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** {@link SubscriptionRepair.Broker} on HiveMQ's subscription store, retained message store and publish service. */
public final class HiveMqSubscriptions implements SubscriptionRepair.Broker {

    private final SubscriptionStore subscriptions;
    private final RetainedMessageStore retained;
    private final PublishService publishService;

    public HiveMqSubscriptions(final @NotNull SubscriptionStore subscriptions, final @NotNull RetainedMessageStore retained,
                               final @NotNull PublishService publishService) {
        this.subscriptions = subscriptions;
        this.retained = retained;
        this.publishService = publishService;
    }

    @Override
    public @NotNull CompletableFuture<Set<String>> filtersOf(final @NotNull String clientId) {
        return subscriptions.getSubscriptions(clientId).thenApply(subs -> {
            final Set<String> filters = new HashSet<>();
            for (final TopicSubscription s : subs) {
                filters.add(s.getTopicFilter());
            }
            return filters;
        });
    }

    @Override
    public @NotNull CompletableFuture<Void> add(final @NotNull String clientId,
                                                final @NotNull SubscriptionRepair.Granted g) {
        final TopicSubscriptionBuilder b = Builders.topicSubscription().topicFilter(g.filter()).qos(Qos.valueOf(g.qos()))
                .noLocal(g.noLocal()).retainAsPublished(g.retainAsPublished());
        if (g.subscriptionId() != null) {
            b.subscriptionIdentifier(g.subscriptionId());
        }
        return subscriptions.addSubscription(clientId, b.build());
    }

    @Override
    public @NotNull CompletableFuture<Integer> sendRetained(final @NotNull String clientId,
                                                            final @NotNull SubscriptionRepair.Granted g) {
        final List<RetainedPublish> matching = new ArrayList<>();
        final CompletableFuture<Void> found;
        if (g.filter().contains("+") || g.filter().contains("#")) {
            found = retained.iterateAllRetainedMessages((context, p) -> {
                if (RtmTopics.matches(g.filter(), p.getTopic())) {
                    synchronized (matching) {
                        matching.add(p);
                    }
                }
            });
        } else {
            found = retained.getRetainedMessage(g.filter()).thenAccept(p -> p.ifPresent(matching::add));
        }
        return found.thenCompose(v -> {
            final List<CompletableFuture<?>> sent = new ArrayList<>();
            synchronized (matching) {
                for (final RetainedPublish p : matching) {
                    final Publish copy = Builders.publish().fromPublish(p)
                            .qos(Qos.valueOf(Math.min(p.getQos().getQosNumber(), g.qos()))).retain(true).build();
                    sent.add(publishService.publishToClient(copy, clientId));
                }
            }
            final int n = sent.size();
            return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).thenApply(x -> n);
        });
    }
}
