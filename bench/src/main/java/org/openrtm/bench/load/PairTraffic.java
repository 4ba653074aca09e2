package org.openrtm.bench.load;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperty;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.jetbrains.annotations.NotNull;
import org.openrtm.bench.broker.BrokerHandle;
import org.openrtm.bench.metrics.CpuWindow;
import org.openrtm.bench.metrics.Figure;
import org.openrtm.protocol.Props;
import org.openrtm.protocol.RtmTopics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Sender/recipient pairs exchanging peer messages: sender {@code i} publishes QoS 1 to
 * {@code rtm/user/<recipient i>/inbox/<sender i>}; recipient {@code i} subscribes to its inbox filter; with receipts on,
 * each message asks for a receipt ({@code rtm-receipt: true}) and each sender subscribes to its event topic (where
 * OpenRTM sends receipts). On a plain broker the same topics carry
 * plain MQTT. Thread-safe for one driver thread at a time.
 */
public final class PairTraffic {

    private static final Logger log = LoggerFactory.getLogger(PairTraffic.class);
    private static final AtomicInteger PHASES = new AtomicInteger();
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final Mqtt5UserProperties RECEIPT = Mqtt5UserProperties.of(
            Mqtt5UserProperty.of(Props.RECEIPT, Props.TRUE));

    private final BrokerHandle broker;
    private final Generator generator;
    private final int payloadBytes;
    private final List<Device> senders = new ArrayList<>();
    private final List<Device> recipients = new ArrayList<>();
    private final List<MqttTopic> topics = new ArrayList<>();
    private final LongAdder strays = new LongAdder();
    private volatile Ledger current;
    private volatile boolean askReceipts;

    /**
     * Creates the pairs' devices (not connected).
     *
     * @param broker       the broker
     * @param generator    makes the devices
     * @param uidPrefix    prefix of every uid (make it unique per repetition)
     * @param pairs        how many pairs
     * @param payloadBytes payload size of every message
     */
    public PairTraffic(final @NotNull BrokerHandle broker, final @NotNull Generator generator, final @NotNull String uidPrefix,
                       final int pairs, final int payloadBytes) {
        this(broker, generator, uidPrefix, pairs, payloadBytes, false);
    }

    /**
     * Like {@link #PairTraffic(BrokerHandle, Generator, String, int, int)}; with {@code fanIn}, every sender sends to one
     * and the same recipient (many devices to one app): {@code pairs} senders, one recipient, order checked per sender.
     */
    public PairTraffic(final @NotNull BrokerHandle broker, final @NotNull Generator generator, final @NotNull String uidPrefix,
                       final int pairs, final int payloadBytes, final boolean fanIn) {
        if (pairs < 1) {
            throw new IllegalArgumentException("pairs must be at least 1, but was " + pairs);
        }
        this.broker = broker;
        this.generator = generator;
        this.payloadBytes = payloadBytes;
        for (int i = 0; i < pairs; i++) {
            final Device s = generator.device(broker, uidPrefix + "s" + i);
            final Device r = fanIn && i > 0 ? recipients.get(0) : generator.device(broker, uidPrefix + "r" + i);
            s.onMessage(p -> {
                final Ledger l = current;
                if (l != null) {
                    l.receipt();
                }
            });
            senders.add(s);
            if (!fanIn || i == 0) {
                r.onMessage(this::received);
                recipients.add(r);
            }
            topics.add(MqttTopic.of(RtmTopics.inbox(r.uid(), s.uid())));
        }
    }

    private void received(final Mqtt5Publish p) {
        final long now = System.nanoTime();
        final Ledger l = current;
        final ByteBuffer b = p.getPayload().orElse(null);
        final Payloads.Header h = b == null ? null : Payloads.decode(b);
        if (l == null || h == null || h.phase() != l.phase()) {
            strays.increment();
            return;
        }
        l.delivered(h, now);
    }

    /** The senders. */
    public @NotNull List<Device> senders() {
        return senders;
    }

    /** The recipients. */
    public @NotNull List<Device> recipients() {
        return recipients;
    }

    /** How many pairs. */
    public int size() {
        return senders.size();
    }

    /** Messages that arrived for no current phase (late arrivals of an earlier phase). */
    public long strays() {
        return strays.sum();
    }

    /**
     * Connects devices and subscribes them.
     *
     * @param devices     which
     * @param cleanStart  MQTT 5 Clean Start
     * @param expiry      Session Expiry Interval in seconds
     * @param filters     per device, its filters
     * @param timeout     how long all may take
     * @throws IllegalStateException naming the first failure if any device failed
     * @throws InterruptedException  if interrupted
     */
    public static void connectAll(final @NotNull List<Device> devices, final boolean cleanStart, final long expiry,
                                  final @NotNull java.util.function.Function<Device, List<String>> filters,
                                  final @NotNull Duration timeout) throws InterruptedException {
        final List<Throwable> failures = Generator.forAll(devices, 200,
                d -> d.connect(cleanStart, expiry).thenCompose(ack -> d.subscribe(filters.apply(d))), timeout, n -> { });
        if (!failures.isEmpty()) {
            throw new IllegalStateException(failures.size() + " of " + devices.size() + " devices could not connect: "
                    + failures.get(0), failures.get(0));
        }
    }

    /**
     * Whether the messages sent from now on ask for a receipt ({@code rtm-receipt: true}); the senders must be
     * subscribed to their event topic to receive them.
     */
    public void askReceipts(final boolean receipts) {
        this.askReceipts = receipts;
    }

    /**
     * Connects both sides with clean sessions; if {@code receipts}, senders subscribe to their event topic and the
     * messages ask for receipts.
     */
    public void connect(final boolean receipts, final @NotNull Duration timeout) throws InterruptedException {
        askReceipts(receipts);
        connectAll(senders, true, 0, d -> receipts ? List.of(RtmTopics.event(d.uid())) : List.of(), timeout);
        connectAll(recipients, true, 0, d -> List.of(RtmTopics.inboxFilter(d.uid())), timeout);
    }

    /** Disconnects everybody (ending persistent sessions too). */
    public void disconnect() throws InterruptedException {
        final List<Device> all = new ArrayList<>(senders);
        all.addAll(recipients);
        Generator.forAll(all, 500, d -> d.disconnect(true), Duration.ofSeconds(60), n -> { });
    }

    /**
     * Starts a new phase: deliveries are booked into the returned ledger, everything else counts as a stray.
     *
     * @param originNanos see {@link Ledger#Ledger(int, int, long)}
     * @return the new phase's ledger
     */
    public @NotNull Ledger newPhase(final long originNanos) {
        final Ledger l = new Ledger(PHASES.incrementAndGet(), size(), originNanos);
        current = l;
        return l;
    }

    /**
     * Sends message {@code index} of a phase: pair {@code index % pairs}, sequence {@code index / pairs}.
     *
     * @param l             the phase
     * @param index         the message's index in the phase
     * @param intendedNanos when it was meant to be sent
     */
    public void send(final @NotNull Ledger l, final long index, final long intendedNanos) {
        final int pair = (int) (index % size());
        final long seq = index / size();
        final var builder = Mqtt5Publish.builder().topic(topics.get(pair)).qos(MqttQos.AT_LEAST_ONCE)
                .payload(Payloads.encode(payloadBytes, intendedNanos, l.phase(), pair, seq));
        final Mqtt5Publish publish = askReceipts ? builder.userProperties(RECEIPT).build() : builder.build();
        l.issued();
        senders.get(pair).publish(publish).whenComplete(l::acknowledged);
    }

    /**
     * Waits until every one of {@code total} publishes was answered and every accepted one delivered.
     *
     * @return whether that happened within the timeout
     */
    public static boolean await(final @NotNull Ledger l, final long total, final @NotNull Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (l.ackedCount() + l.failedCount() >= total && l.deliveredCount() >= l.ackedCount()) {
                return true;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        return false;
    }

    /**
     * Sends {@code total} messages at a fixed rate, open loop: message {@code i} is due at {@code start + i / rate}
     * whatever happened to the ones before (the client queues what the broker has not yet taken).
     *
     * @return how far behind schedule the last message was issued, in nanoseconds
     */
    public long pace(final @NotNull Ledger l, final double rate, final long total, final long startNanos) {
        long issued = 0;
        while (issued < total) {
            final long now = System.nanoTime();
            final long due = Math.min(total, (long) ((now - startNanos) * rate / 1e9) + 1);
            while (issued < due) {
                send(l, issued, startNanos + (long) (issued * 1e9 / rate));
                issued++;
            }
            if (issued < total) {
                final long wait = startNanos + (long) (issued * 1e9 / rate) - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(1)));
                }
            }
        }
        return Math.max(0, System.nanoTime() - (startNanos + (long) ((total - 1) * 1e9 / rate)));
    }

    /**
     * One measured phase at a fixed rate.
     *
     * @param name         the figure's name
     * @param rate         messages per second over all pairs
     * @param duration     how long to send
     * @param drainTimeout how long to wait after the last send for every acknowledgement and delivery
     * @param maxP99Ms     a p99 above this fails the figure (0: no latency criterion)
     * @return the figure; not ok if anything was refused, lost, late beyond the criterion, or unfinished
     */
    public @NotNull Figure runAtRate(final @NotNull String name, final double rate, final @NotNull Duration duration,
                                     final @NotNull Duration drainTimeout, final double maxP99Ms) {
        final long total = Math.max(1, Math.round(rate * duration.toNanos() / 1e9));
        final long strays0 = strays();
        final long disconnects0 = generator.unexpectedDisconnects();
        final Ledger l = newPhase(0);
        final CpuWindow cpu = CpuWindow.start(broker.pid());
        final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
        final long lag = pace(l, rate, total, start);
        final boolean complete = await(l, total, drainTimeout);
        final long end = Math.max(l.lastEventNanos(), start + 1);
        final CpuWindow.Usage usage = cpu.stop();
        final BrokerHandle.Memory mem = broker.memory(true);
        final Figure.Builder f = Figure.builder(name).targetRate(rate)
                .window(l.deliveredCount(), (end - start) / 1e9)
                .counts(total, l.ackedCount(), l.deliveredCount(), l.duplicateCount(), l.failedCount())
                .latency(l.latency()).cpu(usage).memory(mem.heapBytes(), mem.rssBytes()).statuses(l.statuses())
                .extra("receipts", l.receiptCount())
                .extra("outOfOrder", l.outOfOrderCount())
                .extra("strays", strays() - strays0)
                .extra("pacerLagMs", lag / 1e6)
                .extra("sendMaximum", senders.stream().mapToInt(Device::sendMaximum).min().orElse(0))
                .extra("tcpNoDelay", senders.stream().allMatch(Device::noDelay)
                        && recipients.stream().allMatch(Device::noDelay) ? 1 : 0);
        final long lost = l.ackedCount() - l.deliveredCount();
        if (l.failedCount() > 0) {
            f.fail(l.failedCount() + " of " + total + " publishes refused or failed " + l.statuses());
        }
        if (lost > 0) {
            f.fail(lost + " of " + l.ackedCount() + " accepted messages not delivered");
        }
        if (!complete) {
            f.fail("not finished " + drainTimeout.toSeconds() + " s after the last send");
        }
        final long disconnects = generator.unexpectedDisconnects() - disconnects0;
        if (disconnects > 0) {
            f.fail(disconnects + " connections lost");
        }
        final double p99 = l.latency().p99Ms();
        if (maxP99Ms > 0 && p99 > maxP99Ms) {
            f.fail("p99 " + p99 + " ms is above " + maxP99Ms + " ms");
        }
        if (!complete) {
            // let the backlog clear so that it does not spill into the next phase
            if (!await(l, total, Duration.ofSeconds(60))) {
                log.warn("{}: backlog of phase {} still not cleared after 60 s more", broker.target().id(), name);
            }
        }
        return f.build();
    }
}
