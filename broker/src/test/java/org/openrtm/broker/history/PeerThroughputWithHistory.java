package org.openrtm.broker.history;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.openrtm.broker.RtmBroker;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.protocol.RtmTopics;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * Peer throughput with history on and off, side by side (issue 4's goal: within 10%). Runs the broker in this JVM on a
 * fresh data folder per run (after one unmeasured warm-up run of each mode), connects {@code pairs} sender/recipient
 * pairs, and lets each sender keep {@code window} QoS 1 publishes in flight; counts PUBACKs over the measured seconds
 * after a warm-up. Runs alternate off/on so that a noisy machine hurts both sides alike. Also reports CPU time per
 * message of this process (broker and clients).
 *
 * <p>A tool, not a test: {@code java -cp <broker test classpath> org.openrtm.broker.history.PeerThroughputWithHistory
 * [pairs] [window] [seconds] [reps] [both|on|off]}.
 */
public final class PeerThroughputWithHistory {

    private PeerThroughputWithHistory() {
    }

    public static void main(final String[] args) throws Exception {
        final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        final int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        final int window = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        final int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        final int reps = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        final String only = args.length > 4 ? args[4] : "both";
        out.printf("pairs %d, window %d, %d s measured after 5 s warm-up, %d repetitions%n", pairs, window, seconds, reps);
        // the broker runs in this JVM: one unmeasured run of each mode first, or the first runs measure the JIT
        for (final boolean history : new boolean[] {false, true}) {
            if (only.equals("both") || history == only.equals("on")) {
                final double[] r = run(history, pairs, window, seconds);
                out.printf("warm-up, history %-3s: %8.0f msg/s (not counted)%n", history ? "on" : "off", r[0]);
            }
        }
        final List<double[]> off = new ArrayList<>();
        final List<double[]> on = new ArrayList<>();
        for (int rep = 0; rep < reps; rep++) {
            for (final boolean history : rep % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
                if (!only.equals("both") && history != only.equals("on")) {
                    continue;
                }
                final double[] r = run(history, pairs, window, seconds);
                (history ? on : off).add(r);
                out.printf("history %-3s: %8.0f msg/s, %6.1f us CPU per message%n", history ? "on" : "off", r[0], r[1]);
            }
        }
        if (off.isEmpty() || on.isEmpty()) {
            System.exit(0);
        }
        final double offRate = median(off, 0);
        final double onRate = median(on, 0);
        out.printf("median: off %.0f msg/s, on %.0f msg/s (%+.1f%%); CPU per message off %.1f us, on %.1f us%n",
                offRate, onRate, (onRate / offRate - 1) * 100, median(off, 1), median(on, 1));
        System.exit(0);
    }

    private static double median(final List<double[]> runs, final int i) {
        final double[] v = runs.stream().mapToDouble(r -> r[i]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double[] run(final boolean history, final int pairs, final int window, final int seconds)
            throws Exception {
        final Path data = Files.createTempDirectory("rtm-history-bench-");
        final int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        final RtmBroker broker = RtmBroker.builder().host("127.0.0.1").mqttPort(port).wsPort(-1).dataDir(data)
                .env(Map.of("RTM_SECRET", EmbeddedBroker.SECRET))
                .setting("limits.rate-per-second", "1000000").setting("limits.rate-burst", "1000000")
                .setting("history.enabled", Boolean.toString(history))
                .build().start();
        final List<Mqtt5AsyncClient> clients = new ArrayList<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final LongAdder acked = new LongAdder();
        try {
            final List<Mqtt5AsyncClient> senders = new ArrayList<>();
            final List<String> topics = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                final String s = "s" + i;
                final String r = "r" + i;
                final Mqtt5AsyncClient recipient = client(broker, port, r);
                recipient.subscribeWith().topicFilter(RtmTopics.inboxFilter(r)).qos(MqttQos.AT_LEAST_ONCE)
                        .callback(p -> { }).send().join();
                final Mqtt5AsyncClient sender = client(broker, port, s);
                clients.add(recipient);
                clients.add(sender);
                senders.add(sender);
                topics.add(RtmTopics.inbox(r, s));
            }
            final byte[] payload = new byte[100];
            for (int i = 0; i < pairs; i++) {
                final Mqtt5AsyncClient sender = senders.get(i);
                final Mqtt5Publish publish = Mqtt5Publish.builder().topic(topics.get(i)).qos(MqttQos.AT_LEAST_ONCE)
                        .payload(payload).build();
                for (int w = 0; w < window; w++) {
                    pump(sender, publish, running, acked);
                }
            }
            TimeUnit.SECONDS.sleep(5);
            final long cpu0 = cpuNanos();
            final long n0 = acked.sum();
            final long t0 = System.nanoTime();
            TimeUnit.SECONDS.sleep(seconds);
            final long n = acked.sum() - n0;
            final double elapsed = (System.nanoTime() - t0) / 1e9;
            final long cpu = cpuNanos() - cpu0;
            return new double[] {n / elapsed, n == 0 ? 0 : cpu / 1000.0 / n};
        } finally {
            running.set(false);
            for (final Mqtt5AsyncClient c : clients) {
                c.disconnect().exceptionally(e -> null).get(10, TimeUnit.SECONDS);
            }
            broker.stop();
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void pump(final Mqtt5AsyncClient sender, final Mqtt5Publish publish, final AtomicBoolean running,
                             final LongAdder acked) {
        if (!running.get()) {
            return;
        }
        sender.publish(publish).whenComplete((r, e) -> {
            if (e == null) {
                acked.increment();
            }
            pump(sender, publish, running, acked);
        });
    }

    private static Mqtt5AsyncClient client(final RtmBroker broker, final int port, final String uid) throws IOException {
        final Mqtt5AsyncClient c = MqttClient.builder().useMqttVersion5().identifier(uid).serverHost("127.0.0.1")
                .serverPort(port).buildAsync();
        c.connectWith().simpleAuth().password(broker.token(uid).getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .send().join();
        return c;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
