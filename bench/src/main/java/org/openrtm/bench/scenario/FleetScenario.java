package org.openrtm.bench.scenario;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
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
import org.openrtm.bench.metrics.ProcStats;
import org.openrtm.protocol.RtmTopics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Scenario 3: a fleet of authenticated devices. Per repetition: ramp to {@code --devices} connections (each subscribes
 * to its list of filters), measuring the connect rate, connect latency and the broker's heap per connection (live heap
 * after a full GC, before and after the ramp); then, after a short warm-up of the probe pair, its latency while the
 * fleet stays connected;
 * then the fleet disconnects.
 *
 * <p>The per-device subscriptions are a parameter ({@code --subscriptions inbox,event,channel,presence}, see
 * {@link #KINDS}).
 */
public final class FleetScenario implements Scenario {

    private static final Logger log = LoggerFactory.getLogger(FleetScenario.class);

    /** The options this scenario takes (besides the common ones). */
    public static final Set<String> OPTIONS = Set.of("devices", "connect-concurrency", "subscriptions", "probe-rate",
            "probe-duration", "probe-warmup", "payload", "connect-timeout");

    /** How many channels the fleet's devices join ({@code channel} kind): about 1 % of the fleet per channel at 10,000. */
    static final int FLEET_CHANNELS = 100;

    /**
     * Subscription kinds a device can have, as filters for its uid: its inbox, its event topic, one of
     * {@value #FLEET_CHANNELS} channels (joining it, on OpenRTM), and its own presence topic (a presence subscription;
     * on OpenRTM every connected device also has a presence record, whatever it subscribes to).
     */
    static final Map<String, Function<String, String>> KINDS = Map.of(
            "inbox", RtmTopics::inboxFilter,
            "event", RtmTopics::event,
            "channel", uid -> RtmTopics.channelMsgFilter("fleet-" + Math.floorMod(uid.hashCode(), FLEET_CHANNELS)),
            "presence", RtmTopics::presence);

    private final int devices;
    private final int concurrency;
    private final List<String> subscriptions;
    private final double probeRate;
    private final Duration probeDuration;
    private final Duration probeWarmup;
    private final int payload;
    private final Duration connectTimeout;

    /**
     * @param o the parsed options
     * @throws IllegalArgumentException for an option out of range or an unknown subscription kind
     */
    public FleetScenario(final @NotNull Options o) {
        devices = o.integer("devices", 2_000, 1, 2_000_000);
        concurrency = o.integer("connect-concurrency", 200, 1, 100_000);
        subscriptions = o.words("subscriptions", List.of("inbox"));
        for (final String s : subscriptions) {
            if (!KINDS.containsKey(s)) {
                throw new IllegalArgumentException("--subscriptions must list kinds among " + KINDS.keySet().stream().sorted()
                        .toList() + ", but had '" + s + "'");
            }
        }
        probeRate = o.number("probe-rate", 100, 1, 100_000);
        probeDuration = o.duration("probe-duration", Duration.ofSeconds(10), Duration.ofMillis(100));
        probeWarmup = o.duration("probe-warmup", Duration.ofSeconds(3), Duration.ZERO);
        payload = o.integer("payload", 100, 24, 8192);
        connectTimeout = o.duration("connect-timeout", Duration.ofMinutes(10), Duration.ofSeconds(1));
    }

    @Override
    public @NotNull String name() {
        return "fleet";
    }

    @Override
    public @NotNull JsonObject parameters() {
        final JsonObject p = new JsonObject();
        p.addProperty("devices", devices);
        p.addProperty("connectConcurrency", concurrency);
        final JsonArray s = new JsonArray();
        subscriptions.forEach(s::add);
        p.add("subscriptions", s);
        p.addProperty("probeRate", probeRate);
        p.addProperty("probeSeconds", probeDuration.toMillis() / 1000.0);
        p.addProperty("probeWarmupSeconds", probeWarmup.toMillis() / 1000.0);
        p.addProperty("payloadBytes", payload);
        return p;
    }

    /** The number of devices (for the runner's source address and file limit checks). */
    public int devices() {
        return devices;
    }

    @Override
    public @Nullable String unsupported(final @NotNull Target target, final @NotNull Map<String, String> rtmSettings) {
        final long limit = ProcStats.openFilesLimit();
        final long needed = devices + 2L + 500;
        if (limit > 0 && limit < needed) {
            return "a fleet of " + devices + " devices needs about " + needed + " open files per process, but the limit "
                    + "(ulimit -n) is " + limit + "; raise it (see bench/README.md) or use fewer --devices";
        }
        return null;
    }

    /** The filters a device subscribes to. */
    List<String> filters(final String uid) {
        final List<String> f = new ArrayList<>();
        for (final String kind : subscriptions) {
            f.add(KINDS.get(kind).apply(uid));
        }
        return f;
    }

    @Override
    public @NotNull List<Figure> runOnce(final @NotNull BrokerHandle broker, final @NotNull Generator generator, final int rep)
            throws Exception {
        final BrokerHandle.Memory before = broker.memory(true);
        final List<Device> fleet = new ArrayList<>(devices);
        for (int i = 0; i < devices; i++) {
            fleet.add(generator.device(broker, "f" + rep + "-d" + i));
        }
        final LatencyRecorder connectLatency = new LatencyRecorder();
        final long disconnects0 = generator.unexpectedDisconnects();
        final CpuWindow cpu = CpuWindow.start(broker.pid());
        final long t0 = System.nanoTime();
        final List<Throwable> failures = Generator.forAll(fleet, concurrency,
                d -> d.connect(true, 0).thenCompose(ack -> d.subscribe(filters(d.uid()))), connectTimeout,
                connectLatency::recordNanos);
        final double rampSeconds = (System.nanoTime() - t0) / 1e9;
        final CpuWindow.Usage usage = cpu.stop();
        final long connected = fleet.stream().filter(Device::isConnected).count();
        final BrokerHandle.Memory after = broker.memory(true);
        log.info("{} rep {}: {} of {} devices connected in {} s", broker.target().id(), rep, connected, devices,
                String.format(java.util.Locale.ROOT, "%.1f", rampSeconds));
        final Figure.Builder connect = Figure.builder("connect")
                .window(devices - failures.size(), rampSeconds)
                .counts(devices, devices - failures.size(), connected, 0, failures.size())
                .latency(connectLatency.snapshot()).cpu(usage).memory(after.heapBytes(), after.rssBytes())
                .extra("devices", devices)
                .extra("heapPerConnectionBytes", perConnection(before.heapBytes(), after.heapBytes(), connected))
                .extra("rssPerConnectionBytes", perConnection(before.rssBytes(), after.rssBytes(), connected));
        if (!failures.isEmpty()) {
            connect.fail(failures.size() + " devices failed to connect, first: " + failures.get(0));
        }
        final PairTraffic probe = new PairTraffic(broker, generator, "f" + rep + "-probe-", 1, payload);
        final Figure probeFigure;
        try {
            probe.connect(false, Duration.ofSeconds(60));
            if (!probeWarmup.isZero()) {
                // the first messages of a fresh broker run while the JIT compiles the message path
                probe.runAtRate("probe-warmup", probeRate, probeWarmup, Duration.ofSeconds(15), 0);
            }
            probeFigure = probe.runAtRate("probe", probeRate, probeDuration, Duration.ofSeconds(15), 0);
        } finally {
            probe.disconnect();
        }
        final long stillConnected = fleet.stream().filter(Device::isConnected).count();
        final long dropped = generator.unexpectedDisconnects() - disconnects0;
        connect.extra("connectedAfterProbe", stillConnected);
        if (dropped > 0) {
            connect.fail(dropped + " connections were lost during the run");
        }
        final long d0 = System.nanoTime();
        Generator.forAll(fleet, Math.max(concurrency, 500), d -> d.disconnect(true), connectTimeout, n -> { });
        connect.extra("disconnectRate", devices / Math.max(1e-9, (System.nanoTime() - d0) / 1e9));
        return List.of(connect.build(), probeFigure);
    }

    private static double perConnection(final long before, final long after, final long n) {
        if (before < 0 || after < 0 || n == 0) {
            return -1;
        }
        return (double) (after - before) / n;
    }
}
