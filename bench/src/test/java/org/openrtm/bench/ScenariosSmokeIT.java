package org.openrtm.bench;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openrtm.bench.broker.Target;
import org.openrtm.bench.metrics.Figure;
import org.openrtm.bench.report.Report;
import org.openrtm.bench.scenario.FanoutScenario;
import org.openrtm.bench.scenario.FleetScenario;
import org.openrtm.bench.scenario.OfflineScenario;
import org.openrtm.bench.scenario.PeerScenario;
import org.openrtm.bench.scenario.PresenceScenario;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Every broker scenario with tiny sizes, on one set of brokers (a, h, b, and c where Mosquitto is installed), so that
 * the harness cannot rot. Asserts only that every message arrived, plus a few facts each scenario must report.
 */
class ScenariosSmokeIT {

    private static Map<String, Report> reports;

    @BeforeAll
    static void runEveryScenarioOnce() throws Exception {
        final List<Report> all = Smoke.runAll(List.of(
                new PeerScenario(Smoke.options(PeerScenario.OPTIONS, "--pairs", "4", "--rates", "200", "--duration", "1s",
                        "--warmup", "0s", "--search-from", "400", "--search-to", "400", "--search-step", "500ms",
                        "--search-refine", "0", "--max-p99", "10m")),
                new FanoutScenario(Smoke.options(FanoutScenario.OPTIONS, "--members", "6,20", "--list-size", "4",
                        "--rate-deliveries", "400", "--duration", "300ms", "--burst-deliveries", "100", "--warmup", "0s")),
                new FleetScenario(Smoke.options(FleetScenario.OPTIONS, "--devices", "60",
                        "--subscriptions", "inbox,event,channel,presence", "--probe-rate", "50", "--probe-duration", "1s",
                        "--probe-warmup", "500ms")),
                new PresenceScenario(Smoke.options(PresenceScenario.OPTIONS, "--devices", "8", "--watchers", "2",
                        "--churn-rate", "80", "--duration", "400ms", "--warmup", "0s")),
                new OfflineScenario(Smoke.options(OfflineScenario.OPTIONS, "--pairs", "5", "--messages", "20"))));
        reports = new java.util.HashMap<>();
        all.forEach(r -> reports.put(r.scenario(), r));
    }

    @Test
    void peer_deliversEveryMessageOnEveryBroker_withHistoryOnAndOff() {
        final Report report = reports.get("peer");
        Smoke.assertEverythingArrived(report, Set.of("rate-200", "max"));
        final Figure ours = report.medians().get("rate-200").get(Target.RTM);
        assertThat(ours.statuses()).containsOnlyKeys("delivered");
        assertThat(ours.extra()).containsEntry("tcpNoDelay", 1.0).containsEntry("sendMaximum", 10.0);
        assertThat(ours.latency().count()).isEqualTo(ours.delivered());
        assertThat(ours.brokerHeapBytes()).isPositive();
        assertThat(report.medians().get("rate-200")).containsKey(Target.RTM_HISTORY_OFF);
        assertThat(report.medians().get("max").get(Target.HIVEMQ).targetRate()).isEqualTo(400.0);
        // the ratios are the quotients of the medians (their size depends on the machine's load, not on the harness)
        final Map<Target, Figure> rate = report.medians().get("rate-200");
        assertThat(report.ratio("rate-200", Target.RTM, Target.HIVEMQ, Figure::rate))
                .isPositive().isCloseTo(ours.rate() / rate.get(Target.HIVEMQ).rate(), within(1e-9));
        assertThat(report.ratio("rate-200", Target.RTM, Target.RTM_HISTORY_OFF, Figure::rate))
                .isPositive().isCloseTo(ours.rate() / rate.get(Target.RTM_HISTORY_OFF).rate(), within(1e-9));
        assertThat(report.toJson().getAsJsonObject("ratios").getAsJsonObject("rate-200").has("a/h")).isTrue();
    }

    @Test
    void peerFanIn_manySendersToOneRecipient_everyMessageArrives_inEachSendersOrder() throws Exception {
        final Report report = Smoke.runAll(List.of(new PeerScenario(Smoke.options(PeerScenario.OPTIONS, "--fan-in", "on",
                "--pairs", "20", "--rates", "400", "--duration", "1s", "--warmup", "0s", "--search", "off",
                "--receipts", "off", "--max-p99", "10m")))).get(0);
        Smoke.assertEverythingArrived(report, Set.of("rate-400"));
        for (final Map.Entry<Target, Figure> e : report.medians().get("rate-400").entrySet()) {
            // the ledger checks each sender's sequence: a message that overtakes an earlier one of its sender is counted
            assertThat(e.getValue().extra()).as(e.getKey().id()).containsEntry("outOfOrder", 0.0);
        }
    }

    @Test
    void fanout_deliversEveryMessageToEveryRecipient_withAndWithoutLists() {
        final Report report = reports.get("fanout");
        final Set<String> figures = new HashSet<>();
        for (final String size : List.of("m6", "m20")) {
            for (final String list : List.of("all", "except", "only")) {
                figures.add(size + "-" + list + "-rate");
                figures.add(size + "-" + list + "-burst");
            }
        }
        Smoke.assertEverythingArrived(report, figures);
        // a channel of 20 with lists of 4: the whitelist reaches the 4 listed members, the blacklist the other 16
        final Map<Target, Figure> only = report.medians().get("m20-only-burst");
        final Map<Target, Figure> except = report.medians().get("m20-except-burst");
        for (final Target t : only.keySet()) {
            assertThat(only.get(t).extra()).as(t.id()).containsEntry("recipients", 4.0).containsEntry("misdelivered", 0.0);
            assertThat(except.get(t).extra()).as(t.id()).containsEntry("recipients", 16.0)
                    .containsEntry("misdelivered", 0.0);
        }
        assertThat(only.get(Target.RTM).extra()).containsEntry("rtmRecipients", 4.0);
        assertThat(except.get(Target.RTM).extra()).containsEntry("rtmRecipients", 16.0);
        assertThat(report.medians().get("m20-all-burst").get(Target.RTM).extra()).containsEntry("rtmRecipients", 20.0);
    }

    @Test
    void fleet_connectsEveryDeviceFromTwoSourceAddresses_andTheProbeGetsThrough() {
        final Report report = reports.get("fleet");
        Smoke.assertEverythingArrived(report, Set.of("connect", "probe"));
        final Figure connect = report.medians().get("connect").get(Target.RTM);
        assertThat(connect.extra()).containsEntry("devices", 60.0).containsEntry("connectedAfterProbe", 60.0);
        assertThat(connect.extra().get("heapPerConnectionBytes")).isNotNull();
        assertThat(connect.latency().count()).isEqualTo(60);
    }

    @Test
    void presence_everyWatcherSeesEveryConnectAndDisconnect_inOrder() {
        final Report report = reports.get("presence");
        Smoke.assertEverythingArrived(report, Set.of("online", "offline"));
        for (final Map.Entry<Target, Figure> e : report.medians().get("online").entrySet()) {
            // 8 devices, 4 transitions each (2 online), 2 watchers
            assertThat(e.getValue().delivered()).as(e.getKey().id()).isEqualTo(32);
            assertThat(e.getValue().extra()).as(e.getKey().id()).containsEntry("wrongState", 0.0)
                    .containsEntry("unexpected", 0.0);
            assertThat(e.getValue().latency().count()).isEqualTo(32);
        }
    }

    @Test
    void offline_cachesThenDrainsEveryMessageInOrder() {
        final Report report = reports.get("offline");
        Smoke.assertEverythingArrived(report, Set.of("drain"));
        final Figure fill = report.medians().get("fill").get(Target.RTM);
        assertThat(fill.statuses()).containsOnlyKeys("cached");
        assertThat(fill.acked()).isEqualTo(100);
        assertThat(fill.delivered()).isZero();
        for (final var byTarget : report.medians().get("drain").entrySet()) {
            assertThat(byTarget.getValue().extra()).as(byTarget.getKey().id()).containsEntry("outOfOrder", 0.0);
        }
    }
}
