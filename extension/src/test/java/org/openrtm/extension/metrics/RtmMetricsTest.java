package org.openrtm.extension.metrics;

import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;
import org.openrtm.protocol.RtmStatus;
import org.openrtm.protocol.TopicFamily;

import static org.assertj.core.api.Assertions.assertThat;

/** The extension's metrics: labelled Prometheus counters and histograms, and the Dropwizard mirror behind the stats. */
class RtmMetricsTest {

    private static MetricSnapshot family(final MetricSnapshots all, final String name) {
        return all.stream().filter(s -> s.getMetadata().getName().equals(name)).findFirst().orElseThrow();
    }

    private static double messages(final RtmMetrics m, final String kind, final String status, final String transport) {
        final CounterSnapshot c = (CounterSnapshot) family(m.registry().scrape(), "openrtm_messages");
        final Labels l = Labels.of("kind", kind, "status", status, "transport", transport);
        return c.getDataPoints().stream().filter(p -> p.getLabels().equals(l)).mapToDouble(p -> p.getValue())
                .findFirst().orElse(0);
    }

    @Test
    void decisions_areCountedPerKindStatusAndTransport_andMirroredForTheStats() {
        final MetricRegistry dropwizard = new MetricRegistry();
        final RtmMetrics m = new RtmMetrics(dropwizard);
        final long t = System.nanoTime();
        m.decided(TopicFamily.INBOX, RtmStatus.DELIVERED, "mqtt", t);
        m.decided(TopicFamily.INBOX, RtmStatus.CACHED, RtmMetrics.REST, t);
        m.decided(TopicFamily.INBOX, RtmStatus.CACHED, RtmMetrics.REST, t);
        m.decided(TopicFamily.USER_ATTR, RtmStatus.FORBIDDEN, "coap", t);
        m.decided(null, RtmStatus.RATE_LIMITED, "mqtt", t);

        assertThat(messages(m, "peer", "delivered", "mqtt")).isEqualTo(1);
        assertThat(messages(m, "peer", "cached", "rest")).isEqualTo(2);
        assertThat(messages(m, "attribute", "forbidden", "coap")).isEqualTo(1);
        assertThat(messages(m, "unknown", "rate_limited", "mqtt")).isEqualTo(1);
        final HistogramSnapshot h = (HistogramSnapshot) family(m.registry().scrape(), "openrtm_publish_decision_seconds");
        assertThat(h.getDataPoints().stream().mapToLong(p -> p.getCount()).sum()).isEqualTo(5);

        assertThat(m.acceptedCounts()).containsEntry("peer", 3L).containsEntry("user_attribute", 0L);
        assertThat(m.refusalCounts()).containsEntry("forbidden", 1L).containsEntry("rate_limited", 1L);
        assertThat(dropwizard.getCounters().get("org.openrtm.messages.peer.count").getCount()).isEqualTo(3);
    }

    @Test
    void gaugesAndCallbackCounters_readTheirSuppliers_andUnregisterLeavesHiveMqsRegistryClean() {
        final MetricRegistry dropwizard = new MetricRegistry();
        final RtmMetrics m = new RtmMetrics(dropwizard);
        m.gauge("users.connected", "openrtm_users_connected", "users", () -> 7);
        m.counter("flood.disconnects", "openrtm_flood_disconnects_total", "closed", () -> 2);

        final MetricSnapshots all = m.registry().scrape();
        assertThat(family(all, "openrtm_users_connected").getDataPoints()).hasSize(1);
        assertThat(family(all, "openrtm_flood_disconnects")).isInstanceOf(CounterSnapshot.class);
        assertThat(m.gaugeValues()).containsEntry("users.connected", 7L).containsEntry("flood.disconnects", 2L);
        assertThat(dropwizard.getGauges()).containsKey("org.openrtm.users.connected");

        m.unregister();
        assertThat(dropwizard.getMetrics()).isEmpty();
    }
}
