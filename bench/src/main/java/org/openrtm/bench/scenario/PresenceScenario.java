package org.openrtm.bench.scenario;

import com.google.gson.JsonObject;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5WillPublish;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.bench.Options;
import org.openrtm.bench.broker.BrokerHandle;
import org.openrtm.bench.broker.Target;
import org.openrtm.bench.load.Device;
import org.openrtm.bench.load.Generator;
import org.openrtm.bench.load.PairTraffic;
import org.openrtm.bench.metrics.CpuWindow;
import org.openrtm.bench.metrics.Figure;
import org.openrtm.bench.metrics.LatencyRecorder;
import org.openrtm.protocol.RtmTopics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario 4: presence under churn. {@code --devices} devices connect and disconnect (clean DISCONNECT) over and over,
 * at {@code --churn-rate} transitions per second in all (round robin, so each device changes state every
 * {@code devices / churn-rate} seconds), while {@code --watchers} subscribers each watch every device's presence topic.
 * Latency is the time from the moment the generator starts the transition (opens the connection and sends CONNECT, or
 * sends DISCONNECT) until a watcher receives the new state; every watcher must see every transition, in order.
 *
 * <p>OpenRTM publishes the retained {@code rtm/user/{uid}/presence} itself. The plain brokers have no presence; their
 * nearest equivalent is what a plain MQTT device does: it connects with a Will message (retained {@code offline} on
 * its presence topic), publishes a retained {@code online} there once connected (QoS 1), and leaves with DISCONNECT
 * reason 0x04 (Disconnect with Will Message), so that the broker publishes the Will. The online latency of the plain
 * brokers therefore includes the CONNACK round trip before the device's own publish; OpenRTM publishes on its own.
 *
 * <p>Figures: {@code online} and {@code offline} (deliveries per second = presence notifications delivered to watchers
 * per second; counts are notifications: transitions × watchers).
 */
public final class PresenceScenario implements Scenario {

    private static final Logger log = LoggerFactory.getLogger(PresenceScenario.class);

    /** The options this scenario takes (besides the common ones). */
    public static final Set<String> OPTIONS = Set.of("devices", "watchers", "churn-rate", "duration", "warmup",
            "drain-timeout");

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final byte[] ONLINE = "{\"state\":\"online\",\"via\":\"mqtt\"}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OFFLINE = "{\"state\":\"offline\",\"via\":\"mqtt\"}".getBytes(StandardCharsets.UTF_8);

    private final int devices;
    private final int watchers;
    private final double churnRate;
    private final Duration duration;
    private final Duration warmup;
    private final Duration drainTimeout;

    /**
     * @param o the parsed options
     * @throws IllegalArgumentException for an option out of range
     */
    public PresenceScenario(final @NotNull Options o) {
        devices = o.integer("devices", 200, 1, 100_000);
        watchers = o.integer("watchers", 5, 1, 10_000);
        churnRate = o.number("churn-rate", 100, 0.1, 1_000_000);
        duration = o.duration("duration", Duration.ofSeconds(20), Duration.ofMillis(100));
        warmup = o.duration("warmup", Duration.ofSeconds(4), Duration.ZERO);
        drainTimeout = o.duration("drain-timeout", Duration.ofSeconds(15), Duration.ofSeconds(1));
    }

    @Override
    public @NotNull String name() {
        return "presence";
    }

    @Override
    public @NotNull JsonObject parameters() {
        final JsonObject p = new JsonObject();
        p.addProperty("devices", devices);
        p.addProperty("watchers", watchers);
        p.addProperty("churnRate", churnRate);
        p.addProperty("durationSeconds", duration.toMillis() / 1000.0);
        p.addProperty("warmupSeconds", warmup.toMillis() / 1000.0);
        p.addProperty("drainTimeoutSeconds", drainTimeout.toSeconds());
        p.addProperty("plainBrokers", "retained online published by the device after CONNACK; Will (retained offline) "
                + "published by the broker on DISCONNECT with reason 0x04");
        return p;
    }

    @Override
    public @Nullable String unsupported(final @NotNull Target target, final @NotNull Map<String, String> rtmSettings) {
        if (target.isRtm()) {
            final int max = Integer.parseInt(rtmSettings.getOrDefault("presence.max-subscriptions", "512").replace("_", ""));
            if (devices > max) {
                return "each watcher watches " + devices + " devices, over presence.max-subscriptions " + max
                        + "; raise it with --setting presence.max-subscriptions=" + devices;
            }
        }
        return null;
    }

    /** Transitions per device in a loop of {@code length}: even, so that every device ends offline, at least 2. */
    long perDevice(final Duration length) {
        final long total = Math.round(churnRate * length.toNanos() / 1e9);
        final long per = Math.max(2, (total + devices - 1) / devices);
        return per % 2 == 0 ? per : per + 1;
    }

    /** What the watchers and the driver share: per device, when each transition started. */
    private static final class Books {
        final long[][] started;
        final int[][] seen; // [watcher][device]: how many live notifications of that device the watcher got
        final long measuredFrom; // transitions with a lower index per device are warm-up
        final LatencyRecorder online = new LatencyRecorder();
        final LatencyRecorder offline = new LatencyRecorder();
        final LongAdder onlineSeen = new LongAdder();
        final LongAdder offlineSeen = new LongAdder();
        final LongAdder wrongState = new LongAdder();
        final LongAdder unexpected = new LongAdder();
        volatile long lastSeenNanos;

        Books(final int devices, final int watchers, final long transitions, final long measuredFrom) {
            this.started = new long[devices][(int) transitions];
            this.seen = new int[watchers][devices];
            this.measuredFrom = measuredFrom;
        }
    }

    @Override
    public @NotNull List<Figure> runOnce(final @NotNull BrokerHandle broker, final @NotNull Generator generator, final int rep)
            throws Exception {
        final boolean rtm = broker.target().isRtm();
        final long warmPer = warmup.isZero() ? 0 : perDevice(warmup);
        final long measuredPer = perDevice(duration);
        final Books books = new Books(devices, watchers, warmPer + measuredPer, warmPer);
        final List<Device> fleet = new ArrayList<>();
        final Map<String, Integer> byTopic = new HashMap<>();
        for (int i = 0; i < devices; i++) {
            final Device d = generator.device(broker, "q" + rep + "-d" + i);
            fleet.add(d);
            byTopic.put(RtmTopics.presence(d.uid()), i);
        }
        final List<Device> watching = new ArrayList<>();
        for (int w = 0; w < watchers; w++) {
            final Device d = generator.device(broker, "q" + rep + "-w" + w);
            final int index = w;
            d.onMessage(p -> seen(books, index, byTopic, p));
            watching.add(d);
        }
        final List<String> filters = new ArrayList<>(byTopic.keySet());
        final long disconnects0 = generator.unexpectedDisconnects();
        try {
            PairTraffic.connectAll(watching, true, 0, d -> filters, Duration.ofSeconds(60));
            final List<CompletableFuture<?>> pending = new ArrayList<>();
            for (int i = 0; i < devices; i++) {
                pending.add(CompletableFuture.completedFuture(null));
            }
            final Figure.Builder[] out = new Figure.Builder[2];
            if (warmPer > 0) {
                churn(fleet, pending, books, 0, warmPer, rtm);
                awaitSeen(books, warmPer, drainTimeout);
            }
            final CpuWindow cpu = CpuWindow.start(broker.pid());
            final long onlineBefore = books.onlineSeen.sum();
            final long offlineBefore = books.offlineSeen.sum();
            final long t0 = System.nanoTime();
            final long lag = churn(fleet, pending, books, warmPer, warmPer + measuredPer, rtm);
            final boolean complete = awaitSeen(books, warmPer + measuredPer, drainTimeout);
            final double seconds = (Math.max(books.lastSeenNanos, t0 + 1) - t0) / 1e9;
            final CpuWindow.Usage usage = cpu.stop();
            final BrokerHandle.Memory mem = broker.memory(true);
            final long expectedEach = measuredPer / 2 * devices * watchers;
            final long dropped = generator.unexpectedDisconnects() - disconnects0;
            final String[] names = {"online", "offline"};
            final long[] got = {books.onlineSeen.sum() - onlineBefore, books.offlineSeen.sum() - offlineBefore};
            final LatencyRecorder[] lat = {books.online, books.offline};
            for (int k = 0; k < 2; k++) {
                final Figure.Builder f = Figure.builder(names[k]).targetRate(churnRate / 2 * watchers)
                        .window(got[k], seconds)
                        .counts(expectedEach, expectedEach, got[k], 0, 0)
                        .latency(lat[k].snapshot()).cpu(usage).memory(mem.heapBytes(), mem.rssBytes())
                        .extra("transitionsPerSecond", measuredPer * devices / Math.max(1e-9, seconds))
                        .extra("wrongState", books.wrongState.sum())
                        .extra("unexpected", books.unexpected.sum())
                        .extra("pacerLagMs", lag / 1e6);
                if (got[k] < expectedEach) {
                    f.fail((expectedEach - got[k]) + " of " + expectedEach + " " + names[k] + " notifications missing");
                }
                if (!complete) {
                    f.fail("not every notification arrived " + drainTimeout.toSeconds() + " s after the last transition");
                }
                if (books.wrongState.sum() > 0) {
                    f.fail(books.wrongState.sum() + " notifications with the wrong state");
                }
                if (dropped > 0) {
                    f.fail(dropped + " connections were lost or refused");
                }
                out[k] = f;
            }
            log.info("{} rep {}: online p99 {} ms, offline p99 {} ms, {} transitions/s", broker.target().id(), rep,
                    books.online.snapshot().p99Ms(), books.offline.snapshot().p99Ms(),
                    String.format(Locale.ROOT, "%.0f", measuredPer * devices / Math.max(1e-9, seconds)));
            return List.of(out[0].build(), out[1].build());
        } finally {
            final List<Device> all = new ArrayList<>(fleet);
            all.addAll(watching);
            Generator.forAll(all, 500, d -> d.disconnect(true), Duration.ofSeconds(60), n -> { });
        }
    }

    /**
     * Runs transitions {@code from} (inclusive) to {@code to} (exclusive) of every device, open loop at the churn rate,
     * round robin over the devices. A device whose previous transition has not completed yet is waited for.
     *
     * @return how far behind schedule the last transition was started, in nanoseconds
     */
    private long churn(final List<Device> fleet, final List<CompletableFuture<?>> pending, final Books books,
                       final long from, final long to, final boolean rtm) throws Exception {
        final long total = (to - from) * fleet.size();
        final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
        for (long i = 0; i < total; i++) {
            final long due = start + (long) (i * 1e9 / churnRate);
            for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
                LockSupport.parkNanos(Math.min(due - now, POLL_NANOS));
            }
            final int d = (int) (i % fleet.size());
            final long k = from + i / fleet.size();
            pending.get(d).get(drainTimeout.toSeconds(), TimeUnit.SECONDS);
            final Device device = fleet.get(d);
            books.started[d][(int) k] = System.nanoTime();
            final CompletableFuture<?> f;
            if (k % 2 == 0) {
                f = rtm ? device.connect(true, 0)
                        : device.connect(true, 0, will(device)).thenCompose(ack -> device.publish(Mqtt5Publish.builder()
                                .topic(RtmTopics.presence(device.uid())).qos(MqttQos.AT_LEAST_ONCE).retain(true)
                                .payload(ONLINE).build()));
            } else {
                f = rtm ? device.disconnect(true) : device.disconnectWithWill();
            }
            pending.set(d, f);
        }
        final long lag = Math.max(0, System.nanoTime() - (start + (long) ((total - 1) * 1e9 / churnRate)));
        for (final CompletableFuture<?> f : pending) {
            f.get(drainTimeout.toSeconds(), TimeUnit.SECONDS);
        }
        return lag;
    }

    private static Mqtt5WillPublish will(final Device d) {
        return Mqtt5Publish.builder().topic(MqttTopic.of(RtmTopics.presence(d.uid()))).qos(MqttQos.AT_LEAST_ONCE)
                .retain(true).payload(OFFLINE).asWill().build();
    }

    private static void seen(final Books books, final int watcher, final Map<String, Integer> byTopic,
                             final Mqtt5Publish p) {
        final long now = System.nanoTime();
        final Integer d = byTopic.get(p.getTopic().toString());
        if (d == null || p.isRetain()) {
            // not a presence topic we watch, or the value that was retained when the watcher subscribed
            books.unexpected.increment();
            return;
        }
        final int k;
        synchronized (books.seen[watcher]) {
            k = books.seen[watcher][d]++;
        }
        if (k >= books.started[d].length) {
            books.unexpected.increment();
            return;
        }
        final String payload = new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
        final boolean online = k % 2 == 0;
        if (!payload.contains(online ? "\"online\"" : "\"offline\"")) {
            books.wrongState.increment();
            if (books.wrongState.sum() <= 5) {
                log.info("watcher {} got {} as notification {} of {} (expected {}), {} ms after that transition started",
                        watcher, payload, k, p.getTopic(), online ? "online" : "offline",
                        (now - books.started[d][k]) / 1_000_000);
            }
        }
        if (k >= books.measuredFrom) {
            (online ? books.online : books.offline).recordNanos(now - books.started[d][k]);
            (online ? books.onlineSeen : books.offlineSeen).increment();
        }
        books.lastSeenNanos = now;
    }

    /** Waits until every watcher saw {@code transitions} notifications of every device. */
    private static boolean awaitSeen(final Books books, final long transitions, final Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean all = true;
            for (final int[] w : books.seen) {
                synchronized (w) {
                    for (final int n : w) {
                        if (n < transitions) {
                            all = false;
                            break;
                        }
                    }
                }
                if (!all) {
                    break;
                }
            }
            if (all) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
