package org.openrtm.sdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SDK's footprint: the jar's size, and the heap of an idle logged-in client, measured in a separate JVM
 * ({@link FootprintProbe}) so that the broker's own objects do not count. The figures are logged and go into the
 * README; the assertions only guard against a regression by an order of magnitude.
 */
class FootprintIT {

    private static final Logger LOG = LoggerFactory.getLogger(FootprintIT.class);
    private static final int CLIENTS = 20;

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    @Test
    void jarIsSmall_andAnIdleClientNeedsLittleHeap() throws Exception {
        final Path jar;
        try (Stream<Path> files = Files.list(Paths.get("target"))) {
            jar = files.filter(p -> p.getFileName().toString().matches("rtm-device-sdk-[^-]+(-SNAPSHOT)?\\.jar"))
                    .findFirst().orElseThrow();
        }
        final long jarBytes = Files.size(jar);
        LOG.info("SDK jar {}: {} bytes", jar.getFileName(), jarBytes);
        assertThat(jarBytes).isLessThan(300_000); // 219 KB with attributes, history and calls

        final List<String> cmd = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                FootprintProbe.class.getName(), "tcp://127.0.0.1:" + broker.port()));
        for (int i = 0; i < CLIENTS; i++) {
            cmd.add("probe" + i + "=" + broker.token("probe" + i));
        }
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final StringBuilder output = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                output.append(line).append('\n');
            }
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output.toString()).isZero();
        final Matcher m = Pattern.compile("perClientBytes=(-?\\d+) threadsPerClient=([\\d.]+)").matcher(output);
        assertThat(m.find()).as(output.toString()).isTrue();
        LOG.info("Idle logged-in client: {}", output.toString().trim());
        final long perClient = Long.parseLong(m.group(1));
        assertThat(perClient).isBetween(1L, 500_000L);
        assertThat(Double.parseDouble(m.group(2))).isLessThanOrEqualTo(8);
    }
}
