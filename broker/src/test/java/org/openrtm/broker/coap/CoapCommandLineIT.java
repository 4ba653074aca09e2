package org.openrtm.broker.coap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openrtm.broker.MainAccess;
import org.openrtm.broker.RtmBroker;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The broker's CoAP options: validation, help, and an honest failure when a CoAP port is taken. */
class CoapCommandLineIT {

    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private static Result run(final String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = MainAccess.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of("RTM_SECRET", "environment-secret-0123456789-0123456789"));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void coapOptions_areValidated_andDocumentedInTheUsage() {
        final Result bad = run("--coap-port", "70000");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--coap-port must be a port between 1 and 65535, but was '70000'");
        assertThat(run("--coaps-port", "many").err()).contains("--coaps-port must be a port");
        assertThat(run("--help").out()).contains("--coap-port N|off").contains("--no-coap");
    }

    @Test
    void takenCoapPort_stopsTheBrokerWithTheReason() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            final Result r = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> run(
                    "--data", dir.resolve("data").toString(), "--mqtt-port", Integer.toString(RtmBroker.freePort()),
                    "--ws-port", "off", "--http-port", "off",
                    "--coap-port", Integer.toString(taken.getLocalPort()), "--coaps-port", "off"));
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("the CoAP gateway did not start");
        }
    }

}
