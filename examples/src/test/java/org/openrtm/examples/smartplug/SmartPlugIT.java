package org.openrtm.examples.smartplug;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.examples.Sandbox;
import org.openrtm.sdk.DeliveryStatus;
import org.openrtm.sdk.RtmClient;
import org.openrtm.sdk.RtmClientBuilder;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The smart plug scenario end to end: a Californium CoAP device through the gateway and a device-SDK phone over MQTT,
 * on one broker; the outcome each side observed is checked, not only that nothing threw.
 */
class SmartPlugIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withCoap(Map.of(), Map.of());

    /** The test broker as a sandbox with CoAP access; records the narration. */
    private static final class TestSandbox implements Sandbox, CoapAccess {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        @Override
        public RtmClientBuilder client(final String uid) {
            return RtmClient.builder().serverUri("tcp://127.0.0.1:" + broker.port()).uid(uid).token(broker.token(uid));
        }

        @Override
        public InetSocketAddress coapAddress() {
            return new InetSocketAddress("127.0.0.1", broker.coapPort());
        }

        @Override
        public String token(final String uid) {
            return broker.token(uid);
        }

        @Override
        public PrintStream out() {
            return out;
        }
    }

    @Test
    void thePhoneCommandsTheCoapPlug_onlineAndAsleep_andGetsReceiptsAndReports() throws Exception {
        final TestSandbox sandbox = new TestSandbox();
        final SmartPlug.Outcome o = new SmartPlug(sandbox, sandbox).run();
        assertThat(o.presenceSeen()).containsExactly("ONLINE coap", "OFFLINE coap", "ONLINE coap");
        assertThat(o.sendStatuses()).containsExactly(DeliveryStatus.DELIVERED, DeliveryStatus.CACHED);
        assertThat(o.commandsSeen()).containsExactly("on", "off (offline)");
        assertThat(o.reports()).containsExactly("{\"power\":\"on\",\"watts\":42}", "{\"power\":\"off\",\"watts\":0}");
        assertThat(o.receipts()).isEqualTo(2);
        assertThat(o.powerRevision()).as("reported off, on, off").isEqualTo(3);
        assertThat(o.finalPower()).isEqualTo("off");
        assertThat(sandbox.bytes.toString(StandardCharsets.UTF_8)).contains("[plug] logged in over CoAP",
                "(waited while asleep)", "[phone] switch off: CACHED");
    }

    @Test
    void aSandboxWithoutCoap_isRefusedWithAReason() {
        final Sandbox plain = new Sandbox() {
            @Override
            public RtmClientBuilder client(final String uid) {
                return RtmClient.builder();
            }

            @Override
            public PrintStream out() {
                return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            }
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CoapAccess.of(plain))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("CoAP gateway");
    }
}
