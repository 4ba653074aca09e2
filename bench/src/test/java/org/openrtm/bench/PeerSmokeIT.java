package org.openrtm.bench;

import org.junit.jupiter.api.Test;
import org.openrtm.bench.broker.Target;
import org.openrtm.bench.metrics.Figure;
import org.openrtm.bench.report.Report;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PeerSmokeIT {

    @Test
    void peerScenario_deliversEveryMessageOnEveryBroker_andFindsAMaximum() {
        final Report report = Smoke.run("peer", "--pairs", "4", "--rates", "200", "--duration", "1s", "--warmup", "0s",
                "--search-from", "400", "--search-to", "400", "--search-step", "500ms", "--search-refine", "0",
                "--max-p99", "10m");

        Smoke.assertEverythingArrived(report, Set.of("rate-200", "max"));
        final Figure ours = report.medians().get("rate-200").get(Target.RTM);
        assertThat(ours.statuses()).containsOnlyKeys("delivered");
        assertThat(ours.extra()).containsEntry("tcpNoDelay", 1.0).containsEntry("sendMaximum", 10.0);
        assertThat(ours.latency().count()).isEqualTo(ours.delivered());
        assertThat(ours.brokerHeapBytes()).isPositive();
        assertThat(report.medians().get("max").get(Target.HIVEMQ).targetRate()).isEqualTo(400.0);
        assertThat(report.ratio("rate-200", Target.RTM, Target.HIVEMQ, Figure::rate)).isBetween(0.5, 2.0);
    }
}
