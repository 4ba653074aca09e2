package org.openrtm.reliability;

import org.openrtm.sdk.RtmClient;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Senders that each send peer messages at a steady rate, round-robin to a list of recipients, through the SDK, and
 * record every send in a {@link Ledger}. The SDK's outbox keeps what cannot be sent while a connection is down.
 */
final class PeerTraffic implements AutoCloseable {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, "peer-traffic");
        t.setDaemon(true);
        return t;
    });
    private final Ledger ledger;

    PeerTraffic(final Ledger ledger) {
        this.ledger = ledger;
    }

    /** Starts sending: each sender one message every {@code periodMillis}. */
    PeerTraffic start(final List<RtmClient> senders, final List<String> recipients, final long periodMillis) {
        for (final RtmClient sender : senders) {
            final AtomicLong seq = new AtomicLong();
            timer.scheduleAtFixedRate(() -> {
                final long n = seq.getAndIncrement();
                final String to = recipients.get((int) (n % recipients.size()));
                final String text = Ledger.text("p:" + to, sender.uid(), n);
                CompletableFuture<?> result;
                try {
                    result = sender.peer().send(to, text);
                } catch (final RuntimeException e) {
                    result = CompletableFuture.failedFuture(e);
                }
                ledger.sent(text, sender.uid(), Set.of(to), result);
            }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** Stops sending (sends already made go on). */
    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        timer.awaitTermination(5, TimeUnit.SECONDS);
    }
}
