package org.openrtm.bench;

import org.junit.jupiter.api.Test;
import org.openrtm.bench.broker.Target;
import org.openrtm.bench.metrics.Figure;
import org.openrtm.bench.report.Report;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class OfflineSmokeIT {

    @Test
    void offlineScenario_cachesThenDrainsEveryMessageInOrder() {
        final Report report = Smoke.run("offline", "--pairs", "5", "--messages", "20");

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
