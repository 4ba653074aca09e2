package org.openrtm.extension.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.session.Connection;
import org.openrtm.protocol.RtmStatus;
import org.openrtm.protocol.TopicFamily;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The extension's metrics, kept twice.
 *
 * <p>The Prometheus-native set lives in an own {@link PrometheusRegistry} (the Prometheus Java client 1.x; the broker
 * serves it on {@code /metrics}): {@code openrtm_messages_total{kind,status,transport}} counts every publish decision,
 * {@code openrtm_publish_decision_seconds{kind,transport}} times publish → decision (the PUBACK's content, or the REST
 * answer), {@code openrtm_rpc_duration_seconds{method,outcome,transport}} times RPCs, and the gauges and callback
 * counters registered with {@link #gauge} and {@link #counter}.
 *
 * <p>A small mirror (accepted publishes per topic family, refusals per status, the same gauges) is registered in
 * HiveMQ's Dropwizard registry under {@value #PREFIX}, so that an OpenRTM zip inside a plain HiveMQ is still seen by
 * HiveMQ's own exporters, and feeds {@code /api/v1/stats}. Thread-safe.
 */
public final class RtmMetrics {

    /** Prefix of every metric name in HiveMQ's (Dropwizard) registry. */
    public static final String PREFIX = "org.openrtm.";

    /** The transport label of a message sent over the REST API. */
    public static final String REST = "rest";

    /** The kind label of a publish refused before its topic was parsed (rate limit, bad topic). */
    public static final String UNKNOWN_KIND = "unknown";

    // publish → decision: most decisions take well under a millisecond, stored ones a few, overloaded ones seconds
    private static final double[] DECISION_BOUNDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
        0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final MetricRegistry dropwizard;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Map<TopicFamily, Counter> accepted = new EnumMap<>(TopicFamily.class);
    private final Map<RtmStatus, Counter> refused = new EnumMap<>(RtmStatus.class);
    private final Map<String, LongSupplier> gauges = new TreeMap<>();
    private final io.prometheus.metrics.core.metrics.Counter messages;
    private final Histogram decision;
    private final Histogram rpc;

    public RtmMetrics(final @NotNull MetricRegistry dropwizard) {
        this.dropwizard = dropwizard;
        for (final TopicFamily f : TopicFamily.values()) {
            accepted.put(f, dropwizard.counter(PREFIX + "messages." + statsName(f) + ".count"));
        }
        for (final RtmStatus s : RtmStatus.values()) {
            if (!s.isSuccess()) {
                refused.put(s, dropwizard.counter(PREFIX + "refusals." + s.name().toLowerCase(Locale.ROOT) + ".count"));
            }
        }
        messages = io.prometheus.metrics.core.metrics.Counter.builder()
                .name("openrtm_messages_total")
                .help("Publish decisions: accepted (status delivered, cached, unreachable) or refused (the other "
                        + "statuses), per kind of message and per transport")
                .labelNames("kind", "status", "transport")
                .register(registry);
        decision = Histogram.builder()
                .name("openrtm_publish_decision_seconds")
                .help("Time from a publish's arrival to its decision (the PUBACK's status, or the REST answer)")
                .unit(Unit.SECONDS)
                .labelNames("kind", "transport")
                .classicOnly()
                .classicUpperBounds(DECISION_BOUNDS)
                .register(registry);
        rpc = Histogram.builder()
                .name("openrtm_rpc_duration_seconds")
                .help("Time from an RPC request's arrival to its answer, per method and outcome (ok or the error code)")
                .unit(Unit.SECONDS)
                .labelNames("method", "outcome", "transport")
                .classicOnly()
                .classicUpperBounds(DECISION_BOUNDS)
                .register(registry);
    }

    /** The Prometheus-native metrics (what the broker serves on {@code /metrics}). */
    public @NotNull PrometheusRegistry registry() {
        return registry;
    }

    /** The transport label of a connection: {@code mqtt}, {@code coap} (via the gateway) or {@code rest}. */
    public static @NotNull String transport(final @NotNull Connection c) {
        switch (c.via()) {
            case COAP:
                return "coap";
            case API:
                return REST;
            default:
                return "mqtt";
        }
    }

    /**
     * Counts and times the decision on one publish.
     *
     * @param family    the publish's topic family, or {@code null} when it was refused before its topic was parsed
     * @param status    the decision
     * @param transport {@link #transport(Connection)}
     * @param startNanos {@link System#nanoTime()} when the publish arrived
     */
    public void decided(final @Nullable TopicFamily family, final @NotNull RtmStatus status,
                        final @NotNull String transport, final long startNanos) {
        final String kind = family == null ? UNKNOWN_KIND : kind(family);
        if (family != null && status.isSuccess()) {
            accepted.get(family).inc();
        } else {
            final Counter c = refused.get(status);
            if (c != null) {
                c.inc();
            }
        }
        messages.labelValues(kind, status.code(), transport).inc();
        decision.labelValues(kind, transport).observe(seconds(startNanos));
    }

    /**
     * Times one RPC.
     *
     * @param method  the method (only registered ones: give {@link #UNKNOWN_KIND} for anything else)
     * @param outcome {@code ok} or the error code
     */
    public void rpc(final @NotNull String method, final @NotNull String outcome, final @NotNull String transport,
                    final long startNanos) {
        rpc.labelValues(method, outcome, transport).observe(seconds(startNanos));
    }

    /**
     * Registers a gauge: {@code org.openrtm.<name>} in HiveMQ's registry (and in {@code /api/v1/stats}), and the
     * Prometheus gauge {@code promName}.
     */
    public void gauge(final @NotNull String name, final @NotNull String promName, final @NotNull String help,
                      final @NotNull LongSupplier value) {
        mirror(name, value);
        GaugeWithCallback.builder().name(promName).help(help)
                .callback(cb -> cb.call(value.getAsLong())).register(registry);
    }

    /**
     * Registers a value that only grows: {@code org.openrtm.<name>} in HiveMQ's registry (and in
     * {@code /api/v1/stats}), and the Prometheus counter {@code promName} (which must end in {@code _total}).
     */
    public void counter(final @NotNull String name, final @NotNull String promName, final @NotNull String help,
                        final @NotNull LongSupplier value) {
        mirror(name, value);
        CounterWithCallback.builder().name(promName).help(help)
                .callback(cb -> cb.call(value.getAsLong())).register(registry);
    }

    private void mirror(final String name, final LongSupplier value) {
        synchronized (gauges) {
            gauges.put(name, value);
        }
        dropwizard.gauge(PREFIX + name, () -> (Gauge<Long>) value::getAsLong);
    }

    /** Accepted publishes per family so far, by wire name (peer, channel, broadcast, rpc, ...), all transports. */
    public @NotNull Map<String, Long> acceptedCounts() {
        final Map<String, Long> out = new TreeMap<>();
        accepted.forEach((f, c) -> out.put(statsName(f), c.getCount()));
        return out;
    }

    /** Refusals per status so far, by stable code, all transports. */
    public @NotNull Map<String, Long> refusalCounts() {
        final Map<String, Long> out = new TreeMap<>();
        refused.forEach((s, c) -> out.merge(s.name().toLowerCase(Locale.ROOT), c.getCount(), Long::sum));
        return out;
    }

    /** Every gauge's current value. */
    public @NotNull Map<String, Long> gaugeValues() {
        final Map<String, Long> out = new TreeMap<>();
        synchronized (gauges) {
            gauges.forEach((n, v) -> out.put(n, v.getAsLong()));
        }
        return out;
    }

    /** Removes every metric of the extension from HiveMQ's registry (at stop). */
    public void unregister() {
        dropwizard.removeMatching((name, metric) -> name.startsWith(PREFIX));
    }

    /** The kind label: peer, channel, broadcast, call, attribute, rpc, event, presence, member, count. */
    static @NotNull String kind(final @NotNull TopicFamily f) {
        switch (f) {
            case INBOX:
                return "peer";
            case CHANNEL_MSG:
                return "channel";
            case USER_ATTR:
            case CHANNEL_ATTR:
                return "attribute";
            case CHANNEL_MEMBER:
                return "member";
            case CHANNEL_COUNT:
                return "count";
            default:
                return f.name().toLowerCase(Locale.ROOT);
        }
    }

    private static double seconds(final long startNanos) {
        return Math.max(0, System.nanoTime() - startNanos) / 1e9;
    }

    // the names /api/v1/stats has always used (the console reads them)
    private static String statsName(final TopicFamily f) {
        switch (f) {
            case USER_ATTR:
                return "user_attribute";
            case CHANNEL_ATTR:
                return "channel_attribute";
            case CHANNEL_MEMBER:
            case CHANNEL_COUNT:
                return f.name().toLowerCase(Locale.ROOT);
            default:
                return kind(f);
        }
    }
}
