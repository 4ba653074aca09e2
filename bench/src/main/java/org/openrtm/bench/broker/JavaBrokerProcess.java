package org.openrtm.bench.broker;

import org.jetbrains.annotations.NotNull;
import org.openrtm.bench.metrics.ProcStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JVM broker child ({@link BrokerChild}): OpenRTM (target a) or plain HiveMQ CE (target b). Its log goes to
 * {@code <work>/<target>.log}. Thread-safe: control commands are serialized.
 */
public final class JavaBrokerProcess implements BrokerHandle {

    private static final Logger log = LoggerFactory.getLogger(JavaBrokerProcess.class);
    private static final long START_TIMEOUT_SECONDS = 120;
    private static final long REPLY_TIMEOUT_SECONDS = 120;
    /** The extension setting that target h turns off. */
    public static final String HISTORY_ENABLED = "history.enabled";

    private final Target target;
    private final Process process;
    private final Writer control;
    private final BlockingQueue<String> replies = new ArrayBlockingQueue<>(64);
    private final int port;
    private final int coapPort;
    private final Path logFile;
    private boolean closed;

    private JavaBrokerProcess(final Target target, final Process process, final Path logFile) throws IOException {
        this.target = target;
        this.process = process;
        this.logFile = logFile;
        this.control = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        final Thread reader = new Thread(this::readReplies, "bench-" + target.id() + "-stdout");
        reader.setDaemon(true);
        reader.start();
        final String ready = poll(START_TIMEOUT_SECONDS);
        if (ready == null || !ready.startsWith("READY ")) {
            process.destroyForcibly();
            throw new IOException(target.id() + " broker did not start (" + (ready == null ? "no answer in "
                    + START_TIMEOUT_SECONDS + " s" : ready) + "); its log " + logFile + " ends with:\n" + tail(logFile));
        }
        final String[] ports = ready.substring(6).trim().split(" ");
        this.port = Integer.parseInt(ports[0]);
        this.coapPort = ports.length > 1 ? Integer.parseInt(ports[1]) : -1;
    }

    /**
     * Starts a JVM broker and waits until it listens.
     *
     * @param target  {@link Target#RTM}, {@link Target#RTM_HISTORY_OFF} or {@link Target#HIVEMQ}
     * @param options how to start it
     * @return the running broker
     * @throws IOException if it does not start within two minutes (the message quotes its log)
     */
    public static @NotNull JavaBrokerProcess start(final @NotNull Target target, final @NotNull LaunchOptions options)
            throws IOException {
        if (target == Target.MOSQUITTO) {
            throw new IllegalArgumentException("target must be a JVM broker (a or b), but was " + target);
        }
        final Path data = options.workDir().resolve(target.id() + "-data");
        Files.createDirectories(data);
        final Path logFile = options.workDir().resolve(target.id() + ".log");
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + options.heap());
        cmd.add("-Xms" + options.heap());
        cmd.addAll(options.jvmOptions());
        if (options.jfrDir() != null) {
            Files.createDirectories(options.jfrDir());
            final String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            final Path jfr = options.jfrDir().resolve(target.id() + "-" + stamp + ".jfr").toAbsolutePath();
            cmd.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,dumponexit=true");
            log.info("{} broker records a JFR profile into {}", target.id(), jfr);
        }
        cmd.add("-cp");
        cmd.add(options.classpath());
        cmd.add(BrokerChild.class.getName());
        cmd.add("--kind");
        cmd.add(target.isRtm() ? "rtm" : target == Target.HIVEMQ_NOOP ? "noop" : "hivemq");
        cmd.add("--data");
        cmd.add(data.toString());
        if (target.isRtm()) {
            final Map<String, String> settings = new java.util.LinkedHashMap<>(options.settings());
            if (target == Target.RTM_HISTORY_OFF) {
                settings.put(HISTORY_ENABLED, "false");
            }
            for (final Map.Entry<String, String> s : settings.entrySet()) {
                cmd.add("--setting");
                cmd.add(s.getKey() + "=" + s.getValue());
            }
            for (final Map.Entry<String, String> s : options.coapSettings().entrySet()) {
                cmd.add("--coap-setting");
                cmd.add(s.getKey() + "=" + s.getValue());
            }
        }
        final ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(ProcessBuilder.Redirect.PIPE);
        pb.environment().put("RTM_SECRET", options.secret());
        final Process p = pb.start();
        log.debug("started {} broker, pid {}", target.id(), p.pid());
        return new JavaBrokerProcess(target, p, logFile);
    }

    private void readReplies() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith(BrokerChild.PREFIX)) {
                    replies.offer(line.substring(BrokerChild.PREFIX.length()));
                }
            }
        } catch (final IOException e) {
            log.debug("{} broker output closed: {}", target.id(), e.toString());
        }
    }

    private String poll(final long seconds) {
        try {
            return replies.poll(seconds, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public @NotNull Target target() {
        return target;
    }

    @Override
    public @NotNull String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public int coapPort() {
        return coapPort;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public @NotNull String version() {
        return target.description() + ", JVM " + System.getProperty("java.runtime.version");
    }

    @Override
    public synchronized @NotNull Memory memory(final boolean collect) {
        long heap = -1;
        try {
            replies.clear();
            control.write(collect ? "GC\n" : "HEAP\n");
            control.flush();
            final String reply = poll(REPLY_TIMEOUT_SECONDS);
            if (reply != null && reply.startsWith("HEAP ")) {
                heap = Long.parseLong(reply.split(" ")[1]);
            } else {
                log.warn("{} broker did not report its heap: {}", target.id(), reply);
            }
        } catch (final IOException e) {
            log.warn("{} broker control channel failed: {}", target.id(), e.toString());
        }
        return new Memory(heap, ProcStats.rssBytes(pid()));
    }

    @Override
    public synchronized @NotNull String subscriptionsOf(final @NotNull String clientId) {
        try {
            replies.clear();
            control.write("SUBS " + clientId + "\n");
            control.flush();
            final String reply = poll(REPLY_TIMEOUT_SECONDS);
            if (reply != null && reply.startsWith("SUBS " + clientId)) {
                final String rest = reply.substring(5 + clientId.length()).trim();
                return rest.isEmpty() ? "none" : rest;
            }
            return "unknown (the broker answered " + reply + ")";
        } catch (final IOException e) {
            return "unknown (control channel: " + e + ")";
        }
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            control.write("STOP\n");
            control.flush();
            control.close();
        } catch (final IOException e) {
            log.debug("{} broker control channel already closed: {}", target.id(), e.toString());
        }
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                log.warn("{} broker did not stop within 60 s; killing it", target.id());
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Kills the process at once (for shutdown hooks). */
    void kill() {
        process.destroyForcibly();
    }

    /** The last lines of a log file, for error messages. */
    static @NotNull String tail(final @NotNull Path file) {
        try {
            final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (final IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
