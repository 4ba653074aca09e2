package org.openrtm.sdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.sdk.testing.ChildJvm;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
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

        final List<String> users = new ArrayList<>(List.of("tcp://127.0.0.1:" + broker.port()));
        for (int i = 0; i < CLIENTS; i++) {
            users.add("probe" + i + "=" + broker.token("probe" + i));
        }
        final String output = ChildJvm.run(List.of("-XX:+UseSerialGC", "-Xmx64m"), FootprintProbe.class, users);
        final Matcher m = Pattern.compile("perClientBytes=(-?\\d+) threadsPerClient=([\\d.]+)").matcher(output);
        assertThat(m.find()).as(output).isTrue();
        LOG.info("Idle logged-in client: {}", output.trim());
        final long perClient = Long.parseLong(m.group(1));
        assertThat(perClient).isBetween(1L, 500_000L);
        assertThat(Double.parseDouble(m.group(2))).isLessThanOrEqualTo(8);
    }
}
