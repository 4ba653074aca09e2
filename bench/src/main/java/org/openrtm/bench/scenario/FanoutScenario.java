package org.openrtm.bench.scenario;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.bench.Options;
import org.openrtm.bench.broker.BrokerHandle;
import org.openrtm.bench.broker.Target;
import org.openrtm.bench.load.Device;
import org.openrtm.bench.load.Generator;
import org.openrtm.bench.load.Ledger;
import org.openrtm.bench.load.Payloads;
import org.openrtm.bench.metrics.CpuWindow;
import org.openrtm.bench.metrics.Figure;
import org.openrtm.bench.metrics.ProcStats;
import org.openrtm.protocol.Props;
import org.openrtm.protocol.RtmTopics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario 2: channel fan-out. One sender publishes QoS 1 to channels of {@code --members} subscribers (100, 1,000 and
 * 10,000 by default), without a recipient list, with a blacklist ({@code rtm-except}) and with a whitelist
 * ({@code rtm-only}) of {@code --list-size} uids (128).
 *
 * <p>Per repetition the largest channel's members connect once and join every channel they belong to (member {@code i}
 * is in every channel larger than {@code i}); the sender joins with No Local. Then, for every channel size and
 * recipient list: a phase at a fixed rate of {@code --rate-deliveries} deliveries per second ({@code -rate}: latency at
 * a load every broker carries) and a burst ({@code -burst}: the sender keeps the broker's Receive Maximum of publishes in
 * flight until about {@code --burst-deliveries} deliveries are owed; deliveries per second from the first send to the
 * last delivery). Counts in these figures are <em>deliveries</em> (messages × recipients), not publishes.
 *
 * <p>The lists always name {@code --list-size} uids: the whitelist the first {@code min(N, 128)} members of a channel of
 * N (the rest of the list are uids that are not members), the blacklist the first {@code min(128, N / 2)} members (so
 * that a channel of 100 still has recipients). The plain brokers have no lists; their equivalent is a plain topic with
 * the same subscribers as OpenRTM's recipients (members subscribe to {@code <channel>-only} or {@code <channel>-except}
 * as well), so that both deliver the same number of messages to the same devices.
 */
public final class FanoutScenario implements Scenario {

    private static final Logger log = LoggerFactory.getLogger(FanoutScenario.class);

    /** The options this scenario takes (besides the common ones). */
    public static final Set<String> OPTIONS = Set.of("members", "lists", "list-size", "payload", "rate-deliveries",
            "duration", "burst-deliveries", "max-burst-messages", "warmup", "drain-timeout", "connect-concurrency");

    /** The recipient lists: none, a blacklist, a whitelist. */
    static final List<String> VARIANTS = List.of("all", "except", "only");

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final AtomicInteger PHASES = new AtomicInteger(1_000_000);

    private final List<Integer> members;
    /** The current repetition's members, for naming the ones that missed messages. */
    private volatile List<Device> pool;
    private final List<String> variants;
    private final int listSize;
    private final int payload;
    private final double rateDeliveries;
    private final Duration duration;
    private final long burstDeliveries;
    private final int maxBurstMessages;
    private final Duration warmup;
    private final Duration drainTimeout;
    private final int concurrency;

    /**
     * @param o the parsed options
     * @throws IllegalArgumentException for an option out of range or an unknown list kind
     */
    public FanoutScenario(final @NotNull Options o) {
        final List<Integer> m = new ArrayList<>();
        for (final double v : o.numbers("members", List.of(100.0, 1_000.0, 10_000.0))) {
            if (v != Math.rint(v) || v < 2 || v > 1_000_000) {
                throw new IllegalArgumentException("--members must list whole numbers between 2 and 1000000, but had "
                        + v);
            }
            if (!m.contains((int) v)) {
                m.add((int) v);
            }
        }
        if (m.isEmpty()) {
            throw new IllegalArgumentException("--members must list at least one channel size, but was empty");
        }
        m.sort(Integer::compare);
        members = List.copyOf(m);
        variants = o.words("lists", VARIANTS);
        for (final String v : variants) {
            if (!VARIANTS.contains(v)) {
                throw new IllegalArgumentException("--lists must name kinds among " + VARIANTS + ", but had '" + v + "'");
            }
        }
        listSize = o.integer("list-size", 128, 1, 10_000);
        payload = o.integer("payload", 100, Payloads.HEADER_BYTES, 8192);
        rateDeliveries = o.number("rate-deliveries", 10_000, 0, 10_000_000);
        duration = o.duration("duration", Duration.ofSeconds(5), Duration.ofMillis(100));
        burstDeliveries = o.integer("burst-deliveries", 100_000, 0, 100_000_000);
        maxBurstMessages = o.integer("max-burst-messages", 500, 1, 1_000_000);
        warmup = o.duration("warmup", Duration.ofSeconds(2), Duration.ZERO);
        drainTimeout = o.duration("drain-timeout", Duration.ofSeconds(30), Duration.ofSeconds(1));
        concurrency = o.integer("connect-concurrency", 200, 1, 100_000);
    }

    @Override
    public @NotNull String name() {
        return "fanout";
    }

    /** The largest channel: how many member connections a repetition opens. */
    public int maxMembers() {
        return members.get(members.size() - 1);
    }

    @Override
    public @NotNull JsonObject parameters() {
        final JsonObject p = new JsonObject();
        final JsonArray m = new JsonArray();
        members.forEach(m::add);
        p.add("members", m);
        final JsonArray l = new JsonArray();
        variants.forEach(l::add);
        p.add("lists", l);
        p.addProperty("listSize", listSize);
        p.addProperty("payloadBytes", payload);
        p.addProperty("qos", 1);
        p.addProperty("rateDeliveriesPerSecond", rateDeliveries);
        p.addProperty("durationSeconds", duration.toMillis() / 1000.0);
        p.addProperty("burstDeliveries", burstDeliveries);
        p.addProperty("maxBurstMessages", maxBurstMessages);
        p.addProperty("warmupSeconds", warmup.toMillis() / 1000.0);
        p.addProperty("drainTimeoutSeconds", drainTimeout.toSeconds());
        p.addProperty("plainBrokers", "lists replaced by plain topics with the same subscribers as OpenRTM's recipients");
        return p;
    }

    @Override
    public @Nullable String unsupported(final @NotNull Target target, final @NotNull Map<String, String> rtmSettings) {
        final long limit = ProcStats.openFilesLimit();
        final long needed = maxMembers() + 2L + 500;
        if (limit > 0 && limit < needed) {
            return "a channel of " + maxMembers() + " members needs about " + needed + " open files per process, but the "
                    + "limit (ulimit -n) is " + limit + "; raise it (see bench/README.md) or use smaller --members";
        }
        if (target.isRtm() && variants.size() > 1) {
            final int maxList = Integer.parseInt(rtmSettings.getOrDefault("channel.max-list", "128").replace("_", ""));
            if (listSize > maxList) {
                return "--list-size " + listSize + " exceeds channel.max-list " + maxList
                        + "; raise it with --setting channel.max-list=" + listSize;
            }
        }
        return null;
    }

    /** The members of a channel of {@code n} that the blacklist names. */
    int excluded(final int n) {
        return Math.min(listSize, n / 2);
    }

    /** The members of a channel of {@code n} that the whitelist names. */
    int included(final int n) {
        return Math.min(listSize, n);
    }

    /** The first and last+1 pool index of the recipients of a variant of a channel of {@code n}. */
    int[] recipients(final String variant, final int n) {
        switch (variant) {
            case "only":
                return new int[] {0, included(n)};
            case "except":
                return new int[] {excluded(n), n};
            default:
                return new int[] {0, n};
        }
    }

    private static String cid(final int rep, final int n, final String variant) {
        return "g" + rep + "-c" + n + ("all".equals(variant) ? "" : "-" + variant);
    }

    private static String memberUid(final int rep, final int i) {
        return "g" + rep + "-m" + i;
    }

    /** The filters member {@code i} subscribes to: each channel it is in (plain brokers: also the list topics). */
    List<String> filters(final int rep, final int i, final boolean rtm) {
        final List<String> f = new ArrayList<>();
        for (final int n : members) {
            if (i >= n) {
                continue;
            }
            f.add(RtmTopics.channelMsgFilter(cid(rep, n, "all")));
            if (!rtm) {
                for (final String v : variants) {
                    final int[] r = recipients(v, n);
                    if (!"all".equals(v) && i >= r[0] && i < r[1]) {
                        f.add(RtmTopics.channelMsgFilter(cid(rep, n, v)));
                    }
                }
            }
        }
        return f;
    }

    /** The uids of the list of a variant for a channel of {@code n}: named members first, then non-members. */
    String list(final int rep, final String variant, final int n) {
        final int named = "only".equals(variant) ? included(n) : excluded(n);
        final List<String> uids = new ArrayList<>(listSize);
        for (int i = 0; i < named; i++) {
            uids.add(memberUid(rep, i));
        }
        for (int i = 0; uids.size() < listSize; i++) {
            uids.add("g" + rep + "-x" + i);
        }
        return String.join(",", uids);
    }

    /** One phase's books: which pool members are recipients, and the ledger indexed by recipient. */
    private static final class Phase {
        final Ledger ledger;
        final int from;
        final int to;
        final LongAdder misdelivered = new LongAdder();
        final AtomicLong rtmRecipients = new AtomicLong(-1);

        Phase(final int id, final int from, final int to) {
            this.ledger = new Ledger(id, to - from, 0);
            this.from = from;
            this.to = to;
        }

        int recipients() {
            return to - from;
        }
    }

    @Override
    public @NotNull List<Figure> runOnce(final @NotNull BrokerHandle broker, final @NotNull Generator generator, final int rep)
            throws Exception {
        final boolean rtm = broker.target().isRtm();
        final List<Device> pool = new ArrayList<>(maxMembers());
        this.pool = pool;
        final LongAdder strays = new LongAdder();
        final AtomicReference<Phase> current = new AtomicReference<>();
        for (int i = 0; i < maxMembers(); i++) {
            final Device d = generator.device(broker, memberUid(rep, i));
            final int index = i;
            d.onMessage(p -> received(current, index, p, strays));
            pool.add(d);
        }
        final Device sender = generator.device(broker, "g" + rep + "-s");
        final long disconnects0 = generator.unexpectedDisconnects();
        try {
            final long c0 = System.nanoTime();
            final Map<Device, Integer> index = new IdentityHashMap<>();
            for (int i = 0; i < pool.size(); i++) {
                index.put(pool.get(i), i);
            }
            final List<Throwable> failures = Generator.forAll(pool, concurrency,
                    d -> d.connect(true, 0).thenCompose(a -> d.subscribe(filters(rep, index.get(d), rtm))),
                    Duration.ofMinutes(10), n -> { });
            if (!failures.isEmpty()) {
                throw new IllegalStateException(failures.size() + " of " + pool.size() + " members could not connect and "
                        + "join: " + failures.get(0), failures.get(0));
            }
            final List<String> senderFilters = new ArrayList<>();
            if (rtm) {
                for (final int n : members) {
                    senderFilters.add(RtmTopics.channelMsgFilter(cid(rep, n, "all")));
                }
            }
            sender.connect(true, 0).thenCompose(a -> sender.subscribe(senderFilters, true)).get(60, TimeUnit.SECONDS);
            log.info("{} rep {}: {} members connected and joined in {} s", broker.target().id(), rep, pool.size(),
                    String.format(Locale.ROOT, "%.1f", (System.nanoTime() - c0) / 1e9));
            if (!warmup.isZero()) {
                // the first messages of a fresh broker run while the JIT compiles the fan-out path, with and without lists
                for (final String v : variants) {
                    fixedRate("warmup", rep, members.get(0), v, sender, broker, current, strays, warmup);
                }
            }
            final List<Figure> figures = new ArrayList<>();
            for (final int n : members) {
                for (final String v : variants) {
                    if (rateDeliveries > 0) {
                        figures.add(fixedRate(label(n, v) + "-rate", rep, n, v, sender, broker, current, strays, duration));
                    }
                    if (burstDeliveries > 0) {
                        figures.add(burst(label(n, v) + "-burst", rep, n, v, sender, broker, current, strays));
                    }
                }
            }
            final long dropped = generator.unexpectedDisconnects() - disconnects0;
            if (dropped > 0) {
                final List<Figure> marked = new ArrayList<>();
                for (final Figure f : figures) {
                    marked.add(Figure.builder(f.name()).targetRate(f.targetRate()).window(f.delivered(), f.seconds())
                            .counts(f.sent(), f.acked(), f.delivered(), f.duplicates(), f.failed()).latency(f.latency())
                            .cpu(new CpuWindow.Usage(f.brokerCpu(), f.generatorCpu()))
                            .memory(f.brokerHeapBytes(), f.brokerRssBytes()).statuses(f.statuses())
                            .fail(dropped + " connections were lost during the repetition").build());
                }
                return marked;
            }
            return figures;
        } finally {
            current.set(null);
            final List<Device> all = new ArrayList<>(pool);
            all.add(sender);
            Generator.forAll(all, 500, d -> d.disconnect(true), Duration.ofMinutes(2), n -> { });
        }
    }

    static String label(final int n, final String variant) {
        return "m" + n + "-" + variant;
    }

    private static void received(final AtomicReference<Phase> current, final int index, final Mqtt5Publish p,
                                 final LongAdder strays) {
        final long now = System.nanoTime();
        final Phase ph = current.get();
        final ByteBuffer b = p.getPayload().orElse(null);
        final Payloads.Header h = b == null ? null : Payloads.decode(b);
        if (ph == null || h == null || h.phase() != ph.ledger.phase()) {
            strays.increment();
            return;
        }
        if (index < ph.from || index >= ph.to) {
            ph.misdelivered.increment();
            return;
        }
        ph.ledger.delivered(new Payloads.Header(h.intendedNanos(), h.phase(), index - ph.from, h.seq()), now);
    }

    private Mqtt5Publish publish(final int rep, final int n, final String variant, final Device sender, final Phase ph,
                                 final long seq, final long intendedNanos, final boolean rtm) {
        final String topic = RtmTopics.channelMsg(cid(rep, n, rtm ? "all" : variant), sender.uid());
        final var b = Mqtt5Publish.builder().topic(MqttTopic.of(topic)).qos(MqttQos.AT_LEAST_ONCE)
                .payload(Payloads.encode(payload, intendedNanos, ph.ledger.phase(), 0, seq));
        if (rtm && !"all".equals(variant)) {
            b.userProperties(Mqtt5UserProperties.builder()
                    .add("only".equals(variant) ? Props.ONLY : Props.EXCEPT, list(rep, variant, n)).build());
        }
        return b.build();
    }

    private void acknowledged(final Phase ph, final Mqtt5PublishResult r, final Throwable e) {
        ph.ledger.acknowledged(r, e);
        if (r instanceof Mqtt5PublishResult.Mqtt5Qos1Result) {
            for (final var prop : ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getUserProperties().asList()) {
                if (prop.getName().toString().equals(Props.RECIPIENTS)) {
                    try {
                        ph.rtmRecipients.set(Long.parseLong(prop.getValue().toString()));
                    } catch (final NumberFormatException bad) {
                        log.debug("rtm-recipients is not a number: {}", prop.getValue());
                    }
                }
            }
        }
    }

    private Phase start(final AtomicReference<Phase> current, final String variant, final int n) {
        final int[] r = recipients(variant, n);
        final Phase ph = new Phase(PHASES.incrementAndGet(), r[0], r[1]);
        current.set(ph);
        return ph;
    }

    /** Open loop at {@code rateDeliveries / recipients} messages per second. */
    private Figure fixedRate(final String name, final int rep, final int n, final String variant, final Device sender,
                             final BrokerHandle broker, final AtomicReference<Phase> current, final LongAdder strays,
                             final Duration length) {
        final boolean rtm = broker.target().isRtm();
        final Phase ph = start(current, variant, n);
        final double rate = Math.max(0.2, rateDeliveries / ph.recipients());
        final long total = Math.max(1, Math.round(rate * length.toNanos() / 1e9));
        final long strays0 = strays.sum();
        final CpuWindow cpu = CpuWindow.start(broker.pid());
        final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
        long issued = 0;
        while (issued < total) {
            final long due = Math.min(total, (long) ((System.nanoTime() - start) * rate / 1e9) + 1);
            while (issued < due) {
                final long intended = start + (long) (issued * 1e9 / rate);
                ph.ledger.issued();
                sender.publish(publish(rep, n, variant, sender, ph, issued, intended, rtm))
                        .whenComplete((r, e) -> acknowledged(ph, r, e));
                issued++;
            }
            if (issued < total) {
                final long wait = start + (long) (issued * 1e9 / rate) - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(1)));
                }
            }
        }
        final long lag = Math.max(0, System.nanoTime() - (start + (long) ((total - 1) * 1e9 / rate)));
        return finish(name, ph, total, rate * ph.recipients(), start, cpu, broker, strays, strays0, lag);
    }

    /** Closed loop: at most the broker's Receive Maximum of publishes in flight, each stamped when it is sent. */
    private Figure burst(final String name, final int rep, final int n, final String variant, final Device sender,
                         final BrokerHandle broker, final AtomicReference<Phase> current, final LongAdder strays)
            throws InterruptedException {
        final boolean rtm = broker.target().isRtm();
        final Phase ph = start(current, variant, n);
        final long total = Math.max(1, Math.min(maxBurstMessages, (burstDeliveries + ph.recipients() - 1) / ph.recipients()));
        final Semaphore window = new Semaphore(Math.max(1, sender.sendMaximum()));
        final long strays0 = strays.sum();
        final CpuWindow cpu = CpuWindow.start(broker.pid());
        final long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
            if (!window.tryAcquire(drainTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                break; // the broker stopped acknowledging: finish() reports what is missing
            }
            ph.ledger.issued();
            sender.publish(publish(rep, n, variant, sender, ph, i, System.nanoTime(), rtm)).whenComplete((r, e) -> {
                window.release();
                acknowledged(ph, r, e);
            });
        }
        return finish(name, ph, total, 0, start, cpu, broker, strays, strays0, 0);
    }

    private Figure finish(final String name, final Phase ph, final long total, final double targetDeliveries,
                          final long start, final CpuWindow cpu, final BrokerHandle broker, final LongAdder strays,
                          final long strays0, final long lagNanos) {
        final Ledger l = ph.ledger;
        final long recipients = ph.recipients();
        final boolean complete = waitFor(() -> l.ackedCount() + l.failedCount() >= total
                && l.deliveredCount() >= l.ackedCount() * recipients, drainTimeout);
        final long end = Math.max(l.lastEventNanos(), start + 1);
        final CpuWindow.Usage usage = cpu.stop();
        final BrokerHandle.Memory mem = broker.memory(true);
        final Figure.Builder f = Figure.builder(name).targetRate(targetDeliveries)
                .window(l.deliveredCount(), (end - start) / 1e9)
                .counts(total * recipients, l.ackedCount() * recipients, l.deliveredCount(), l.duplicateCount(),
                        l.failedCount())
                .latency(l.latency()).cpu(usage).memory(mem.heapBytes(), mem.rssBytes()).statuses(l.statuses())
                .extra("messages", total)
                .extra("recipients", recipients)
                .extra("outOfOrder", l.outOfOrderCount())
                .extra("misdelivered", ph.misdelivered.sum())
                .extra("strays", strays.sum() - strays0)
                .extra("pacerLagMs", lagNanos / 1e6);
        if (ph.rtmRecipients.get() >= 0) {
            f.extra("rtmRecipients", ph.rtmRecipients.get());
        }
        final long owed = l.ackedCount() * recipients;
        if (l.failedCount() > 0) {
            f.fail(l.failedCount() + " of " + total + " publishes refused or failed " + l.statuses());
        }
        if (l.deliveredCount() < owed) {
            f.fail((owed - l.deliveredCount()) + " of " + owed + " deliveries missing");
        }
        if (!complete) {
            f.fail("not finished " + drainTimeout.toSeconds() + " s after the last send");
        }
        if (ph.misdelivered.sum() > 0) {
            f.fail(ph.misdelivered.sum() + " deliveries to members the list excluded");
        }
        log.info("{} {}: {} deliveries/s, p99 {} ms{}", broker.target().id(), name,
                Math.round(l.deliveredCount() / ((end - start) / 1e9)), l.latency().p99Ms(),
                complete ? "" : " (incomplete)");
        if (!complete) {
            final StringBuilder shortOnes = new StringBuilder();
            final List<Device> devices = pool;
            for (final int[] p : l.pairsShort((int) total, 5)) {
                final Device d = devices == null ? null : devices.get(ph.from + p[0]);
                shortOnes.append(shortOnes.length() == 0 ? "" : ", ").append("member #").append(ph.from + p[0])
                        .append(d == null ? "" : " (" + d.uid() + (d.isConnected() ? ", connected" : ", NOT connected")
                                + ", subscriptions at the broker: " + broker.subscriptionsOf(d.uid()) + ")")
                        .append(" got ").append(p[1]);
            }
            log.warn("{} {}: recipients short of the {} messages (first 5): {}", broker.target().id(), name, total,
                    shortOnes.length() == 0 ? "none (PUBACKs missing)" : shortOnes);
            // let a backlog clear so that it does not spill into the next phase
            waitFor(() -> l.deliveredCount() >= l.ackedCount() * recipients, Duration.ofSeconds(60));
        }
        return f.build();
    }

    private static boolean waitFor(final java.util.function.BooleanSupplier done, final Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return true;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        return done.getAsBoolean();
    }
}
