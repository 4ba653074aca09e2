package org.openrtm.reliability;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The full overload: a broker child process with {@code limits.rate-per-second = R}, and {@code N} clients (5,000 by
 * default) each publishing at {@code F} times that rate (10), while a well-behaved pair measures its latency. Run it
 * with {@code chaos/overload.sh} (see docs/reliability.md); it logs the figures.
 *
 * <pre>
 * OverloadTool [clients 5000] [rate-limit 1] [factor 10] [seconds 20]
 * </pre>
 */
public final class OverloadTool {

    private static final Logger log = LoggerFactory.getLogger(OverloadTool.class);
    /** Well-behaved senders (to one receiver), each at half the limit: enough latency samples for a p99. */
    private static final int SENDERS = 10;

    private OverloadTool() {
    }

    public static void main(final String[] args) throws Exception {
        final int clients = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        final int limit = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        final int factor = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        final int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        final Path dir = Files.createTempDirectory("rtm-overload-");
        final Path config = dir.resolve("rtm.properties");
        // OVERLOAD_SETTINGS adds extension settings, e.g. "limits.flood-refusals=20 limits.flood-window=10s"
        final String extra = System.getenv().getOrDefault("OVERLOAD_SETTINGS", "").trim();
        Files.writeString(config, "limits.rate-per-second = " + limit + "\nlimits.rate-burst = " + limit + "\n"
                + (extra.isEmpty() ? "" : String.join("\n", extra.split("\\s+")) + "\n"));
        log.info("broker settings: {}", Files.readString(config).replace('\n', ' '));
        // OVERLOAD_BROKER_CPUS pins the broker (taskset -c LIST); OVERLOAD_BROKER_JVM adds JVM options (e.g. JFR)
        final String cpus = System.getenv().getOrDefault("OVERLOAD_BROKER_CPUS", "");
        final String jvm = System.getenv().getOrDefault("OVERLOAD_BROKER_JVM", "");
        final BrokerProcess broker = new BrokerProcess(dir.resolve("data"), BrokerProcess.freePort(),
                List.of("--config", config.toString()), cpus.isBlank() ? List.of() : List.of("taskset", "-c", cpus),
                jvm.isBlank() ? List.of() : List.of(jvm.trim().split("\\s+")));
        try {
            broker.start();
            log.info("overload: {} clients at {} x the rate limit of {}/s for {} s", clients, factor, limit, seconds);
            final Overload.Figures f = Overload.run(new Overload.Options("127.0.0.1", broker.mqttPort(), broker::token,
                    clients, limit, factor, Duration.ofSeconds(seconds), limit / 2.0, SENDERS, broker::cpu));
            log.info("overload result: {}; broker alive: {}", f, broker.isAlive());
        } finally {
            broker.stop();
        }
    }
}
