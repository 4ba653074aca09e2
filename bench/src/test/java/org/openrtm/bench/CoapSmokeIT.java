package org.openrtm.bench;

import org.junit.jupiter.api.Test;
import org.openrtm.bench.broker.Target;
import org.openrtm.bench.metrics.Figure;
import org.openrtm.bench.report.Report;
import org.openrtm.bench.scenario.CoapScenario;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class CoapSmokeIT {

    @Test
    void coapScenario_holdsEverySession_andEveryMessageArrivesBothWays() {
        final Report report = Smoke.run("coap", "--targets", "a", "--devices", "40", "--rate", "100", "--duration", "1s",
                "--warmup", "300ms", "--sources", "2");

        assertThat(report.runs()).hasSize(1);
        Smoke.assertEverythingArrived(report, Set.of("sessions", "coap-to-mqtt", "mqtt-to-coap"));
        final Figure sessions = report.medians().get("sessions").get(Target.RTM);
        assertThat(sessions.extra()).containsEntry("devices", 40.0).containsEntry("heldAtEnd", 40.0);
        assertThat(sessions.latency().count()).isEqualTo(40);
        assertThat(report.medians().get("coap-to-mqtt").get(Target.RTM).statuses()).containsOnlyKeys("2.04");
        assertThat(report.medians().get("mqtt-to-coap").get(Target.RTM).statuses()).containsOnlyKeys("delivered");
        assertThat(report.medians().get("mqtt-to-coap").get(Target.RTM).extra()).containsEntry("outOfOrder", 0.0);
    }

    @Test
    void thePlainBrokers_haveNoGateway_andAreSkipped() {
        final CoapScenario s = new CoapScenario(Options.parse(List.of(), CoapScenario.OPTIONS));
        assertThat(s.unsupported(Target.HIVEMQ, Map.of())).isEqualTo("only OpenRTM has a CoAP gateway");
        assertThat(s.unsupported(Target.MOSQUITTO, Map.of())).isEqualTo("only OpenRTM has a CoAP gateway");
        assertThat(s.unsupported(Target.RTM, Map.of())).isNull();
    }
}
