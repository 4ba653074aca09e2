package org.openrtm.bench.load;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.bench.metrics.Latency;
import org.openrtm.bench.metrics.LatencyRecorder;
import org.openrtm.protocol.Props;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The books of one phase: what was sent, acknowledged, refused and delivered, which messages arrived twice or out
 * of order, and their latency. Thread-safe: acknowledgements and deliveries arrive on the client's threads while the
 * phase's driver reads the counters.
 */
public final class Ledger {

    private final int phase;
    private volatile long originNanos;
    private final Pair[] pairs;
    private final LatencyRecorder latency = new LatencyRecorder();
    private final LongAdder issued = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder outOfOrder = new LongAdder();
    private final LongAdder receipts = new LongAdder();
    private final Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
    private final AtomicLong lastEventNanos = new AtomicLong();

    private static final class Pair {
        final BitSet seen = new BitSet();
        long lastSeq = -1;
    }

    /**
     * @param phase       the phase number carried in the payloads
     * @param pairs       how many sender/recipient pairs take part
     * @param originNanos if positive, latency is measured from this instant instead of each message's intended send
     *                    time (the offline scenario measures from the reconnect storm)
     */
    public Ledger(final int phase, final int pairs, final long originNanos) {
        this.phase = phase;
        this.originNanos = originNanos;
        this.pairs = new Pair[pairs];
        for (int i = 0; i < pairs; i++) {
            this.pairs[i] = new Pair();
        }
    }

    /**
     * From now on, measure latency from {@code nanos} instead of each message's intended send time.
     *
     * @param nanos a {@link System#nanoTime()} instant, positive
     */
    public void measureFrom(final long nanos) {
        this.originNanos = nanos;
    }

    /** The phase number. */
    public int phase() {
        return phase;
    }

    /** Counts a message handed to the client for sending. */
    public void issued() {
        issued.increment();
    }

    /**
     * Books the outcome of a QoS 1 publish (the PUBACK, or the failure of the publish).
     *
     * @param result the result, or null if it failed
     * @param error  the failure, or null
     */
    public void acknowledged(final @Nullable Mqtt5PublishResult result, final @Nullable Throwable error) {
        final boolean ok;
        final String status;
        if (error != null) {
            final Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof Mqtt5PubAckException) {
                final Mqtt5PubAck ack = ((Mqtt5PubAckException) cause).getMqttMessage();
                status = statusOf(ack);
            } else {
                status = "error:" + cause.getClass().getSimpleName();
            }
            ok = false;
        } else if (result != null && result.getError().isPresent()) {
            status = "error:" + result.getError().get().getClass().getSimpleName();
            ok = false;
        } else if (result instanceof Mqtt5PublishResult.Mqtt5Qos1Result) {
            final Mqtt5PubAck ack = ((Mqtt5PublishResult.Mqtt5Qos1Result) result).getPubAck();
            status = statusOf(ack);
            ok = !ack.getReasonCode().isError();
        } else {
            status = "qos0";
            ok = true;
        }
        statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
        if (ok) {
            acked.increment();
        } else {
            failed.increment();
        }
        touch();
    }

    /**
     * Books the outcome of a request that is not an MQTT publish (a CoAP POST through the gateway).
     *
     * @param status how the request ended, for the statuses table (e.g. {@code 2.04})
     * @param ok     whether it was accepted
     */
    public void acknowledged(final @NotNull String status, final boolean ok) {
        statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
        if (ok) {
            acked.increment();
        } else {
            failed.increment();
        }
        touch();
    }

    /** The {@code rtm-status} of a PUBACK, or its reason code in lower case for a plain broker. */
    static @NotNull String statusOf(final @NotNull Mqtt5PubAck ack) {
        for (final var p : ack.getUserProperties().asList()) {
            if (p.getName().toString().equals(Props.STATUS)) {
                return p.getValue().toString();
            }
        }
        final Mqtt5PubAckReasonCode code = ack.getReasonCode();
        return code.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Books a delivered message.
     *
     * @param h           its header
     * @param arrivalNanos when it arrived ({@link System#nanoTime()})
     */
    public void delivered(final @NotNull Payloads.Header h, final long arrivalNanos) {
        if (h.pair() < 0 || h.pair() >= pairs.length || h.seq() < 0 || h.seq() > Integer.MAX_VALUE) {
            duplicates.increment(); // not a message this phase sent: count it where it cannot pass as a delivery
            return;
        }
        final Pair p = pairs[h.pair()];
        final boolean fresh;
        synchronized (p) {
            final int seq = (int) h.seq();
            fresh = !p.seen.get(seq);
            if (fresh) {
                p.seen.set(seq);
                if (seq < p.lastSeq) {
                    outOfOrder.increment();
                }
                p.lastSeq = Math.max(p.lastSeq, seq);
            }
        }
        if (!fresh) {
            duplicates.increment();
            return;
        }
        delivered.increment();
        final long origin = originNanos;
        latency.recordNanos(arrivalNanos - (origin > 0 ? origin : h.intendedNanos()));
        touch();
    }

    /**
     * The pairs (recipients) that have seen fewer than {@code expected} distinct messages, for diagnosing a phase
     * that did not finish.
     *
     * @param expected messages each pair should have seen
     * @param max      at most this many pairs are returned
     * @return pair index and messages seen, in pair order
     */
    public @NotNull List<int[]> pairsShort(final int expected, final int max) {
        final List<int[]> out = new ArrayList<>();
        for (int i = 0; i < pairs.length && out.size() < max; i++) {
            final int seen;
            synchronized (pairs[i]) {
                seen = pairs[i].seen.cardinality();
            }
            if (seen < expected) {
                out.add(new int[] {i, seen});
            }
        }
        return out;
    }

    /** Counts a receipt event that reached a sender. */
    public void receipt() {
        receipts.increment();
    }

    private void touch() {
        final long now = System.nanoTime();
        lastEventNanos.accumulateAndGet(now, Math::max);
    }

    /** Messages handed to the client for sending. */
    public long issuedCount() {
        return issued.sum();
    }

    /** Publishes the broker accepted. */
    public long ackedCount() {
        return acked.sum();
    }

    /** Publishes refused or failed. */
    public long failedCount() {
        return failed.sum();
    }

    /** Distinct messages delivered. */
    public long deliveredCount() {
        return delivered.sum();
    }

    /** Messages delivered again. */
    public long duplicateCount() {
        return duplicates.sum();
    }

    /** Messages that arrived after a later one of the same pair. */
    public long outOfOrderCount() {
        return outOfOrder.sum();
    }

    /** Receipts received by senders. */
    public long receiptCount() {
        return receipts.sum();
    }

    /** When the last acknowledgement or delivery was booked ({@link System#nanoTime()}), or 0. */
    public long lastEventNanos() {
        return lastEventNanos.get();
    }

    /** The latency of the deliveries so far. */
    public @NotNull Latency latency() {
        return latency.snapshot();
    }

    /** How often each acknowledgement status was seen. */
    public @NotNull Map<String, Long> statuses() {
        final Map<String, Long> m = new TreeMap<>();
        statuses.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }
}
