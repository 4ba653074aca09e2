package org.openrtm.broker.http;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** HiveMQ's Dropwizard metrics as Prometheus families: types, names, HELP texts. */
class HiveMqMetricsTest {

    private static String expose(final MetricRegistry registry, final Set<String> taken) throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out,
                new MetricSnapshots(HiveMqMetrics.snapshots(registry, "org.openrtm.", taken)));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyDropwizardKind_getsItsPrometheusType_andAHelpWithoutClassNames() throws Exception {
        final MetricRegistry r = new MetricRegistry();
        r.counter("com.hivemq.messages.incoming.total.count").inc(5);
        r.counter("com.hivemq.subscriptions.overall.current").inc(3);
        r.meter("com.hivemq.messages.incoming.publish.rate").mark(7);
        r.register("com.hivemq.networking.connections.current", (Gauge<Integer>) () -> 4);
        r.register("com.hivemq.version", (Gauge<String>) () -> "2025.5");
        r.timer("com.hivemq.persistence.write.time").update(250, TimeUnit.MILLISECONDS);
        r.histogram("com.hivemq.payload-size").update(100);
        r.counter("org.openrtm.messages.peer.count").inc();

        final String text = expose(r, Set.of());

        assertThat(text).contains("# TYPE com_hivemq_messages_incoming_total counter\n"
                        + "com_hivemq_messages_incoming_total 5.0")
                .contains("# TYPE com_hivemq_subscriptions_overall_current gauge\n"
                        + "com_hivemq_subscriptions_overall_current 3.0")
                .contains("# TYPE com_hivemq_messages_incoming_publish_rate_total counter")
                .contains("# TYPE com_hivemq_networking_connections_current gauge\n"
                        + "com_hivemq_networking_connections_current 4.0")
                .contains("# HELP com_hivemq_networking_connections_current HiveMQ metric "
                        + "com.hivemq.networking.connections.current (gauge)")
                .contains("# TYPE com_hivemq_persistence_write_time_seconds summary")
                .contains("com_hivemq_persistence_write_time_seconds{quantile=\"0.5\"} 0.25")
                .contains("com_hivemq_persistence_write_time_seconds_count 1")
                .contains("# TYPE com_hivemq_payload_size summary")
                .doesNotContain("com_hivemq_version")
                .doesNotContain("Lambda").doesNotContain("$")
                .doesNotContain("org_openrtm");
    }

    @Test
    void namesAlreadyTaken_orMappedTwice_areLeftOut_insteadOfBreakingTheScrape() throws Exception {
        final MetricRegistry r = new MetricRegistry();
        r.counter("com.hivemq.a-b").inc();
        r.counter("com.hivemq.a.b").inc(2);
        r.register("openrtm.users.connected", (Gauge<Long>) () -> 1L);

        final String text = expose(r, Set.of("openrtm_users_connected"));

        assertThat(text).containsOnlyOnce("# TYPE com_hivemq_a_b_total counter").doesNotContain("openrtm_users");
    }
}
