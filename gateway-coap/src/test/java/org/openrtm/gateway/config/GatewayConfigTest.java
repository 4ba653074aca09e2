package org.openrtm.gateway.config;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class GatewayConfigTest {

    @Test
    void defaults_areTheDocumentedOnes() {
        final GatewayConfig c = GatewayConfig.defaults();
        assertThat(c.get(GatewaySettings.COAP_PORT)).isEqualTo(5683);
        assertThat(c.get(GatewaySettings.COAPS_PORT)).isEqualTo(5684);
        assertThat(c.get(GatewaySettings.MAX_BODY_BYTES)).isEqualTo(8192);
        assertThat(c.get(GatewaySettings.KEEP_ALIVE)).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.mqttHost()).isEqualTo("127.0.0.1");
        assertThat(c.mqttPort()).isEqualTo(1883);
    }

    @Test
    void values_areParsedWithUnits() throws Exception {
        final GatewayConfig c = GatewayConfig.of(Map.of("session.keep-alive", "2m", "coap.block-size", "1024",
                "mqtt.server", "tcp://broker.local:2883", "coap.port", "-1"));
        assertThat(c.get(GatewaySettings.KEEP_ALIVE)).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.get(GatewaySettings.BLOCK_SIZE)).isEqualTo("1024");
        assertThat(c.mqttHost()).isEqualTo("broker.local");
        assertThat(c.mqttPort()).isEqualTo(2883);
        assertThat(c.get(GatewaySettings.COAP_PORT)).isEqualTo(-1);
    }

    @Test
    void everyProblem_isReportedAtOnce_namingKeyRuleAndValue() {
        final GatewayConfigException e = catchThrowableOfType(GatewayConfigException.class, () -> GatewayConfig.of(Map.of(
                "coap.port", "70000",
                "coap.block-size", "500",
                "session.keep-alive", "soon",
                "mqtt.server", "http://x",
                "coaps.psk", "file",
                "coap.prot", "1")));
        assertThat(e.errors()).containsExactlyInAnyOrder(
                "unknown key 'coap.prot' (see gateway-coap/README.md for the keys)",
                "coap.port must be between -1 and 65535, but was '70000'",
                "coap.block-size must be one of 16, 32, 64, 128, 256, 512, 1024, but was '500'",
                "session.keep-alive must be a duration such as 500ms, 30s, 10m, 24h or 7d, but was 'soon'",
                "mqtt.server must be tcp://host:port with a port between 1 and 65535, but was 'http://x'",
                "coaps.psk-file must name a file when coaps.psk is 'file', but was empty");
    }

    @Test
    void keepAliveBounds_mustHoldTheDefault() {
        assertThatThrownBy(() -> GatewayConfig.of(Map.of("session.keep-alive-min", "10m", "session.keep-alive-max", "1m")))
                .isInstanceOf(GatewayConfigException.class)
                .hasMessageContaining("session.keep-alive-min must not be longer than session.keep-alive-max");
        assertThatThrownBy(() -> GatewayConfig.of(Map.of("session.keep-alive", "2h", "session.keep-alive-max", "1h")))
                .hasMessageContaining("session.keep-alive must be between session.keep-alive-min and session.keep-alive-max");
    }

    @Test
    void coapsWithoutCredentials_isRefused() {
        assertThatThrownBy(() -> GatewayConfig.of(Map.of("coaps.psk", "off")))
                .hasMessageContaining("coaps.port must be -1 (off) when coaps.psk is 'off'");
    }

    @Test
    void load_readsAFile_andOverridesWin(@org.junit.jupiter.api.io.TempDir final Path dir) throws Exception {
        final Path f = dir.resolve("gw.properties");
        Files.writeString(f, "coap.port = 6000\nsession.max = 5\n", StandardCharsets.UTF_8);
        final GatewayConfig c = GatewayConfig.load(f, Map.of("coap.port", "6001"));
        assertThat(c.get(GatewaySettings.COAP_PORT)).isEqualTo(6001);
        assertThat(c.get(GatewaySettings.MAX_SESSIONS)).isEqualTo(5);
    }

    @Test
    void readme_hasTheGeneratedSettingsTable() throws Exception {
        final String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        final int start = readme.indexOf(GatewayConfigDocs.START);
        final int end = readme.indexOf(GatewayConfigDocs.END);
        assertThat(start).as("README has the table markers").isGreaterThanOrEqualTo(0);
        assertThat(readme.substring(start + GatewayConfigDocs.START.length(), end).trim())
                .isEqualTo(GatewayConfigDocs.table().trim());
    }
}
