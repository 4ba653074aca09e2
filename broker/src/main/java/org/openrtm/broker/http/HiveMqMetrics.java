package org.openrtm.broker.http;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * HiveMQ's own metrics (its Dropwizard registry) as Prometheus snapshots with the right types: a Dropwizard counter
 * or meter becomes a counter ({@code …_total}) (but a counter named {@code ….current}, which HiveMQ counts up and
 * down, a gauge), a gauge with a number a gauge, a histogram a summary, a timer a summary
 * in seconds. The HELP text names the Dropwizard metric and its kind, never a Java class. Names are the Dropwizard
 * names with every character Prometheus does not allow replaced by {@code _} (and a trailing {@code .count} of a
 * counter dropped). Stateless; safe to call from any thread.
 */
final class HiveMqMetrics {

    private static final double[] QUANTILES = {0.5, 0.75, 0.95, 0.99, 0.999};

    private HiveMqMetrics() {
    }

    /**
     * The registry's metrics, except those whose Dropwizard name starts with {@code skipPrefix} and those whose
     * Prometheus name is in {@code taken} (a later one of two Dropwizard names that map to the same Prometheus name is
     * left out too).
     */
    static @NotNull List<MetricSnapshot> snapshots(final @NotNull MetricRegistry registry,
                                                   final @NotNull String skipPrefix, final @NotNull Set<String> taken) {
        final Set<String> names = new HashSet<>(taken);
        final List<MetricSnapshot> out = new ArrayList<>();
        for (final Map.Entry<String, Metric> e : registry.getMetrics().entrySet()) {
            final String name = e.getKey();
            if (name.startsWith(skipPrefix)) {
                continue;
            }
            final MetricSnapshot s = snapshot(name, e.getValue());
            if (s != null && names.add(s.getMetadata().getPrometheusName())) {
                out.add(s);
            }
        }
        return out;
    }

    private static @Nullable MetricSnapshot snapshot(final String name, final Metric metric) {
        if (metric instanceof Counter) {
            final long count = ((Counter) metric).getCount();
            // HiveMQ keeps some up-and-down numbers ("…current") in Dropwizard counters: those are gauges
            return name.endsWith(".current") ? gauge(name, "counter of a current number", count)
                    : counter(name, "counter", count);
        }
        if (metric instanceof Meter) {
            return counter(name, "meter", ((Meter) metric).getCount());
        }
        if (metric instanceof Timer) {
            final Timer t = (Timer) metric;
            return summary(promName(name, "_seconds"), help(name, "timer, seconds"), t.getCount(), t.getSnapshot(),
                    1.0 / TimeUnit.SECONDS.toNanos(1), Unit.SECONDS);
        }
        if (metric instanceof Histogram) {
            final Histogram h = (Histogram) metric;
            return summary(promName(name, ""), help(name, "histogram"), h.getCount(), h.getSnapshot(), 1.0, null);
        }
        if (metric instanceof Gauge) {
            final Object v;
            try {
                v = ((Gauge<?>) metric).getValue();
            } catch (final RuntimeException e) {
                return null; // a gauge that cannot be read now is left out of this scrape
            }
            if (!(v instanceof Number)) {
                return null;
            }
            return gauge(name, "gauge", ((Number) v).doubleValue());
        }
        return null;
    }

    private static MetricSnapshot gauge(final String name, final String kind, final double value) {
        return GaugeSnapshot.builder().name(promName(name, "")).help(help(name, kind))
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build())
                .build();
    }

    private static MetricSnapshot counter(final String name, final String kind, final long count) {
        String base = name;
        for (final String suffix : new String[] {".count", ".total"}) {
            if (base.endsWith(suffix)) {
                base = base.substring(0, base.length() - suffix.length());
            }
        }
        return CounterSnapshot.builder().name(promName(base, "")).help(help(name, kind))
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(count).build())
                .build();
    }

    private static MetricSnapshot summary(final String promName, final String help, final long count,
                                          final Snapshot snapshot, final double scale, final @Nullable Unit unit) {
        final List<Quantile> qs = new ArrayList<>();
        for (final double q : QUANTILES) {
            qs.add(new Quantile(q, snapshot.getValue(q) * scale));
        }
        final SummarySnapshot.Builder b = SummarySnapshot.builder().name(promName).help(help)
                .dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder().count(count).quantiles(Quantiles.of(qs))
                        .build());
        if (unit != null) {
            b.unit(unit);
        }
        return b.build();
    }

    /** A valid classic Prometheus name: {@code com.hivemq.x-y} → {@code com_hivemq_x_y}, reserved suffixes dropped. */
    static @NotNull String promName(final @NotNull String dropwizardName, final @NotNull String suffix) {
        final StringBuilder b = new StringBuilder(dropwizardName.length() + suffix.length());
        for (int i = 0; i < dropwizardName.length(); i++) {
            final char c = dropwizardName.charAt(i);
            final boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':'
                    || i > 0 && c >= '0' && c <= '9';
            b.append(ok ? c : '_');
        }
        String n = PrometheusNaming.sanitizeMetricName(b.toString().toLowerCase(Locale.ROOT));
        if (!suffix.isEmpty() && !n.endsWith(suffix)) {
            n = n + suffix;
        }
        return n;
    }

    private static String help(final String name, final String kind) {
        return "HiveMQ metric " + name + " (" + kind + ")";
    }
}
