package org.openrtm.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The one command: the launcher starts its own broker, runs the examples, narrates, stops. */
class LauncherIT {

    @Test
    void all_runsEveryExampleOnAnEmbeddedBroker_onTheGivenPorts_andExitsZero() throws Exception {
        final int mqtt = freeTcpPort();
        final int http = freeTcpPort();
        final int coap;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            coap = s.getLocalPort();
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = Examples.run(new String[] {"--mqtt-port", "" + mqtt, "--coap-port", "" + coap, "--http-port",
                "" + http, "all"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        final String text = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(text).startsWith("broker on 127.0.0.1: MQTT port " + mqtt + ", CoAP port " + coap + ", HTTP port "
                + http + " (web client and console)\n");
        assertThat(text).contains("=== watch-chat ===", "=== classroom ===", "=== smart-home ===", "=== car-remote ===",
                "=== whiteboard ===", "[watch] ana-phone: Where are you?",
                "[ms-rivera] privately from kim: Is 2/4 the same as 1/2?", "[app] 'kitchen light on': DELIVERED",
                "FAILED PEER_OFFLINE", "[laptop] joined late and redrew {circle=60, line=30}",
                "outcome: the phone saw the watch ONLINE",
                "outcome: the unlock requests were sent ",
                "the late laptop redrew circle: 60, line: 30 from history, in order\n");
        // plain words, not record dumps; the whiteboard is drawn once, by the laptop's narration
        assertThat(text).doesNotContain("Outcome[", "board=");
        final List<String> lines = text.lines().collect(Collectors.toList());
        final List<Integer> boardRows = IntStream.range(0, lines.size()).filter(i -> lines.get(i).startsWith("  |"))
                .boxed().collect(Collectors.toList());
        assertThat(boardRows).as("the board's rows").hasSizeGreaterThan(5);
        assertThat(boardRows.get(boardRows.size() - 1) - boardRows.get(0) + 1).as("one block of rows")
                .isEqualTo(boardRows.size());
    }

    @Test
    void aBadPortOption_isAUsageError_namingTheOptionAndTheValue() {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = Examples.run(new String[] {"--mqtt-port", "70000", "watch-chat"}, new PrintStream(
                new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(
                "--mqtt-port must be a port number from 0 to 65535, but was 70000", "usage: ");
        final ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        assertThat(Examples.run(new String[] {"--http-port"}, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), new PrintStream(err2, true, StandardCharsets.UTF_8))).isEqualTo(2);
        assertThat(err2.toString(StandardCharsets.UTF_8)).contains("--http-port needs a port number");
    }

    private static int freeTcpPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void anUnknownExample_isAUsageError() {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = Examples.run(new String[] {"teleporter"}, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown example 'teleporter'",
                "watch-chat, classroom, smart-home, car-remote, whiteboard");
    }
}
