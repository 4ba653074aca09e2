package org.openrtm.sdk.internal;

import org.junit.jupiter.api.Test;
import org.openrtm.sdk.Receipt;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class ReceiptTrackerTest {

    private static Receipt receipt(final String id) {
        return new Receipt(id, "bob", "received", null);
    }

    @Test
    void aReceipt_findsItsWaitingFuture_evenWhenItCameFirst() {
        final ReceiptTracker t = new ReceiptTracker(10);
        final List<CompletableFuture<Receipt>> evicted = new ArrayList<>();
        final CompletableFuture<Receipt> f = new CompletableFuture<>();
        assertThat(t.track("A", f, evicted)).isNull();
        assertThat(t.arrived(receipt("A"))).isSameAs(f);

        // the receipt before the PUBACK was processed
        assertThat(t.arrived(receipt("B"))).isNull();
        assertThat(t.track("B", new CompletableFuture<>(), evicted)).isEqualTo(receipt("B"));
        assertThat(evicted).isEmpty();
        assertThat(t.waitingCount()).isZero();
    }

    @Test
    void whenFull_theOldestIsGivenUp() {
        final ReceiptTracker t = new ReceiptTracker(2);
        final List<CompletableFuture<Receipt>> evicted = new ArrayList<>();
        final CompletableFuture<Receipt> first = new CompletableFuture<>();
        t.track("1", first, evicted);
        t.track("2", new CompletableFuture<>(), evicted);
        t.track("3", new CompletableFuture<>(), evicted);
        assertThat(evicted).containsExactly(first);
        assertThat(t.clear()).hasSize(2);
    }
}
