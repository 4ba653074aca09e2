package org.openrtm.reliability;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5Disconnect;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Overload: many clients each publishing peer messages at a multiple of the server's rate limit, while a well-behaved
 * pair exchanges messages below it and measures their latency (publish to arrival). The flood goes to a user who is
 * never online, with {@code rtm-offline: false}, so that what it measures is the broker and its rate limiter, not the
 * disk. Used by {@code OverloadIT} (small) and {@code OverloadTool} (5,000 clients).
 */
final class Overload {

    /**
     * What to run.
     *
     * @param host        the broker's address
     * @param port        its MQTT port
     * @param tokens      mints a user token for a uid
     * @param clients     flooding clients
     * @param rateLimit   the server's limits.rate-per-second (and burst)
     * @param factor      how many times the limit each flooder sends
     * @param flood       how long the flood lasts
     * @param pairPerSec  messages per second of each well-behaved sender (below the limit)
     * @param senders     well-behaved senders, all to the same receiver (more senders, more latency samples)
     * @param brokerCpu   the broker process's CPU time so far, or {@code null} when the broker runs in this JVM
     */
    record Options(String host, int port, Function<String, String> tokens, int clients, int rateLimit, int factor,
                   Duration flood, double pairPerSec, int senders, Supplier<Duration> brokerCpu) {
    }

    /**
     * The figures.
     *
     * @param connected        flooders that connected
     * @param attempted        flood publishes sent
     * @param rateLimited      flood publishes answered rate_limited
     * @param accepted         flood publishes accepted (unreachable: the sink is offline)
     * @param otherOutcomes    other answers, by status
     * @param floodersLimited  flooders that got at least one rate_limited
     * @param pairSent         messages of the pair
     * @param pairLost         pair messages refused or never arrived
     * @param pairRateLimited  pair messages refused as rate_limited
     * @param baseline         pair latency percentiles before the flood (p50, p99, max, samples), ms
     * @param underFlood       pair latency percentiles during the flood (p50, p99, max, samples), ms
     * @param secondHalf       the same for messages sent in the second half of the flood
     * @param disconnected     flooders the server disconnected during the flood, by DISCONNECT reason code
     * @param floodSeconds     how long the flood lasted
     * @param generatorCpu     CPU seconds this JVM (the load generator, and the broker if it runs here) used during
     *                         the flood
     * @param brokerCpu        CPU seconds the broker process used during the flood (NaN when it runs in this JVM)
     */
    record Figures(int connected, long attempted, long rateLimited, long accepted, Map<String, Long> otherOutcomes,
                   int floodersLimited, long pairSent, long pairLost, long pairRateLimited, double[] baseline,
                   double[] underFlood, double[] secondHalf, Map<String, Long> disconnected, double floodSeconds,
                   double generatorCpu,
                   double brokerCpu) {

        @Override
        public String toString() {
            return String.format("%d flooders connected, %d publishes attempted, %d rate_limited, %d accepted, "
                            + "other %s, %d flooders limited, disconnected by the server %s; pair: %d sent, %d lost, "
                            + "%d rate_limited, latency ms before p50 %.1f p99 %.1f max %.1f (%.0f samples), under "
                            + "flood p50 %.1f p99 %.1f max %.1f (%.0f samples), its second half p50 %.1f p99 %.1f "
                            + "max %.1f (%.0f samples); CPU during the %.1f s flood: generator %.1f s (%.0f%%), broker %.1f s "
                            + "(%.0f%%)",
                    connected, attempted, rateLimited, accepted, otherOutcomes, floodersLimited, disconnected, pairSent,
                    pairLost, pairRateLimited, baseline[0], baseline[1], baseline[2], baseline[3], underFlood[0],
                    underFlood[1], underFlood[2], underFlood[3], secondHalf[0], secondHalf[1], secondHalf[2],
                    secondHalf[3], floodSeconds, generatorCpu, 100 * generatorCpu / floodSeconds, brokerCpu,
                    100 * brokerCpu / floodSeconds);
        }
    }

    private Overload() {
    }

    static Figures run(final Options o) throws Exception {
        final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
        final ScheduledExecutorService pairTimer = Executors.newSingleThreadScheduledExecutor();
        final List<Mqtt5AsyncClient> flooders = new ArrayList<>();
        final ExecutorService pairIo = Executors.newCachedThreadPool();
        final List<Mqtt5AsyncClient> alices = new ArrayList<>();
        for (int i = 0; i < o.senders(); i++) {
            alices.add(client(o, o.senders() == 1 ? "pair-alice" : "pair-alice-" + i, pairIo));
        }
        final Mqtt5AsyncClient bob = client(o, "pair-bob", pairIo);
        try {
            final Map<Long, Long> sentAt = new ConcurrentHashMap<>();
            final ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
            // messages sent in the second half of the flood are also counted on their own (after any disconnects)
            final ConcurrentLinkedQueue<Double> late = new ConcurrentLinkedQueue<>();
            final long[] secondHalf = {Long.MAX_VALUE};
            bob.publishes(MqttGlobalPublishFilter.SUBSCRIBED, p -> {
                final long seq = Long.parseLong(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8));
                final Long t = sentAt.remove(seq);
                if (t != null) {
                    final double ms = (System.nanoTime() - t) / 1e6;
                    latencies.add(ms);
                    if (t - secondHalf[0] >= 0) {
                        late.add(ms);
                    }
                }
            });
            bob.subscribeWith().topicFilter("rtm/user/pair-bob/inbox/+").qos(MqttQos.AT_LEAST_ONCE).send()
                    .get(30, TimeUnit.SECONDS);
            final AtomicLong pairSeq = new AtomicLong();
            final AtomicLong pairRateLimited = new AtomicLong();
            final AtomicLong pairRefused = new AtomicLong();
            final Runnable pairTick = () -> {
                final long seq = pairSeq.getAndIncrement();
                final int sender = (int) (seq % o.senders());
                sentAt.put(seq, System.nanoTime());
                alices.get(sender).publish(Mqtt5Publish.builder()
                        .topic("rtm/user/pair-bob/inbox/" + (o.senders() == 1 ? "pair-alice" : "pair-alice-" + sender))
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload(Long.toString(seq).getBytes(StandardCharsets.UTF_8)).build()).whenComplete((r, e) -> {
                            final String status = status(r, e);
                            if ("rate_limited".equals(status)) {
                                pairRateLimited.incrementAndGet();
                            }
                            if (!"delivered".equals(status)) {
                                pairRefused.incrementAndGet();
                                sentAt.remove(seq);
                            }
                        });
            };
            // the senders take turns, so each sends at pairPerSec
            final long pairPeriod = (long) (1_000_000 / (o.pairPerSec() * o.senders()));
            // the pair has a timer of its own, so that the flood's ticks never bunch its messages together
            // fixed delay: a starved timer thread sends late rather than in a burst that the rate limit would refuse
            final var pair = pairTimer.scheduleWithFixedDelay(pairTick, 0, pairPeriod, TimeUnit.MICROSECONDS);
            // baseline: 3 s without the flood
            waitFor(Duration.ofSeconds(3));
            final double[] baseline = percentiles(drain(latencies));

            // connect the flooders (in batches, so that the connects themselves do not look like an attack)
            final List<CompletableFuture<?>> connects = new ArrayList<>();
            final Map<String, Long> disconnected = new ConcurrentHashMap<>();
            final boolean[] flooding = new boolean[1];
            for (int i = 0; i < o.clients(); i++) {
                final byte[] token = o.tokens().apply("flood-" + i).getBytes(StandardCharsets.UTF_8);
                final Mqtt5AsyncClient c = MqttClient.builder().useMqttVersion5().identifier("flood-" + i)
                        .serverHost(o.host()).serverPort(o.port())
                        // like a device, a flooder that loses its connection comes back (1 s, doubling up to 8 s)
                        .automaticReconnect().initialDelay(1, TimeUnit.SECONDS).maxDelay(8, TimeUnit.SECONDS)
                        .applyAutomaticReconnect()
                        .addDisconnectedListener(ctx -> {
                            // the reconnect must carry the token again
                            ((Mqtt5ClientDisconnectedContext) ctx).getReconnector().connectWith().keepAlive(60)
                                    .simpleAuth().password(token).applySimpleAuth().applyConnect();
                            if (flooding[0]) {
                                disconnected.merge(disconnectReason(ctx.getCause()), 1L, Long::sum);
                            }
                        }).buildAsync();
                flooders.add(c);
                connects.add(c.connectWith().keepAlive(60).simpleAuth().password(token).applySimpleAuth().send());
                if (connects.size() % 200 == 0) {
                    CompletableFuture.allOf(connects.subList(connects.size() - 200, connects.size())
                            .toArray(new CompletableFuture<?>[0])).handle((v, e) -> null).get(120, TimeUnit.SECONDS);
                }
            }
            CompletableFuture.allOf(connects.toArray(new CompletableFuture<?>[0])).handle((v, e) -> null)
                    .get(120, TimeUnit.SECONDS);
            final int connected = (int) connects.stream().filter(f -> !f.isCompletedExceptionally()).count();

            final AtomicLong attempted = new AtomicLong();
            final AtomicLong limited = new AtomicLong();
            final AtomicLong accepted = new AtomicLong();
            final Map<String, Long> other = new ConcurrentHashMap<>();
            final boolean[] gotLimited = new boolean[o.clients()];
            final int perSecond = o.rateLimit() * o.factor();
            // each tick sends every flooder's publishes that are due by now: a late tick (the generator is short of
            // CPU) catches up instead of lowering the rate, up to one second's worth
            final long[] sentEach = new long[1];
            final ByteBuffer payload = ByteBuffer.wrap("flood".getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
            latencies.clear();
            flooding[0] = true;
            final double generatorCpu0 = ownCpu();
            final double brokerCpu0 = o.brokerCpu() == null ? Double.NaN : o.brokerCpu().get().toNanos() / 1e9;
            final long floodStart = System.nanoTime();
            secondHalf[0] = floodStart + o.flood().toNanos() / 2;
            final var flood = timer.scheduleAtFixedRate(() -> {
                final long due = (long) ((System.nanoTime() - floodStart) / 1e9 * perSecond);
                final int n = (int) Math.min(perSecond, due - sentEach[0]);
                sentEach[0] = Math.max(sentEach[0] + n, due - perSecond);
                for (int i = 0; i < flooders.size(); i++) {
                    final Mqtt5AsyncClient c = flooders.get(i);
                    if (!c.getState().isConnected()) {
                        continue;
                    }
                    final int idx = i;
                    for (int k = 0; k < n; k++) {
                        attempted.incrementAndGet();
                        c.publish(Mqtt5Publish.builder().topic("rtm/user/nobody-home/inbox/flood-" + idx)
                                .qos(MqttQos.AT_LEAST_ONCE).payload(payload.duplicate())
                                .userProperties().add("rtm-offline", "false").applyUserProperties().build())
                                .whenComplete((r, e) -> {
                                    final String s = status(r, e);
                                    if ("rate_limited".equals(s)) {
                                        limited.incrementAndGet();
                                        gotLimited[idx] = true;
                                    } else if ("unreachable".equals(s)) {
                                        accepted.incrementAndGet();
                                    } else {
                                        other.merge(s, 1L, Long::sum);
                                    }
                                });
                    }
                }
            }, 0, 10, TimeUnit.MILLISECONDS);
            waitFor(o.flood());
            flood.cancel(false);
            final double floodSeconds = (System.nanoTime() - floodStart) / 1e9;
            final double generatorCpu = ownCpu() - generatorCpu0;
            final double brokerCpu = o.brokerCpu() == null ? Double.NaN
                    : o.brokerCpu().get().toNanos() / 1e9 - brokerCpu0;
            flooding[0] = false;
            final double[] underFlood = percentiles(drain(latencies));
            final double[] secondHalfOfFlood = percentiles(drain(late));
            pair.cancel(false);
            // every flood publish gets its answer before the figures are taken
            org.awaitility.Awaitility.await("answers to the flood").atMost(Duration.ofSeconds(60)).until(() ->
                    limited.get() + accepted.get() + other.values().stream().mapToLong(Long::longValue).sum()
                            >= attempted.get());
            waitFor(Duration.ofSeconds(1));
            int limitedFlooders = 0;
            for (final boolean b : gotLimited) {
                limitedFlooders += b ? 1 : 0;
            }
            final Figures f = new Figures(connected, attempted.get(), limited.get(), accepted.get(), Map.copyOf(other),
                    limitedFlooders, pairSeq.get(), pairRefused.get() + sentAt.size(), pairRateLimited.get(), baseline,
                    underFlood, secondHalfOfFlood, Map.copyOf(disconnected), floodSeconds, generatorCpu, brokerCpu);
            org.slf4j.LoggerFactory.getLogger(Overload.class).info("flood rate: {} publishes/s attempted",
                    String.format("%.0f", attempted.get() / floodSeconds));
            return f;
        } finally {
            timer.shutdownNow();
            pairTimer.shutdownNow();
            pairIo.shutdown();
            for (final Mqtt5AsyncClient c : flooders) {
                c.disconnect().handle((v, e) -> null);
            }
            for (final Mqtt5AsyncClient a : alices) {
                a.disconnect().handle((v, e) -> null);
            }
            bob.disconnect().handle((v, e) -> null);
        }
    }

    private static Mqtt5AsyncClient client(final Options o, final String uid, final Executor io) throws Exception {
        // the pair's I/O runs on threads of its own: in the flooders' shared event loops its messages would wait
        // behind the flood inside the generator, and that is not the broker's latency
        final Mqtt5AsyncClient c = MqttClient.builder().useMqttVersion5().identifier(uid).serverHost(o.host())
                .serverPort(o.port()).executorConfig().nettyExecutor(io).nettyThreads(1).applyExecutorConfig()
                .buildAsync();
        c.connectWith().simpleAuth().password(o.tokens().apply(uid).getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .send().get(30, TimeUnit.SECONDS);
        return c;
    }

    private static String status(final Mqtt5PublishResult r, final Throwable e) {
        Mqtt5PubAck ack = null;
        if (e != null) {
            final Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                    ? e.getCause() : e;
            if (cause instanceof Mqtt5PubAckException) {
                ack = ((Mqtt5PubAckException) cause).getMqttMessage();
            } else {
                return "error:" + cause.getClass().getSimpleName();
            }
        } else if (r instanceof Mqtt5PublishResult.Mqtt5Qos1Result) {
            ack = ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck();
        }
        if (ack == null) {
            return "none";
        }
        return ack.getUserProperties().asList().stream().filter(p -> p.getName().toString().equals("rtm-status"))
                .map(p -> p.getValue().toString()).findFirst().orElse("no-status:" + ack.getReasonCode());
    }

    private static String disconnectReason(final Throwable cause) {
        if (cause instanceof Mqtt5DisconnectException) {
            final Mqtt5Disconnect d = ((Mqtt5DisconnectException) cause).getMqttMessage();
            return String.format("DISCONNECT 0x%02X", d.getReasonCode().getCode());
        }
        if (cause instanceof Mqtt5ConnAckException) {
            return String.format("CONNACK 0x%02X", ((Mqtt5ConnAckException) cause).getMqttMessage().getReasonCode()
                    .getCode());
        }
        return cause == null ? "none" : cause.getClass().getSimpleName();
    }

    private static double ownCpu() {
        return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).toNanos() / 1e9;
    }

    private static List<Double> drain(final ConcurrentLinkedQueue<Double> q) {
        final List<Double> l = new ArrayList<>();
        Double d;
        while ((d = q.poll()) != null) {
            l.add(d);
        }
        return l;
    }

    /** p50, p99, max and the number of samples; NaN without samples. */
    static double[] percentiles(final List<Double> samples) {
        if (samples.isEmpty()) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN, 0};
        }
        final double[] s = samples.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(s);
        return new double[] {s[(int) Math.floor(0.50 * (s.length - 1))], s[(int) Math.floor(0.99 * (s.length - 1))],
                s[s.length - 1], s.length};
    }

    private static void waitFor(final Duration d) {
        org.awaitility.Awaitility.await().pollDelay(d).atMost(d.plusSeconds(1)).until(() -> true);
    }
}
