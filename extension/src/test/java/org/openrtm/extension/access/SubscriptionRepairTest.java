package org.openrtm.extension.access;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The repair's decisions: which granted filters it adds again, when it sends retained messages, and that it retries a
 * refused add a few times. (Against HiveMQ itself: broker module, SubscriptionRepairIT.)
 */
class SubscriptionRepairTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    /** Holds subscriptions like a broker; refuses the first {@code refusals} adds as HiveMQ does without a session. */
    private static final class Held implements SubscriptionRepair.Broker {
        final Set<String> filters = ConcurrentHashMap.newKeySet();
        final List<String> retainedSentFor = new ArrayList<>();
        final AtomicInteger refusals;
        final AtomicInteger adds = new AtomicInteger();

        Held(final int refusals, final String... present) {
            this.refusals = new AtomicInteger(refusals);
            filters.addAll(List.of(present));
        }

        @Override
        public CompletableFuture<Map<String, Integer>> subscriptionsOf(final String clientId) {
            final Map<String, Integer> held = new HashMap<>();
            filters.forEach(f -> held.put(f, 1));
            return CompletableFuture.completedFuture(held);
        }

        @Override
        public CompletableFuture<Void> add(final String clientId, final SubscriptionRepair.Granted g) {
            adds.incrementAndGet();
            if (refusals.getAndDecrement() > 0) {
                return CompletableFuture.failedFuture(new IllegalStateException("no session for " + clientId));
            }
            filters.add(g.filter());
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public synchronized CompletableFuture<Integer> sendRetained(final String clientId,
                                                                    final SubscriptionRepair.Granted g) {
            retainedSentFor.add(g.filter());
            return CompletableFuture.completedFuture(1);
        }
    }

    private static SubscriptionRepair.Granted granted(final String filter, final boolean sendRetained) {
        return new SubscriptionRepair.Granted(filter, 1, false, false, sendRetained, null);
    }

    @Test
    void onlyMissingCurrentFilters_areAddedAgain_retainedAsTheirRetainHandlingSays() throws Exception {
        final Held broker = new Held(0, "a/+");
        final SubscriptionRepair repair = new SubscriptionRepair(broker, scheduler);

        final List<String> announced = new CopyOnWriteArrayList<>();
        repair.check("c1", List.of(granted("a/+", true), granted("b/+", true), granted("c/+", false),
                granted("d/+", true)), f -> !f.equals("d/+"), g -> announced.add(g.filter())).get(5, TimeUnit.SECONDS);

        assertThat(broker.filters).containsExactlyInAnyOrder("a/+", "b/+", "c/+");
        assertThat(broker.retainedSentFor).containsExactly("b/+");
        assertThat(repair.repaired()).isEqualTo(2);
        assertThat(announced).containsExactlyInAnyOrder("b/+", "c/+");
    }

    @Test
    void aRefusedAdd_isRetried_untilTheBrokerTakesIt_orGivenUp() throws Exception {
        final Held flaky = new Held(2);
        final SubscriptionRepair repair = new SubscriptionRepair(flaky, scheduler);
        repair.check("c2", List.of(granted("x/#", true)), f -> true, g -> { }).get(5, TimeUnit.SECONDS);
        assertThat(flaky.filters).containsExactly("x/#");
        assertThat(flaky.adds.get()).isEqualTo(3);
        assertThat(repair.repaired()).isEqualTo(1);

        final Held refusing = new Held(Integer.MAX_VALUE);
        final SubscriptionRepair giveUp = new SubscriptionRepair(refusing, scheduler);
        final List<String> announced = new CopyOnWriteArrayList<>();
        giveUp.check("c3", List.of(granted("y/#", true)), f -> true, g -> announced.add(g.filter()))
                .get(5, TimeUnit.SECONDS);
        assertThat(refusing.filters).isEmpty();
        assertThat(refusing.adds.get()).isEqualTo(SubscriptionRepair.ATTEMPTS);
        assertThat(giveUp.repaired()).isZero();
        assertThat(announced).isEmpty();
    }
}
