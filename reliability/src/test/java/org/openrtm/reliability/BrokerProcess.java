package org.openrtm.reliability;

import org.openrtm.broker.RtmBroker;
import org.openrtm.extension.auth.Tokens;
import org.openrtm.protocol.Role;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The runnable broker ({@code org.openrtm.broker.Main}) as a child process on 127.0.0.1, on a data folder that
 * outlives it: {@link #kill()} is {@code kill -9} ({@link Process#destroyForcibly()}), {@link #start()} starts it
 * again on the same folder and ports. Its output goes to {@code broker-N.log} next to the data folder. Not
 * thread-safe.
 */
final class BrokerProcess implements AutoCloseable {

    /** The secret the child signs tokens with (passed as {@code RTM_SECRET}). */
    static final String SECRET = "reliability-secret-0123456789-0123456789-xyz";

    private final Path data;
    private final int mqttPort;
    private final List<String> extraArgs;
    private final List<String> launcher;
    private final List<String> jvmArgs;
    private final Tokens tokens = new Tokens(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC(), Duration.ZERO);
    private Process process;
    private int starts;

    /**
     * @param data      the data folder (created if missing)
     * @param mqttPort  the MQTT port, kept across restarts
     * @param extraArgs further command-line options, for example {@code --config FILE}
     */
    BrokerProcess(final Path data, final int mqttPort, final List<String> extraArgs) {
        this(data, mqttPort, extraArgs, List.of(), List.of());
    }

    /**
     * @param data      the data folder (created if missing)
     * @param mqttPort  the MQTT port, kept across restarts
     * @param extraArgs further command-line options, for example {@code --config FILE}
     * @param launcher  a command the JVM is started under, for example {@code taskset -c 0} (empty: none)
     * @param jvmArgs   further JVM options, for example {@code -XX:StartFlightRecording=...}
     */
    BrokerProcess(final Path data, final int mqttPort, final List<String> extraArgs, final List<String> launcher,
                  final List<String> jvmArgs) {
        this.data = data;
        this.mqttPort = mqttPort;
        this.extraArgs = List.copyOf(extraArgs);
        this.launcher = List.copyOf(launcher);
        this.jvmArgs = List.copyOf(jvmArgs);
    }

    /**
     * A free TCP port on the loopback interface, below the ephemeral range: the port is kept across restarts, and while
     * the broker is down a client's outgoing connection could otherwise take it (then the restart cannot bind).
     */
    static int freePort() {
        return RtmBroker.freePort();
    }

    int mqttPort() {
        return mqttPort;
    }

    String uri() {
        return "tcp://127.0.0.1:" + mqttPort;
    }

    /** A token for a user, valid for two hours. */
    String token(final String uid) {
        return tokens.mint(uid, Role.USER, Duration.ofHours(2));
    }

    /** Starts the broker and waits until it has logged that its MQTT listener is up (at most 90 s). */
    BrokerProcess start() throws IOException {
        Files.createDirectories(data);
        final Path log = data.resolveSibling("broker-" + (++starts) + ".log");
        final List<String> cmd = new ArrayList<>(launcher);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.openrtm.broker.Main",
                "--data", data.toString(), "--mqtt-port", Integer.toString(mqttPort), "--ws-port", "off",
                "--http-port", "off", "--no-coap"));
        cmd.addAll(extraArgs);
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("RTM_SECRET", SECRET);
        process = pb.start();
        final Process p = process;
        await("broker start (" + log + ")").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("the broker exited with " + p.exitValue() + "; see " + log
                                + "; its last lines:\n" + tail(log, 40));
                    }
                    return Files.readString(log, StandardCharsets.UTF_8).contains("MQTT listener on");
                });
        return this;
    }

    /** The last {@code lines} lines of a file (so that a failed start explains itself in the test report). */
    private static String tail(final Path file, final int lines) throws IOException {
        final List<String> all = List.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n"));
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** {@code kill -9}: the process dies at once, without any shutdown hook. */
    void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the broker did not die within 30 s");
            }
        }
    }

    /** SIGTERM: the broker stops cleanly (at most 60 s). */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** The CPU time the broker process has used so far (zero if unknown or not started). */
    Duration cpu() {
        return process == null ? Duration.ZERO : process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** How many times the broker was started. */
    int starts() {
        return starts;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
