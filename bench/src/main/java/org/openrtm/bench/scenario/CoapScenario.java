package org.openrtm.bench.scenario;

import com.google.gson.JsonObject;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Response;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.bench.Options;
import org.openrtm.bench.broker.BrokerHandle;
import org.openrtm.bench.broker.Target;
import org.openrtm.bench.load.CoapFleet;
import org.openrtm.bench.load.Device;
import org.openrtm.bench.load.Generator;
import org.openrtm.bench.load.Ledger;
import org.openrtm.bench.load.PairTraffic;
import org.openrtm.bench.load.Payloads;
import org.openrtm.bench.metrics.CpuWindow;
import org.openrtm.bench.metrics.Figure;
import org.openrtm.bench.metrics.LatencyRecorder;
import org.openrtm.bench.metrics.ProcStats;
import org.openrtm.protocol.RtmTopics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * The CoAP gateway: many CoAP device sessions held by the gateway inside the OpenRTM broker, and messages through it
 * both ways. Per repetition:
 *
 * <ol>
 *   <li>{@code sessions}: {@code --devices} CoAP devices log in and observe their inbox (at most
 *       {@code --login-concurrency} at once); rate = sessions per second, latency = login + observe per device, heap
 *       and RSS per session from the broker's live heap after a full GC before and after;</li>
 *   <li>{@code coap-to-mqtt}: devices POST (confirmable, QoS 1) to the inbox of an MQTT subscriber at {@code --rate}
 *       in all, open loop; latency from the intended send time to the MQTT delivery;</li>
 *   <li>{@code mqtt-to-coap}: {@code --sources} MQTT clients publish QoS 1 to the devices' inboxes at {@code --rate};
 *       latency from the intended send time to the device's Observe notification;</li>
 *   <li>every device sends a heartbeat ({@code heldAtEnd}: sessions still held), then logs out.</li>
 * </ol>
 *
 * Only OpenRTM has a CoAP gateway; the plain brokers are reported as skipped.
 */
public final class CoapScenario implements Scenario {

    private static final Logger log = LoggerFactory.getLogger(CoapScenario.class);
    private static final AtomicInteger PHASES = new AtomicInteger(1_000_000);

    /** The options this scenario takes (besides the common ones). */
    public static final Set<String> OPTIONS = Set.of("devices", "login-concurrency", "rate", "duration", "warmup", "payload",
            "keepalive", "sources", "drain-timeout", "connect-timeout");

    private final int devices;
    private final int concurrency;
    private final double rate;
    private final Duration duration;
    private final Duration warmup;
    private final int payload;
    private final long keepAlive;
    private final int sources;
    private final Duration drainTimeout;
    private final Duration connectTimeout;

    /**
     * @param o the parsed options
     * @throws IllegalArgumentException for an option out of range
     */
    public CoapScenario(final @NotNull Options o) {
        devices = o.integer("devices", 2_000, 1, 20_000);
        concurrency = o.integer("login-concurrency", 200, 1, 10_000);
        rate = o.number("rate", 500, 1, 1_000_000);
        duration = o.duration("duration", Duration.ofSeconds(10), Duration.ofMillis(100));
        warmup = o.duration("warmup", Duration.ofSeconds(3), Duration.ZERO);
        payload = o.integer("payload", 64, Payloads.HEADER_BYTES, 400);
        keepAlive = o.integer("keepalive", 600, 10, 86_400);
        sources = o.integer("sources", 4, 1, 1_000);
        drainTimeout = o.duration("drain-timeout", Duration.ofSeconds(30), Duration.ofSeconds(1));
        connectTimeout = o.duration("connect-timeout", Duration.ofMinutes(10), Duration.ofSeconds(1));
    }

    @Override
    public @NotNull String name() {
        return "coap";
    }

    /** The number of devices (for the runner). */
    public int devices() {
        return devices;
    }

    @Override
    public @NotNull JsonObject parameters() {
        final JsonObject p = new JsonObject();
        p.addProperty("devices", devices);
        p.addProperty("loginConcurrency", concurrency);
        p.addProperty("rate", rate);
        p.addProperty("phaseSeconds", duration.toMillis() / 1000.0);
        p.addProperty("warmupSeconds", warmup.toMillis() / 1000.0);
        p.addProperty("payloadBytes", payload);
        p.addProperty("deviceKeepAliveSeconds", keepAlive);
        p.addProperty("mqttSources", sources);
        p.addProperty("coap", "confirmable POST (QoS 1); Observe notifications confirmable, body only (octet-stream)");
        return p;
    }

    @Override
    public @Nullable String unsupported(final @NotNull Target target, final @NotNull Map<String, String> rtmSettings) {
        if (!target.isRtm()) {
            return "only OpenRTM has a CoAP gateway";
        }
        final long limit = ProcStats.openFilesLimit();
        final long needed = 2L * devices + sources + 500;
        if (limit > 0 && limit < needed) {
            return devices + " CoAP sessions need about " + needed + " open files in the broker (each session is an MQTT "
                    + "connection inside it), but the limit (ulimit -n) is " + limit + "; raise it or use fewer --devices";
        }
        return null;
    }

    @Override
    public @NotNull List<Figure> runOnce(final @NotNull BrokerHandle broker, final @NotNull Generator generator, final int rep)
            throws Exception {
        if (broker.coapPort() < 0) {
            throw new IllegalStateException(broker.target().id() + " runs no CoAP gateway");
        }
        final String prefix = "c" + rep + "-";
        final Device sink = generator.device(broker, prefix + "sink");
        final List<Device> mqttSources = new ArrayList<>();
        for (int i = 0; i < sources; i++) {
            mqttSources.add(generator.device(broker, prefix + "src" + i));
        }
        final List<String> uids = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            uids.add(prefix + "d" + i);
        }
        final BrokerHandle.Memory before = broker.memory(true);
        try (CoapFleet fleet = new CoapFleet(new InetSocketAddress("127.0.0.1", broker.coapPort()), uids)) {
            PairTraffic.connectAll(List.of(sink), true, 0, d -> List.of(RtmTopics.inboxFilter(d.uid())),
                    Duration.ofSeconds(60));
            PairTraffic.connectAll(mqttSources, true, 0, d -> List.of(), Duration.ofSeconds(60));

            // 1. sessions
            final LatencyRecorder loginLatency = new LatencyRecorder();
            final CpuWindow cpu = CpuWindow.start(broker.pid());
            final long t0 = System.nanoTime();
            final List<Throwable> failures = forAll(fleet.devices(), concurrency,
                    d -> d.login(generator.token(d.uid()), keepAlive)
                    .thenCompose(r -> expect(r, CoAP.ResponseCode.CREATED, "login"))
                    .thenCompose(ok -> d.observeInbox()).thenCompose(o -> expect(o, CoAP.ResponseCode.CONTENT, "observe")),
                    connectTimeout, loginLatency::recordNanos);
            final double rampSeconds = (System.nanoTime() - t0) / 1e9;
            final CpuWindow.Usage usage = cpu.stop();
            final long held = fleet.devices().stream().filter(CoapFleet.Device::loggedIn).count();
            final BrokerHandle.Memory after = broker.memory(true);
            log.info("{} rep {}: {} of {} CoAP sessions in {} s", broker.target().id(), rep, held, devices,
                    String.format(java.util.Locale.ROOT, "%.1f", rampSeconds));
            final Figure.Builder sessions = Figure.builder("sessions").window(devices - failures.size(), rampSeconds)
                    .counts(devices, devices - failures.size(), held, 0, failures.size())
                    .latency(loginLatency.snapshot()).cpu(usage).memory(after.heapBytes(), after.rssBytes())
                    .extra("devices", devices)
                    .extra("heapPerSessionBytes", perSession(before.heapBytes(), after.heapBytes(), held))
                    .extra("rssPerSessionBytes", perSession(before.rssBytes(), after.rssBytes(), held));
            if (!failures.isEmpty()) {
                sessions.fail(failures.size() + " devices could not log in and observe, first: " + failures.get(0));
            }

            // 2. and 3. messages both ways
            final Up up = new Up(fleet, sink);
            final Down down = new Down(fleet, mqttSources);
            if (!warmup.isZero()) {
                up.run("coap-to-mqtt-warmup", broker, Math.min(rate, 200), warmup);
                down.run("mqtt-to-coap-warmup", broker, Math.min(rate, 200), warmup);
            }
            final Figure upFigure = up.run("coap-to-mqtt", broker, rate, duration);
            final Figure downFigure = down.run("mqtt-to-coap", broker, rate, duration);

            // 4. still held? then log out
            final LongAdder alive = new LongAdder();
            forAll(fleet.devices(), concurrency, d -> d.heartbeat().thenAccept(r -> {
                if (r.getCode() == CoAP.ResponseCode.CHANGED) {
                    alive.increment();
                }
            }), connectTimeout, n -> { });
            sessions.extra("heldAtEnd", alive.sum()).extra("retransmissions", fleet.retransmissions())
                    .extra("timeouts", fleet.timeouts());
            if (alive.sum() < held) {
                sessions.fail((held - alive.sum()) + " sessions were lost during the run");
            }
            final long l0 = System.nanoTime();
            forAll(fleet.devices(), concurrency, CoapFleet.Device::logout, connectTimeout, n -> { });
            sessions.extra("logoutRate", devices / Math.max(1e-9, (System.nanoTime() - l0) / 1e9));
            return List.of(sessions.build(), upFigure, downFigure);
        } finally {
            final List<Device> all = new ArrayList<>(mqttSources);
            all.add(sink);
            Generator.forAll(all, 100, d -> d.disconnect(true), Duration.ofSeconds(30), n -> { });
        }
    }

    private static CompletableFuture<Void> expect(final Response r, final CoAP.ResponseCode code, final String what) {
        if (r.getCode() != code) {
            return CompletableFuture.failedFuture(new IllegalStateException(what + " answered " + r.getCode() + " "
                    + r.getPayloadString()));
        }
        return CompletableFuture.completedFuture(null);
    }

    private static double perSession(final long before, final long after, final long n) {
        return before < 0 || after < 0 || n == 0 ? -1 : (double) (after - before) / n;
    }

    /** Runs an action on every device with at most {@code concurrency} in flight; returns the failures. */
    static List<Throwable> forAll(final List<CoapFleet.Device> devices, final int concurrency,
                                  final Function<CoapFleet.Device, CompletableFuture<?>> action, final Duration timeout,
                                  final java.util.function.LongConsumer perDevice) throws InterruptedException {
        final Semaphore permits = new Semaphore(concurrency);
        final CountDownLatch done = new CountDownLatch(devices.size());
        final List<Throwable> failures = new ArrayList<>();
        final long deadline = System.nanoTime() + timeout.toNanos();
        for (final CoapFleet.Device d : devices) {
            if (!permits.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
            final long t0 = System.nanoTime();
            CompletableFuture<?> f;
            try {
                f = action.apply(d);
            } catch (final RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((r, e) -> {
                if (e != null) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                } else {
                    perDevice.accept(System.nanoTime() - t0);
                }
                permits.release();
                done.countDown();
            });
        }
        if (!done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            synchronized (failures) {
                failures.add(new IllegalStateException(done.getCount() + " of " + devices.size() + " devices did not finish"
                        + " within " + timeout.toSeconds() + " s"));
            }
        }
        synchronized (failures) {
            return new ArrayList<>(failures);
        }
    }

    /** A phase at a fixed rate, open loop, booked in a ledger; subclasses say how message {@code i} is sent. */
    private abstract class Phase {
        final CoapFleet fleet;
        volatile Ledger current;

        Phase(final CoapFleet fleet) {
            this.fleet = fleet;
        }

        abstract void send(Ledger l, long index, long intendedNanos);

        void received(final ByteBuffer body, final long now) {
            final Ledger l = current;
            final Payloads.Header h = Payloads.decode(body);
            if (l != null && h != null && h.phase() == l.phase()) {
                l.delivered(h, now);
            }
        }

        Figure run(final String name, final BrokerHandle broker, final double r, final Duration d) {
            final long total = Math.max(1, Math.round(r * d.toNanos() / 1e9));
            final Ledger l = new Ledger(PHASES.incrementAndGet(), devices, 0);
            current = l;
            final long retransmissions0 = fleet.retransmissions();
            final CpuWindow cpu = CpuWindow.start(broker.pid());
            final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
            long issued = 0;
            while (issued < total) {
                final long due = Math.min(total, (long) ((System.nanoTime() - start) * r / 1e9) + 1);
                while (issued < due) {
                    send(l, issued, start + (long) (issued * 1e9 / r));
                    issued++;
                }
                if (issued < total) {
                    final long wait = start + (long) (issued * 1e9 / r) - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(1)));
                    }
                }
            }
            final long lag = Math.max(0, System.nanoTime() - (start + (long) ((total - 1) * 1e9 / r)));
            final boolean complete = PairTraffic.await(l, total, drainTimeout);
            final long end = Math.max(l.lastEventNanos(), start + 1);
            final CpuWindow.Usage usage = cpu.stop();
            final BrokerHandle.Memory mem = broker.memory(true);
            final Figure.Builder f = Figure.builder(name).targetRate(r)
                    .window(l.deliveredCount(), (end - start) / 1e9)
                    .counts(total, l.ackedCount(), l.deliveredCount(), l.duplicateCount(), l.failedCount())
                    .latency(l.latency()).cpu(usage).memory(mem.heapBytes(), mem.rssBytes()).statuses(l.statuses())
                    .extra("outOfOrder", l.outOfOrderCount())
                    .extra("pacerLagMs", lag / 1e6)
                    .extra("coapRetransmissions", fleet.retransmissions() - retransmissions0);
            if (l.failedCount() > 0) {
                f.fail(l.failedCount() + " of " + total + " sends refused or failed " + l.statuses());
            }
            if (l.ackedCount() > l.deliveredCount()) {
                f.fail((l.ackedCount() - l.deliveredCount()) + " of " + l.ackedCount() + " accepted messages not delivered");
            }
            if (!complete) {
                f.fail("not finished " + drainTimeout.toSeconds() + " s after the last send");
                PairTraffic.await(l, total, Duration.ofSeconds(60)); // let the backlog clear before the next phase
            }
            log.info("{}: {} sent, {} delivered, p50 {} ms, p99 {} ms", name, total, l.deliveredCount(),
                    l.latency().p50Ms(), l.latency().p99Ms());
            current = null;
            return f.build();
        }
    }

    /** CoAP to MQTT: device {@code i % devices} posts to the sink's inbox. */
    private final class Up extends Phase {
        private final String path;

        Up(final CoapFleet fleet, final Device sink) {
            super(fleet);
            this.path = "rtm/user/" + sink.uid() + "/inbox";
            sink.onMessage(p -> p.getPayload().ifPresent(b -> received(b, System.nanoTime())));
        }

        @Override
        void send(final Ledger l, final long index, final long intendedNanos) {
            final int d = (int) (index % devices);
            final CoapFleet.Device device = fleet.devices().get(d);
            l.issued();
            device.post(path, Payloads.encode(payload, intendedNanos, l.phase(), d, index / devices)).whenComplete((r, e) -> {
                if (e != null) {
                    l.acknowledged("error:" + e.getClass().getSimpleName(), false);
                } else {
                    final boolean ok = r.getCode() == CoAP.ResponseCode.CHANGED || r.getCode() == CoAP.ResponseCode.CREATED;
                    l.acknowledged(r.getCode().toString(), ok);
                }
            });
        }
    }

    /** MQTT to CoAP: a source publishes to device {@code i % devices}'s inbox; the device gets a notification. */
    private final class Down extends Phase {
        private final List<Device> mqttSources;
        private final List<MqttTopic> topics = new ArrayList<>();

        Down(final CoapFleet fleet, final List<Device> mqttSources) {
            super(fleet);
            this.mqttSources = mqttSources;
            for (final CoapFleet.Device d : fleet.devices()) {
                topics.add(MqttTopic.of(RtmTopics.inbox(d.uid(), mqttSources.get(d.index() % sources).uid())));
            }
            fleet.onNotification((device, body, now) -> received(ByteBuffer.wrap(body), now));
        }

        @Override
        void send(final Ledger l, final long index, final long intendedNanos) {
            final int d = (int) (index % devices);
            l.issued();
            mqttSources.get(d % sources).publish(Mqtt5Publish.builder().topic(topics.get(d)).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(Payloads.encode(payload, intendedNanos, l.phase(), d, index / devices)).build())
                    .whenComplete(l::acknowledged);
        }
    }
}
