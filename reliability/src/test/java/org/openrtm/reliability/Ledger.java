package org.openrtm.reliability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What was sent and what arrived, for exactly-once and ordering checks. Every message text is
 * {@code stream|from|seq}: the stream is {@code p:<recipient>} for a peer message and {@code c:<cid>} for a channel
 * message; {@code seq} counts up per sender and stream. Thread-safe.
 */
final class Ledger {

    /** One message: who must get it, and the sender's result (success means the server accepted it). */
    private record Expected(String from, Set<String> audience, CompletableFuture<?> result) {
    }

    /** One arrival. */
    private record Arrival(String recipient, String text) {
    }

    private final Map<String, Expected> sent = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Arrival> arrivals = new ConcurrentLinkedQueue<>();
    private final AtomicInteger interruptions = new AtomicInteger();

    static String text(final String stream, final String from, final long seq) {
        return stream + "|" + from + "|" + seq;
    }

    /** Records a send; {@code result} completes normally once the server accepted it. */
    void sent(final String text, final String from, final Set<String> audience, final CompletableFuture<?> result) {
        sent.put(text, new Expected(from, Set.copyOf(audience), result));
    }

    void received(final String recipient, final String text) {
        arrivals.add(new Arrival(recipient, text));
    }

    /** A client lost its connection (and goes on reconnecting). */
    void interrupted() {
        interruptions.incrementAndGet();
    }

    /** How many times clients lost their connection. */
    int interruptions() {
        return interruptions.get();
    }

    /** The texts of every message sent. */
    Set<String> sentTexts() {
        return Set.copyOf(sent.keySet());
    }

    int sentCount() {
        return sent.size();
    }

    /** Whether every send has an outcome. */
    boolean settled() {
        return sent.values().stream().allMatch(e -> e.result().isDone());
    }

    /** Messages the server accepted. */
    long accepted() {
        return sent.values().stream().filter(e -> e.result().isDone() && !e.result().isCompletedExceptionally()).count();
    }

    /** Whether every accepted message reached its whole audience (duplicates are checked by {@link #report()}). */
    boolean complete() {
        return report().missing().isEmpty();
    }

    /** The check. */
    Report report() {
        final Map<String, Integer> count = new HashMap<>();
        final Map<String, Long> lastSeq = new HashMap<>();
        final List<String> duplicates = new ArrayList<>();
        final List<String> outOfOrder = new ArrayList<>();
        final List<String> unexpected = new ArrayList<>();
        int received = 0;
        for (final Arrival a : arrivals) {
            received++;
            final String key = a.recipient() + "<-" + a.text();
            if (count.merge(key, 1, Integer::sum) > 1) {
                duplicates.add(key);
            }
            final Expected e = sent.get(a.text());
            if (e == null || !e.audience().contains(a.recipient())) {
                unexpected.add(key);
                continue;
            }
            final int cut = a.text().lastIndexOf('|');
            final String stream = a.recipient() + "<-" + a.text().substring(0, cut);
            final long seq = Long.parseLong(a.text().substring(cut + 1));
            final Long before = lastSeq.put(stream, seq);
            if (before != null && before >= seq) {
                outOfOrder.add(stream + ": " + seq + " after " + before);
            }
        }
        final List<String> missing = new ArrayList<>();
        long accepted = 0;
        long failed = 0;
        for (final Map.Entry<String, Expected> e : sent.entrySet()) {
            final CompletableFuture<?> r = e.getValue().result();
            if (!r.isDone() || r.isCompletedExceptionally()) {
                failed += r.isDone() ? 1 : 0;
                continue;
            }
            accepted++;
            for (final String who : e.getValue().audience()) {
                if (!count.containsKey(who + "<-" + e.getKey())) {
                    missing.add(who + "<-" + e.getKey());
                }
            }
        }
        return new Report(sent.size(), accepted, failed, received, missing, duplicates, outOfOrder, unexpected);
    }

    /**
     * The outcome.
     *
     * @param sent       messages sent
     * @param accepted   accepted by the server (PUBACK success: delivered, cached, or a channel send)
     * @param failed     refused or timed out at the sender (they may arrive, at most once)
     * @param received   arrivals counted, duplicates included
     * @param missing    accepted messages that did not reach a member of their audience
     * @param duplicates arrivals of a message a recipient already had
     * @param outOfOrder arrivals older than one before them from the same sender and stream
     * @param unexpected arrivals nobody sent to that recipient
     */
    record Report(int sent, long accepted, long failed, int received, List<String> missing, List<String> duplicates,
                  List<String> outOfOrder, List<String> unexpected) {

        @Override
        public String toString() {
            return "sent " + sent + ", accepted " + accepted + ", failed at the sender " + failed + ", received "
                    + received + ", missing " + missing.size() + ", duplicates " + duplicates.size() + ", out of order "
                    + outOfOrder.size() + ", unexpected " + unexpected.size();
        }
    }
}
