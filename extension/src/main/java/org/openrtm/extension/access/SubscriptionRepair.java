package org.openrtm.extension.access;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Makes sure that a subscription the broker granted is in place. HiveMQ CE 2025.5 can answer a SUBSCRIBE with a
 * granted SUBACK and yet not add the subscription: it looks the client's session up in an in-memory map that its
 * persistence thread is changing at the same time (many clients connecting at once), and when that lookup misses it
 * skips the subscriptions silently. The client then never receives a message on those filters (seen once in about
 * twenty 10,000-member join storms: docs/benchmarks.md, finding 6).
 *
 * <p>After every SUBACK with granted filters the repair reads the client's subscriptions back and adds each granted one
 * that is missing, with its options, then sends it the retained messages its filter matches (what HiveMQ would have
 * sent with the SUBACK), unless its Retain Handling says not to, and reports the repair ({@code repaired}), so that
 * what waited for the subscription (an offline cache, a waiting invitation) is handed over now. A filter the client
 * subscribed to again or unsubscribed from in the meantime is left alone ({@code stillCurrent}). Thread-safe; never
 * blocks.
 */
public final class SubscriptionRepair {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionRepair.class);
    /** A re-add the broker refuses (it may miss the session again) is retried this often, a bit later each time. */
    static final int ATTEMPTS = 5;

    /** A granted subscription, with everything needed to add it again. */
    public record Granted(@NotNull String filter, int qos, boolean noLocal, boolean retainAsPublished,
                          boolean sendRetained, @Nullable Integer subscriptionId) {
    }

    /** What the repair needs from the broker. */
    public interface Broker {

        /** The client's subscriptions as the broker holds them: filter → QoS. */
        @NotNull CompletableFuture<Map<String, Integer>> subscriptionsOf(@NotNull String clientId);

        /** Adds (or replaces) a subscription of the client. */
        @NotNull CompletableFuture<Void> add(@NotNull String clientId, @NotNull Granted subscription);

        /** Sends the client the retained messages that match the subscription's filter; completes with their number. */
        @NotNull CompletableFuture<Integer> sendRetained(@NotNull String clientId, @NotNull Granted subscription);
    }

    private final Broker broker;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong count = new AtomicLong();

    public SubscriptionRepair(final @NotNull Broker broker, final @NotNull ScheduledExecutorService scheduler) {
        this.broker = broker;
        this.scheduler = scheduler;
    }

    /** How many granted subscriptions the broker had dropped and the repair added again. */
    public long repaired() {
        return count.get();
    }

    /**
     * Checks the subscriptions of one SUBACK.
     *
     * @param granted      the filters the SUBACK granted
     * @param stillCurrent whether a filter is still as that SUBACK left it (no later SUBSCRIBE or UNSUBSCRIBE of it)
     * @param repaired     called with each subscription added again (on a broker or scheduler thread)
     * @return completes when every missing subscription was added back (or given up on)
     */
    public @NotNull CompletableFuture<Void> check(final @NotNull String clientId, final @NotNull List<Granted> granted,
                                                  final @NotNull Predicate<String> stillCurrent,
                                                  final @NotNull Consumer<Granted> repaired) {
        if (granted.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return broker.subscriptionsOf(clientId).thenCompose(present -> {
            final List<CompletableFuture<Void>> repairs = new ArrayList<>();
            for (final Granted g : granted) {
                if (!present.containsKey(g.filter()) && stillCurrent.test(g.filter())) {
                    final CompletableFuture<Void> done = new CompletableFuture<>();
                    repair(clientId, g, stillCurrent, repaired, 1, done);
                    repairs.add(done);
                }
            }
            return CompletableFuture.allOf(repairs.toArray(CompletableFuture[]::new));
        }).exceptionally(e -> {
            log.debug("Subscriptions of {} could not be checked: {}", clientId, e.toString());
            return null;
        });
    }

    private void repair(final String clientId, final Granted g, final Predicate<String> stillCurrent,
                        final Consumer<Granted> repaired, final int attempt, final CompletableFuture<Void> done) {
        if (!stillCurrent.test(g.filter())) {
            done.complete(null);
            return;
        }
        broker.add(clientId, g).thenCompose(v -> g.sendRetained() ? broker.sendRetained(clientId, g)
                : CompletableFuture.completedFuture(0)).whenComplete((retained, e) -> {
                    if (e == null) {
                        count.incrementAndGet();
                        log.warn("The broker granted {} its subscription {} but did not add it; added it again (and sent "
                                + "{} retained messages)", clientId, g.filter(), retained);
                        try {
                            repaired.accept(g);
                        } finally {
                            done.complete(null);
                        }
                    } else if (attempt < ATTEMPTS) {
                        scheduler.schedule(() -> repair(clientId, g, stillCurrent, repaired, attempt + 1, done),
                                10L * attempt, TimeUnit.MILLISECONDS);
                    } else {
                        // the session is gone (the client left) or the broker keeps refusing
                        log.warn("The broker granted {} its subscription {} but did not add it, and refused to add it "
                                + "{} times: {}", clientId, g.filter(), ATTEMPTS, e.toString());
                        done.complete(null);
                    }
                });
    }
}
