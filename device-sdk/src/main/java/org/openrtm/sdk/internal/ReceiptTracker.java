package org.openrtm.sdk.internal;

import org.openrtm.sdk.Receipt;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Sent messages waiting for their receipt (bounded: the oldest is given up when full), and receipts that arrived
 * before their message's PUBACK was processed (the recipient can be that fast). Not thread-safe: engine thread only.
 * Futures returned here must be completed by the caller through the callback executor.
 */
final class ReceiptTracker {

    private static final int EARLY = 64;

    private final int capacity;
    private final LinkedHashMap<String, CompletableFuture<Receipt>> waiting = new LinkedHashMap<>();
    private final LinkedHashMap<String, Receipt> early = new LinkedHashMap<>();

    ReceiptTracker(final int capacity) {
        this.capacity = capacity;
    }

    /**
     * Starts waiting for a message's receipt.
     *
     * @param evicted receives futures that are no longer tracked (to be failed by the caller)
     * @return a receipt that already arrived, or null
     */
    Receipt track(final String messageId, final CompletableFuture<Receipt> future,
                  final List<CompletableFuture<Receipt>> evicted) {
        final Receipt already = early.remove(messageId);
        if (already != null) {
            return already;
        }
        if (capacity == 0) {
            evicted.add(future);
            return null;
        }
        waiting.put(messageId, future);
        final Iterator<Map.Entry<String, CompletableFuture<Receipt>>> it = waiting.entrySet().iterator();
        while (waiting.size() > capacity && it.hasNext()) {
            evicted.add(it.next().getValue());
            it.remove();
        }
        return null;
    }

    /** A receipt arrived: the future waiting for it, or null (then it is kept a while in case its PUBACK is late). */
    CompletableFuture<Receipt> arrived(final Receipt receipt) {
        final CompletableFuture<Receipt> f = waiting.remove(receipt.messageId());
        if (f == null && capacity > 0) {
            early.put(receipt.messageId(), receipt);
            final Iterator<String> it = early.keySet().iterator();
            while (early.size() > EARLY && it.hasNext()) {
                it.next();
                it.remove();
            }
        }
        return f;
    }

    /** Gives up every waiting future (returned for the caller to fail). */
    List<CompletableFuture<Receipt>> clear() {
        final List<CompletableFuture<Receipt>> all = new ArrayList<>(waiting.values());
        waiting.clear();
        early.clear();
        return all;
    }

    int waitingCount() {
        return waiting.size();
    }
}
