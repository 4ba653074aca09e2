package org.openrtm.gateway;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class GatewayMainTest {

    private static final String SECRET = "test-secret-0123456789-0123456789-abcdef";

    private record Result(int code, String out, String err) {
    }

    private static Result run(final Map<String, String> env, final String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = GatewayMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void psk_printsTheDerivedKeyOfAUid() {
        final Result r = run(Map.of("RTM_SECRET", SECRET), "psk", "plug-1");
        assertThat(r.code()).isZero();
        assertThat(r.out().trim()).isEqualTo(DevicePsk.deriveHex(SECRET.getBytes(StandardCharsets.UTF_8), "plug-1"));
    }

    @Test
    void mistakes_areNamed_withTheUsage() {
        assertThat(run(Map.of(), "psk").err()).contains("psk needs a UID").contains("Usage:");
        assertThat(run(Map.of(), "--coap-port", "x").code()).isEqualTo(2);
        assertThat(run(Map.of(), "--frobnicate").err()).contains("unknown option '--frobnicate'");
        final var off = run(Map.of(), "--coap-port", "off", "--coaps-port", "off");
        assertThat(off.code()).isEqualTo(2);
        assertThat(off.err()).contains("both off");
        assertThat(run(Map.of("RTM_SECRET", SECRET), "--mqtt", "udp://x").err())
                .contains("mqtt.server must be tcp://host:port");
    }

    @Test
    void help_printsTheUsage() {
        assertThat(run(Map.of(), "--help").out()).contains("rtm-gateway.jar psk UID");
    }
}
