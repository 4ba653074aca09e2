package org.openrtm.extension.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import org.jetbrains.annotations.NotNull;
import org.openrtm.protocol.RtmStatus;
import org.openrtm.protocol.TopicFamily;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The extension's metrics, registered in HiveMQ's Dropwizard registry (so HiveMQ's own exporters see them too):
 * counters of accepted publishes per topic family and of refusals per status, and gauges set up by the runtime.
 * Names start with {@value #PREFIX}. Thread-safe.
 */
public final class RtmMetrics {

    /** Prefix of every metric name. */
    public static final String PREFIX = "org.openrtm.";

    private final MetricRegistry registry;
    private final Map<TopicFamily, Counter> accepted = new EnumMap<>(TopicFamily.class);
    private final Map<RtmStatus, Counter> refused = new EnumMap<>(RtmStatus.class);
    private final Map<String, LongSupplier> gauges = new TreeMap<>();

    public RtmMetrics(final @NotNull MetricRegistry registry) {
        this.registry = registry;
        for (final TopicFamily f : TopicFamily.values()) {
            accepted.put(f, registry.counter(PREFIX + "messages." + name(f) + ".count"));
        }
        for (final RtmStatus s : RtmStatus.values()) {
            if (!s.isSuccess()) {
                refused.put(s, registry.counter(PREFIX + "refusals." + s.name().toLowerCase(java.util.Locale.ROOT) + ".count"));
            }
        }
    }

    /** Counts the outcome of one publish. */
    public void publish(final @NotNull TopicFamily family, final @NotNull RtmStatus status) {
        if (status.isSuccess()) {
            accepted.get(family).inc();
        } else {
            refused.get(status).inc();
        }
    }

    /** Counts a refusal that happened before the topic was known (rate limit, bad topic). */
    public void refusal(final @NotNull RtmStatus status) {
        final Counter c = refused.get(status);
        if (c != null) {
            c.inc();
        }
    }

    /** Registers a gauge {@code org.openrtm.<name>}. */
    public void gauge(final @NotNull String name, final @NotNull LongSupplier value) {
        synchronized (gauges) {
            gauges.put(name, value);
        }
        registry.gauge(PREFIX + name, () -> (Gauge<Long>) value::getAsLong);
    }

    /** Accepted publishes per family so far, by wire name (inbox, channel, broadcast, rpc, ...). */
    public @NotNull Map<String, Long> acceptedCounts() {
        final Map<String, Long> out = new TreeMap<>();
        accepted.forEach((f, c) -> out.put(name(f), c.getCount()));
        return out;
    }

    /** Refusals per status so far, by stable code. */
    public @NotNull Map<String, Long> refusalCounts() {
        final Map<String, Long> out = new TreeMap<>();
        refused.forEach((s, c) -> out.merge(s.name().toLowerCase(java.util.Locale.ROOT), c.getCount(), Long::sum));
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

    /** Removes every metric of the extension from the registry (at stop). */
    public void unregister() {
        registry.removeMatching((name, metric) -> name.startsWith(PREFIX));
    }

    private static String name(final TopicFamily f) {
        switch (f) {
            case INBOX:
                return "peer";
            case CHANNEL_MSG:
                return "channel";
            case USER_ATTR:
                return "user_attribute";
            case CHANNEL_ATTR:
                return "channel_attribute";
            default:
                return f.name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
