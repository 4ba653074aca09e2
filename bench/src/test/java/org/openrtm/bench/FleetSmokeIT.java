package org.openrtm.bench;

import org.junit.jupiter.api.Test;
import org.openrtm.bench.broker.Target;
import org.openrtm.bench.metrics.Figure;
import org.openrtm.bench.report.Report;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class FleetSmokeIT {

    @Test
    void fleetScenario_connectsEveryDeviceFromTwoSourceAddresses_andTheProbeGetsThrough() {
        final Report report = Smoke.run("fleet", "--devices", "60", "--subscriptions", "inbox,event", "--probe-rate", "50",
                "--probe-duration", "1s", "--probe-warmup", "500ms", "--source-addresses", "2");

        Smoke.assertEverythingArrived(report, Set.of("connect", "probe"));
        final Figure connect = report.medians().get("connect").get(Target.RTM);
        assertThat(connect.extra()).containsEntry("devices", 60.0).containsEntry("connectedAfterProbe", 60.0);
        assertThat(connect.extra().get("heapPerConnectionBytes")).isNotNull();
        assertThat(connect.latency().count()).isEqualTo(60);
    }
}
