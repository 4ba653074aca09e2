package org.openrtm.broker.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openrtm.broker.RtmBroker;
import org.openrtm.broker.testing.MosquittoShim;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs the README's quick start as written: the broker block in one process, the clients block with bash. The only
 * changes are the ones a test needs: a temporary working directory (so {@code ./rtm-data} is fresh), free ports
 * instead of 1883/8000, and the jar's absolute path. If {@code mosquitto_pub}/{@code mosquitto_sub} are not installed,
 * {@link MosquittoShim} stands in for them with the same options.
 */
class QuickStartIT {

    @TempDir
    Path work;

    @Test
    void readmeQuickStart_deliversAlicesMessageToBob_andTheBrokerStopsCleanlyOnSigterm() throws Exception {
        final Path root = Path.of(System.getProperty("rtm.project.root"));
        final String readme = Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8);
        final String jar = Path.of(System.getProperty("rtm.broker.jar")).toAbsolutePath().toString();
        assertThat(Path.of(jar)).exists();
        final int mqtt = RtmBroker.freePort();
        final int ws = RtmBroker.freePort();
        final int http = RtmBroker.freePort();

        final String brokerBlock = block(readme, "<!-- quickstart:broker -->").replace("broker/target/rtm-broker.jar", jar);
        final Process broker = new ProcessBuilder("bash", "-c", "exec " + brokerBlock.trim() + " --mqtt-port " + mqtt
                + " --ws-port " + ws + " --http-port " + http + " --coap-port 0 --coaps-port 0")
                .directory(work.toFile()).redirectErrorStream(true).start();
        final List<String> brokerLog = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> listening = new CompletableFuture<>();
        final CompletableFuture<Void> logEnded = CompletableFuture.runAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    brokerLog.add(line);
                    if (line.contains("mint a token with")) { // the last start-up line
                        listening.complete(null);
                    }
                }
                listening.completeExceptionally(new AssertionError("broker exited: " + brokerLog));
            } catch (final IOException e) {
                listening.completeExceptionally(e);
            }
        });
        try {
            listening.get(90, TimeUnit.SECONDS);
            // the lines after the MQTT listener's may still be on their way through the pipe
            assertThat(brokerLog).anyMatch(l -> l.contains("MQTT listener on tcp://127.0.0.1:" + mqtt));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(brokerLog)
                        .anyMatch(l -> l.contains("MQTT over WebSocket listener on ws://127.0.0.1:" + ws + "/mqtt"));
                assertThat(brokerLog)
                        .anyMatch(l -> l.contains("mint a token with: java -jar broker/target/rtm-broker.jar token"));
            });

            final String clients = block(readme, "<!-- quickstart:clients -->")
                    .replace("broker/target/rtm-broker.jar", jar)
                    .replace("mosquitto_sub ", "mosquitto_sub -p " + mqtt + " ")
                    .replace("mosquitto_pub ", "mosquitto_pub -p " + mqtt + " ");
            final ProcessBuilder pb = new ProcessBuilder("bash", "-e", "-c", clients).directory(work.toFile());
            pb.environment().put("PATH", shims() + File.pathSeparator + System.getenv("PATH"));
            pb.environment().remove("RTM_SECRET");
            final Process run = pb.redirectErrorStream(true).start();
            final String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(run.exitValue()).as(output).isZero();
            assertThat(output).contains("rtm/user/bob/inbox/alice hello bob");

            final Path secret = work.resolve("rtm-data/secret");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rw-------");
        } finally {
            // SIGTERM; unlike Process.destroy(), this keeps our end of the pipe open to read the shutdown log
            broker.toHandle().destroy();
            assertThat(broker.waitFor(60, TimeUnit.SECONDS)).isTrue();
            logEnded.get(10, TimeUnit.SECONDS);
        }
        assertThat(brokerLog).anyMatch(l -> l.contains("Stopping"));
        assertThat(brokerLog).anyMatch(l -> l.contains("OpenRTM stopped"));
        assertThat(brokerLog).noneMatch(l -> l.contains("ERROR"));
    }

    /** The fenced code block right after a marker comment. */
    static String block(final String readme, final String marker) {
        final int at = readme.indexOf(marker);
        assertThat(at).as("README marker " + marker).isNotNegative();
        final int open = readme.indexOf("```", at);
        final int bodyStart = readme.indexOf('\n', open) + 1;
        final int close = readme.indexOf("```", bodyStart);
        return readme.substring(bodyStart, close);
    }

    /** A folder with mosquitto_pub/sub shims, used only where the real ones are not installed. */
    private Path shims() throws IOException {
        final Path bin = work.resolve("shim-bin");
        Files.createDirectories(bin);
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (final String kind : new String[] {"pub", "sub"}) {
            if (onPath("mosquitto_" + kind)) {
                continue;
            }
            final Path script = bin.resolve("mosquitto_" + kind);
            Files.writeString(script, "#!/bin/sh\nexec '" + java + "' -cp '" + System.getProperty("java.class.path")
                    + "' " + MosquittoShim.class.getName() + " " + kind + " \"$@\"\n", StandardCharsets.UTF_8);
            script.toFile().setExecutable(true);
        }
        return bin;
    }

    private static boolean onPath(final String command) {
        for (final String dir : System.getenv("PATH").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

}
