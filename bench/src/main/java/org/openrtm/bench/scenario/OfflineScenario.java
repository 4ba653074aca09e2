package org.openrtm.bench.scenario;

import com.google.gson.JsonObject;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.bench.Options;
import org.openrtm.bench.broker.BrokerHandle;
import org.openrtm.bench.broker.Target;
import org.openrtm.bench.load.Generator;
import org.openrtm.bench.load.Ledger;
import org.openrtm.bench.load.PairTraffic;
import org.openrtm.bench.load.Payloads;
import org.openrtm.bench.metrics.CpuWindow;
import org.openrtm.bench.metrics.Figure;
import org.openrtm.protocol.RtmTopics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 5: the offline cache. Per repetition: the recipients are offline; each sender sends {@code --messages}
 * QoS 1 messages to its recipient as fast as the broker takes them ({@code fill}: the rate at which the caches fill,
 * and the PUBACK statuses, {@code cached} for OpenRTM); then every recipient reconnects at once and subscribes
 * ({@code drain}: cached messages delivered per second, latency measured from the start of the storm, and the time
 * until every recipient has everything).
 *
 * <p>OpenRTM keeps the cache itself, so its recipients use clean sessions, as RTM devices do. The plain brokers have no
 * such cache; their equivalent is a persistent session: recipients first connect with a session that outlives the
 * connection (Session Expiry one hour) and subscribe, disconnect, and later resume it, receiving what the broker queued.
 */
public final class OfflineScenario implements Scenario {

    private static final Logger log = LoggerFactory.getLogger(OfflineScenario.class);

    /** The options this scenario takes (besides the common ones). */
    public static final Set<String> OPTIONS = Set.of("pairs", "messages", "payload", "receipts", "drain-timeout");

    /** HiveMQ CE's default queue of a disconnected persistent session. */
    static final int HIVEMQ_QUEUE = 1000;
    /** OpenRTM's default offline cache per recipient ({@code offline.max-messages}). */
    static final int RTM_CACHE = 200;

    private final int pairs;
    private final int messages;
    private final int payload;
    private final boolean receipts;
    private final Duration drainTimeout;

    /**
     * @param o the parsed options
     * @throws IllegalArgumentException for an option out of range
     */
    public OfflineScenario(final @NotNull Options o) {
        pairs = o.integer("pairs", 100, 1, 100_000);
        messages = o.integer("messages", 100, 1, 1_000_000);
        payload = o.integer("payload", 100, Payloads.HEADER_BYTES, 8192);
        receipts = o.flag("receipts", true);
        drainTimeout = o.duration("drain-timeout", Duration.ofSeconds(60), Duration.ofSeconds(1));
    }

    @Override
    public @NotNull String name() {
        return "offline";
    }

    @Override
    public @NotNull JsonObject parameters() {
        final JsonObject p = new JsonObject();
        p.addProperty("pairs", pairs);
        p.addProperty("messagesPerRecipient", messages);
        p.addProperty("payloadBytes", payload);
        p.addProperty("qos", 1);
        p.addProperty("receipts", receipts);
        p.addProperty("drainTimeoutSeconds", drainTimeout.toSeconds());
        p.addProperty("plainBrokers", "persistent sessions (clean start false, session expiry 3600 s)");
        return p;
    }

    @Override
    public @Nullable String unsupported(final @NotNull Target target, final @NotNull Map<String, String> rtmSettings) {
        if (target.isRtm()) {
            final int cache = Integer.parseInt(rtmSettings.getOrDefault("offline.max-messages", Integer.toString(RTM_CACHE))
                    .replace("_", ""));
            if (messages > cache) {
                return "--messages " + messages + " exceeds the offline cache of " + cache
                        + " per recipient; raise it with --setting offline.max-messages=" + messages;
            }
        }
        if (target == Target.HIVEMQ && messages > HIVEMQ_QUEUE) {
            return "--messages " + messages + " exceeds HiveMQ CE's default queue of " + HIVEMQ_QUEUE
                    + " messages per offline session";
        }
        return null;
    }

    @Override
    public @NotNull List<Figure> runOnce(final @NotNull BrokerHandle broker, final @NotNull Generator generator, final int rep)
            throws Exception {
        final boolean persistent = !broker.target().isRtm();
        final PairTraffic t = new PairTraffic(broker, generator, "o" + rep + "-", pairs, payload);
        final Duration timeout = Duration.ofSeconds(120);
        try {
            if (persistent) {
                PairTraffic.connectAll(t.recipients(), true, 3600, d -> List.of(RtmTopics.inboxFilter(d.uid())), timeout);
                Generator.forAll(t.recipients(), 500, d -> d.disconnect(false), timeout, n -> { });
            }
            PairTraffic.connectAll(t.senders(), true, 0, d -> receipts ? List.of(RtmTopics.event(d.uid())) : List.of(),
                    timeout);
            t.askReceipts(receipts);
            final Ledger l = t.newPhase(0);
            final long total = (long) pairs * messages;

            // fill: every sender sends its messages at once; the client keeps Receive Maximum in flight per connection
            final CpuWindow fillCpu = CpuWindow.start(broker.pid());
            final long f0 = System.nanoTime();
            for (long i = 0; i < total; i++) {
                t.send(l, i, System.nanoTime());
            }
            final boolean filled = awaitAcks(l, total, drainTimeout);
            final double fillSeconds = (Math.max(l.lastEventNanos(), f0 + 1) - f0) / 1e9;
            final CpuWindow.Usage fillUsage = fillCpu.stop();
            final BrokerHandle.Memory filledMem = broker.memory(true);
            final Figure.Builder fill = Figure.builder("fill").window(l.ackedCount(), fillSeconds)
                    .counts(total, l.ackedCount(), l.deliveredCount(), l.duplicateCount(), l.failedCount())
                    .cpu(fillUsage).memory(filledMem.heapBytes(), filledMem.rssBytes()).statuses(l.statuses());
            if (!filled) {
                fill.fail("not every publish was answered within " + drainTimeout.toSeconds() + " s");
            }
            if (l.failedCount() > 0) {
                fill.fail(l.failedCount() + " publishes refused or failed " + l.statuses());
            }
            if (l.deliveredCount() > 0) {
                fill.note(l.deliveredCount() + " messages reached a recipient that should have been offline");
            }

            // the storm: every recipient connects at once
            final Ledger storm = l;
            storm.measureFrom(System.nanoTime());
            final long acked = l.ackedCount();
            final CpuWindow drainCpu = CpuWindow.start(broker.pid());
            final long s0 = System.nanoTime();
            final long[] lastConnect = {0};
            final List<Throwable> failures = Generator.forAll(t.recipients(), t.recipients().size(),
                    d -> d.connect(!persistent, persistent ? 3600 : 0)
                            .thenCompose(ack -> d.subscribe(List.of(RtmTopics.inboxFilter(d.uid()))))
                            .thenRun(() -> noteTime(lastConnect)), timeout, n -> { });
            final boolean drained = awaitDeliveries(storm, acked, drainTimeout);
            final double drainSeconds = (Math.max(storm.lastEventNanos(), s0 + 1) - s0) / 1e9;
            final CpuWindow.Usage drainUsage = drainCpu.stop();
            final BrokerHandle.Memory drainedMem = broker.memory(true);
            final Figure.Builder drain = Figure.builder("drain").window(storm.deliveredCount(), drainSeconds)
                    .counts(total, acked, storm.deliveredCount(), storm.duplicateCount(), 0)
                    .latency(storm.latency()).cpu(drainUsage).memory(drainedMem.heapBytes(), drainedMem.rssBytes())
                    .extra("reconnectSeconds", lastConnect[0] == 0 ? -1 : (lastConnect[0] - s0) / 1e9)
                    .extra("timeToAllSeconds", drained ? drainSeconds : -1)
                    .extra("outOfOrder", storm.outOfOrderCount())
                    .extra("receipts", storm.receiptCount());
            if (!failures.isEmpty()) {
                drain.fail(failures.size() + " recipients could not reconnect: " + failures.get(0));
            }
            if (storm.deliveredCount() < acked) {
                drain.fail((acked - storm.deliveredCount()) + " of " + acked + " accepted messages not delivered");
            }
            log.info("{} rep {}: fill {} msg/s, drain {} msg/s, all delivered after {} s", broker.target().id(), rep,
                    Math.round(l.ackedCount() / fillSeconds), Math.round(storm.deliveredCount() / drainSeconds),
                    String.format(java.util.Locale.ROOT, "%.2f", drainSeconds));
            return List.of(fill.build(), drain.build());
        } finally {
            t.disconnect();
        }
    }

    private static synchronized void noteTime(final long[] last) {
        last[0] = Math.max(last[0], System.nanoTime());
    }

    private static boolean awaitAcks(final Ledger l, final long total, final Duration timeout) {
        return waitFor(() -> l.ackedCount() + l.failedCount() >= total, timeout);
    }

    private static boolean awaitDeliveries(final Ledger l, final long expected, final Duration timeout) {
        return waitFor(() -> l.deliveredCount() >= expected, timeout);
    }

    private static boolean waitFor(final java.util.function.BooleanSupplier done, final Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return true;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
        return done.getAsBoolean();
    }
}
