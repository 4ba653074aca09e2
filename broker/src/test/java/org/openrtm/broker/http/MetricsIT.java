package org.openrtm.broker.http;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import org.eclipse.californium.core.CoapResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.coap.CoapDevice;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.protocol.Role;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.publish;

/**
 * {@code /metrics}: Prometheus types and names, every transport counted (MQTT, CoAP through the gateway, REST), and
 * the whole exposition accepted by Prometheus' own parser and linter ({@code promtool check metrics}).
 */
class MetricsIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withCoap(Map.of("http.rate-per-second", "1000",
            "http.rate-burst", "1000"), Map.of());

    static Rest rest;
    static String service;

    @BeforeAll
    static void tokens() {
        rest = new Rest(broker);
        service = broker.token("metrics-backend", Role.SERVICE);
    }

    private static String scrape() throws Exception {
        final Rest.Response r = rest.get("/metrics", service);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.raw().headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
        return r.raw().body();
    }

    /** The value of one series (name and labels exactly as exposed), 0 when it is not there yet. */
    private static double value(final String exposition, final String series) {
        final Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(exposition);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static String messages(final String kind, final String status, final String transport) {
        return "openrtm_messages_total{kind=\"" + kind + "\",status=\"" + status + "\",transport=\"" + transport + "\"}";
    }

    @Test
    void restSendsAndRefusals_areCounted_withTransportRest_inMetricsAndStats() throws Exception {
        final String before = scrape();
        final long peerStatsBefore = rest.get("/api/v1/stats", service).body().getAsJsonObject()
                .getAsJsonObject("messages").get("peer").getAsLong();
        for (int i = 0; i < 25; i++) {
            assertThat(rest.post("/api/v1/users/metrics-away/messages", service, "{\"text\":\"m" + i + "\"}").status())
                    .isEqualTo(200);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(rest.post("/api/v1/users/metrics-away/messages", service,
                    "{\"text\":\"" + "x".repeat(8193) + "\"}").status()).isEqualTo(413);
        }
        assertThat(rest.post("/api/v1/channels/metrics-room/messages", service, "{\"text\":\"hello\"}").status())
                .isEqualTo(200);
        final String after = scrape();
        assertThat(value(after, messages("peer", "cached", "rest")) - value(before, messages("peer", "cached", "rest")))
                .isEqualTo(25);
        assertThat(value(after, messages("peer", "too_large", "rest"))
                - value(before, messages("peer", "too_large", "rest"))).isEqualTo(3);
        assertThat(after).contains("openrtm_messages_total{kind=\"channel\"").contains("transport=\"rest\"");
        assertThat(value(after, "openrtm_publish_decision_seconds_count{kind=\"peer\",transport=\"rest\"}")
                - value(before, "openrtm_publish_decision_seconds_count{kind=\"peer\",transport=\"rest\"}"))
                .isEqualTo(28);
        final long peerStatsAfter = rest.get("/api/v1/stats", service).body().getAsJsonObject()
                .getAsJsonObject("messages").get("peer").getAsLong();
        assertThat(peerStatsAfter - peerStatsBefore).isEqualTo(25);
    }

    @Test
    void mqttAndCoapPublishes_andRpcs_areCounted_perTransport() throws Exception {
        final String before = scrape();
        final Mqtt5BlockingClient c = connect(broker, "metrics-mqtt");
        publish(c, "rtm/user/metrics-nobody/inbox/metrics-mqtt", "over mqtt");
        try (CoapDevice d = CoapDevice.udp(broker.coapPort())) {
            assertThat(d.login("metrics-coap", broker.token("metrics-coap")).getCode().isSuccess()).isTrue();
            final CoapResponse r = d.post("/rtm/user/metrics-nobody/inbox", "over coap");
            assertThat(r.getCode().isSuccess()).as(r.getResponseText()).isTrue();
        }
        assertThat(rest.get("/api/v1/server", service).status()).isEqualTo(200);
        final String after = scrape();
        assertThat(value(after, messages("peer", "cached", "mqtt")) - value(before, messages("peer", "cached", "mqtt")))
                .isEqualTo(1);
        assertThat(value(after, messages("peer", "cached", "coap")) - value(before, messages("peer", "cached", "coap")))
                .isEqualTo(1);
        final String rpc = "openrtm_rpc_duration_seconds_count{method=\"server.info\",outcome=\"ok\",transport=\"rest\"}";
        assertThat(value(after, rpc) - value(before, rpc)).isEqualTo(1);
        assertThat(value(after, "openrtm_users_connected")).isGreaterThanOrEqualTo(1);
        assertThat(value(after, "openrtm_messages_cached")).isGreaterThanOrEqualTo(2);
        c.disconnect();
    }

    @Test
    void exposition_hasPrometheusTypes_cleanHelp_andHiveMqsOwnMetrics() throws Exception {
        final String text = scrape();
        assertThat(text).contains("# TYPE openrtm_messages_total counter")
                .contains("# TYPE openrtm_publish_decision_seconds histogram")
                .contains("# TYPE openrtm_rpc_duration_seconds histogram")
                .contains("# TYPE openrtm_users_connected gauge")
                .contains("# TYPE openrtm_flood_disconnects_total counter")
                .contains("# TYPE com_hivemq_networking_connections_current gauge")
                .containsPattern("(?m)^# TYPE com_hivemq_\\S+ counter$")
                .contains("# TYPE com_hivemq_subscriptions_overall_current gauge")
                .doesNotContain("Lambda").doesNotContain("Generated from Dropwizard")
                .doesNotContainPattern("(?m)^# TYPE \\S+_count (counter|gauge)$")
                .doesNotContain("org_openrtm_");
    }

    @Test
    void grafanaDashboard_usesOnlySeriesTheBrokerExposes() throws Exception {
        final Mqtt5BlockingClient c = connect(broker, "metrics-grafana");
        publish(c, "rtm/user/metrics-nobody/inbox/metrics-grafana", "for the dashboard");
        assertThat(rest.get("/api/v1/server", service).status()).isEqualTo(200);
        final String text = scrape();
        c.disconnect();
        final String dashboard = Files.readString(Path.of("..", "docs", "grafana-openrtm.json"));
        final Matcher m = Pattern.compile("\\b(openrtm|com_hivemq)_[a-z_]+").matcher(dashboard);
        int names = 0;
        while (m.find()) {
            names++;
            assertThat(text).as("series %s used by docs/grafana-openrtm.json", m.group())
                    .containsPattern("(?m)^" + m.group() + "[{ ]");
        }
        assertThat(names).isGreaterThan(10);
    }

    @Test
    void exposition_passesPromtoolCheckMetrics() throws Exception {
        final Path promtool = List.of("/usr/bin/promtool", "/usr/local/bin/promtool").stream().map(Path::of)
                .filter(Files::isExecutable).findFirst().orElse(null);
        assumeThat(promtool).as("promtool (Debian package prometheus) is not installed").isNotNull();
        // some traffic first, so that every labelled series has samples
        final Mqtt5BlockingClient c = connect(broker, "metrics-lint");
        publish(c, "rtm/user/metrics-nobody/inbox/metrics-lint", "lint");
        rest.post("/api/v1/users/metrics-away/messages", service, "{\"text\":\"lint\"}");
        final String text = scrape();
        c.disconnect();
        final Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (final IOException e) {
            // promtool stops reading at its first parse error; its output says which
        }
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as("promtool check metrics").isEmpty();
        assertThat(p.exitValue()).as(out).isZero();
    }
}
